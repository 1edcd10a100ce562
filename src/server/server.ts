import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.js";
import { checkBearer, checkOrigin } from "./auth.js";
import { ServerContext } from "./context.js";
import { errorBody, HttpError, toHttpError } from "./errors.js";
import { DEFAULT_SERVE_OPTIONS, isLoopbackHost, type ServeOptions } from "./options.js";
import { askRoute } from "./routes/ask.js";
import { healthRoute, modelsRoute, openApiRoute } from "./routes/info.js";
import { markRoute } from "./routes/mark.js";
import { segmentRoute } from "./routes/segment.js";
import { taskRoute } from "./routes/tasks.js";
import type { Route } from "./routes/types.js";
import { StaticFiles } from "./static-files.js";

const ROUTES: Route[] = [
  healthRoute,
  openApiRoute,
  modelsRoute,
  markRoute,
  segmentRoute,
  askRoute,
  taskRoute,
];

/** dist-web beside the package root (src/server or dist/server → ../../dist-web). */
export const DEFAULT_WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist-web");

const SECURITY_HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
};
const APP_CSP =
  "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export interface SomServer {
  server: Server;
  context: ServerContext;
  /** http://host:port once listening. */
  url: string;
  close(): Promise<void>;
}

/** Refuse settings that would expose the API without a token. */
export function checkServeOptions(o: ServeOptions): void {
  if (!isLoopbackHost(o.host) && !o.token) {
    throw new UserError(
      `refusing to listen on ${o.host} (reachable from the network) without a token: set --token or SOM_API_TOKEN`,
      "insecure",
    );
  }
}

function match(route: Route, pathname: string): Record<string, string> | undefined {
  if (!route.path.includes(":")) return route.path === pathname ? {} : undefined;
  const want = route.path.split("/");
  const got = pathname.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) {
      if (!got[i]) return undefined;
      try {
        params[want[i].slice(1)] = decodeURIComponent(got[i]);
      } catch {
        throw new HttpError(400, "invalid_request", `malformed percent-encoding in ${pathname}`);
      }
    } else if (want[i] !== got[i]) return undefined;
  }
  return params;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/** Build the server (not yet listening); its compute workers start at once (stop them with `context.close()`). */
export function createSomServer(partial: Partial<ServeOptions> = {}): {
  server: Server;
  context: ServerContext;
} {
  const options: ServeOptions = { ...DEFAULT_SERVE_OPTIONS, ...partial };
  const ctx = new ServerContext(options);
  const web = new StaticFiles(options.webDir ?? DEFAULT_WEB_DIR);
  const log = options.log ?? (() => {});

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    let pathname = "/";
    try {
      pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    } catch {
      // keep "/"; the route lookup below answers 404 for garbage
    }
    res.on("finish", () => {
      log(`${req.method} ${pathname} ${res.statusCode} ${Math.round(performance.now() - started)}ms`);
    });
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(
          new HttpError(
            503,
            "timeout",
            `the request took longer than ${Math.round(options.timeoutMs / 1000)} s`,
          ),
        ),
      options.timeoutMs,
    );
    // The client hung up: stop work that can still be stopped.
    res.on("close", () => {
      if (!res.writableFinished)
        controller.abort(new HttpError(499, "client_closed", "client closed the request"));
    });
    try {
      checkOrigin(req, options.host);
      const method = req.method === "HEAD" ? "GET" : req.method;
      let route: Route | undefined;
      let params: Record<string, string> | undefined;
      for (const r of ROUTES) {
        params = match(r, pathname);
        if (params) {
          route = r;
          break;
        }
      }
      if (!route) {
        if (method === "GET" && !pathname.startsWith("/v1/")) return serveStatic(web, pathname, res);
        throw new HttpError(404, "not_found", `no endpoint ${pathname}`);
      }
      if (route.method !== method) {
        throw new HttpError(405, "method_not_allowed", `${pathname} takes ${route.method}`, {
          allow: route.method,
        });
      }
      if (route.auth && options.token) checkBearer(req, options.token);
      const aborted = new Promise<never>((_, reject) => {
        controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
      });
      aborted.catch(() => {});
      const body = await Promise.race([
        route.handler({ req, ctx, signal: controller.signal, params: params ?? {} }),
        aborted,
      ]);
      sendJson(res, 200, body);
    } catch (err) {
      const e = toHttpError(controller.signal.aborted ? (controller.signal.reason ?? err) : err);
      if (e.status === 500)
        log(`error on ${req.method} ${pathname}: ${(err as Error)?.stack ?? String(err)}`);
      const close = discardUnreadBody(req, Math.max(2 * options.maxBodyBytes, 8 * 2 ** 20));
      sendJson(res, e.status, errorBody(e), { ...e.headers, ...(close ? { connection: "close" } : {}) });
    } finally {
      clearTimeout(timer);
    }
  };

  const server = createServer(
    { requestTimeout: options.timeoutMs, headersTimeout: Math.min(30_000, options.timeoutMs) },
    (req, res) => {
      void handle(req, res);
    },
  );
  return { server, context: ctx };
}

/**
 * After an early refusal (429, 401, 413…) the client may still be sending its upload. Closing the socket
 * now would make it fail with EPIPE instead of reading our answer, so the rest is read and thrown away,
 * up to `cap` bytes; a larger upload is cut off. Returns whether the connection must close.
 */
function discardUnreadBody(req: IncomingMessage, cap: number): boolean {
  if (req.readableEnded) return false;
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > cap) {
    req.resume();
    return true;
  }
  let seen = 0;
  req.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > cap) req.socket.destroy();
  });
  req.resume();
  return false;
}

function serveStatic(web: StaticFiles, pathname: string, res: ServerResponse): void {
  const file = web.lookup(pathname);
  if (!file) {
    if (!web.built && pathname === "/") {
      res.writeHead(503, { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8" });
      res.end(
        "The web app is not built. Run `npm run build` in the som package; the HTTP API works meanwhile.\n",
      );
      return;
    }
    throw new HttpError(404, "not_found", `no file ${pathname}`);
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    "content-type": file.type,
    "content-length": file.body.length,
    etag: file.etag,
    "cache-control": file.immutable ? "public, max-age=31536000, immutable" : "no-cache",
    ...(file.type.startsWith("text/html") ? { "content-security-policy": APP_CSP } : {}),
  });
  res.end(file.body);
}

/** Create and start the server; resolves once it listens. */
export async function startSomServer(partial: Partial<ServeOptions> = {}): Promise<SomServer> {
  const options: ServeOptions = { ...DEFAULT_SERVE_OPTIONS, ...partial };
  checkServeOptions(options);
  const { server, context } = createSomServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch(async (err) => {
    await context.close(); // the compute workers started with the context
    throw err;
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    server,
    context,
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }).then(() => context.close()),
  };
}
