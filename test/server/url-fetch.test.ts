import type { LookupAddress, lookup } from "node:dns";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchImageUrl } from "../../src/server/url-fetch.js";
import { photoBytes } from "./serve-helpers.js";

/**
 * The URL guard with a stand-in address policy: only 127.0.0.1 counts as "public" here, so a real server
 * on it can be fetched while 127.0.0.2 plays the private address an attacker aims at.
 */
const PUBLIC = "127.0.0.1";
const isAllowedAddress = (a: string) => a === PUBLIC;

/** A fake DNS: names map to fixed addresses (rebind.example answers a "private" one). */
const HOSTS: Record<string, string[]> = {
  "cdn.example": [PUBLIC],
  "rebind.example": ["127.0.0.2"],
  "mixed.example": [PUBLIC, "127.0.0.2"],
};
const fakeLookup = ((host: string, _opts: unknown, cb: (e: Error | null, a: LookupAddress[]) => void) => {
  const found = HOSTS[host];
  if (!found) return cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" }), []);
  cb(
    null,
    found.map((address) => ({ address, family: 4 })),
  );
}) as unknown as typeof lookup;

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((req, res) => {
    const to = /^\/to\/(.+)$/.exec(req.url ?? "");
    if (to) {
      res.writeHead(302, { location: decodeURIComponent(to[1]) });
      res.end();
    } else res.end(photoBytes());
  });
  await new Promise<void>((r) => server.listen(0, PUBLIC, r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const get = (url: string) =>
  fetchImageUrl(url, { maxBytes: 10 * 2 ** 20, timeoutMs: 5000, isAllowedAddress, dnsLookup: fakeLookup });
const code = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: { code?: string }) => e.code,
  );

describe("image URL fetch guard", () => {
  it("fetches from an allowed address, by IP and by a name that resolves to it", async () => {
    expect(Buffer.compare(await get(`http://${PUBLIC}:${port}/a.jpg`), photoBytes())).toBe(0);
    expect(Buffer.compare(await get(`http://cdn.example:${port}/a.jpg`), photoBytes())).toBe(0);
  });

  it("refuses a name that resolves to a private address at connect time (DNS rebinding)", async () => {
    expect(await code(get(`http://rebind.example:${port}/a.jpg`))).toBe("url_not_allowed");
    // One private address among the answers is enough to refuse.
    expect(await code(get(`http://mixed.example:${port}/a.jpg`))).toBe("url_not_allowed");
  });

  it("checks every redirect hop again", async () => {
    const hop = (target: string) => `http://${PUBLIC}:${port}/to/${encodeURIComponent(target)}`;
    expect(await code(get(hop(`http://cdn.example:${port}/a.jpg`)))).toBe("ok");
    expect(await code(get(hop(`http://127.0.0.2:${port}/a.jpg`)))).toBe("url_not_allowed");
    expect(await code(get(hop(`http://rebind.example:${port}/a.jpg`)))).toBe("url_not_allowed");
    expect(await code(get(hop("file:///etc/passwd")))).toBe("url_not_allowed");
    // A redirect loop ends with an error, not a hang.
    const loop = `http://${PUBLIC}:${port}/to/${encodeURIComponent(`http://${PUBLIC}:${port}/to/x`)}`;
    expect(await code(get(loop))).toBe("url_fetch_failed");
  });
});
