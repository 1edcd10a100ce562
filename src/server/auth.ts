import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HttpError } from "./errors.js";
import { isLoopbackHost } from "./options.js";

/** Constant-time check of `Authorization: Bearer <token>`. */
export function checkBearer(req: IncomingMessage, token: string): void {
  const header = String(req.headers.authorization ?? "");
  const m = /^Bearer\s+(.+)$/i.exec(header);
  const given = Buffer.from(m ? m[1].trim() : "");
  const want = Buffer.from(token);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
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
