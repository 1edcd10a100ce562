import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, normalize } from "node:path";

const ROOT = join(import.meta.dirname, "fixtures");

/** Serve test/web-page/fixtures on 127.0.0.1 (an ephemeral port); `.html` as text/html, others as text/plain. */
export async function serveFixtures(): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(
      /^([/\\])+/,
      "",
    );
    try {
      const body = await readFile(join(ROOT, path));
      res.writeHead(200, {
        "content-type": path.endsWith(".html") ? "text/html; charset=utf-8" : "text/plain",
      });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const port = (server.address() as AddressInfo).port;
  return { port, close: () => new Promise((done) => server.close(() => done())) };
}
