import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HttpError } from "./errors.js";
import { isLoopbackHost } from "./options.js";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Constant-time check of `Authorization: Bearer <token>`. Both sides are hashed first, so the comparison
 * takes the same time whatever the given token's length (comparing raw bytes would leak the length).
 */
export function checkBearer(req: IncomingMessage, token: string): void {
  const header = String(req.headers.authorization ?? "");
  const m = /^Bearer\s+(.+)$/i.exec(header);
  if (!m || !timingSafeEqual(digest(m[1].trim()), digest(token))) {
    throw new HttpError(
      401,
      "unauthorized",
      m ? "wrong bearer token" : "this server needs Authorization: Bearer <token>",
      { "www-authenticate": 'Bearer realm="som"' },
    );
  }
}

/**
 * Requests a browser could be tricked into sending: with a Host that is not ours (DNS rebinding against a
 * loopback server), or from a page of another origin (a cross-site form post). Both are refused.
 */
export function checkOrigin(req: IncomingMessage, boundHost: string): void {
  const host = String(req.headers.host ?? "");
  const hostname = host.replace(/:\d+$/, "");
  if (isLoopbackHost(boundHost) && hostname && !isLoopbackHost(hostname)) {
    throw new HttpError(403, "bad_host", `this server answers only to localhost, not to Host ${hostname}`);
  }
  const origin = req.headers.origin;
  if (origin && origin !== "null") {
    let originHost = "";
    try {
      originHost = new URL(origin).host;
    } catch {
      // unparsable origin: refused below
    }
    if (originHost !== host) {
      throw new HttpError(403, "cross_origin", "requests from other web origins are not allowed");
    }
  } else if (origin === "null") {
    throw new HttpError(403, "cross_origin", "requests from opaque origins are not allowed");
  }
}
