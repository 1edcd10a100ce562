import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Serves fixed HTML pages on 127.0.0.1 at a random port (one origin per server). */
export async function servePages(
  pages: (origin: string) => Record<string, string>,
): Promise<{ origin: string; close(): Promise<void> }> {
  let origin = "";
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const html = pages(origin)[path];
    res.writeHead(html == null ? 404 : 200, { "content-type": "text/html; charset=utf-8" });
    res.end(html ?? "<h1>not found</h1>");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise<void>((r) => server.close(() => r())) };
}
