import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { serveOptionsFromCli } from "../../src/cli/commands/serve.js";
import { isPublicAddress } from "../../src/server/address-policy.js";
import { startSomServer } from "../../src/server/index.js";
import { startFakeOpenAI } from "../helpers/fake-openai-server.js";
import { photoBytes, postImage, postJson, result, startTestServer } from "./serve-helpers.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});
async function serve(options: Parameters<typeof startTestServer>[0]) {
  const s = await startTestServer(options);
  closers.push(() => s.close());
  return s;
}

describe("bearer token", () => {
  it("requires the token on /v1 when set; health, docs and the app stay open", async () => {
    const s = await serve({ token: "s3cret-token" });
    const none = await postImage(`${s.url}/v1/mark`, photoBytes());
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/Bearer/);
    expect((await result(none)).body.error.code).toBe("unauthorized");
    const wrong = await postImage(`${s.url}/v1/mark`, photoBytes(), {}, { authorization: "Bearer nope" });
    expect(wrong.status).toBe(401);
    // Same length, one byte off; and the token as a prefix of a longer one.
    for (const token of ["s3cret-tokem", "s3cret-token2"]) {
      const r = await postImage(`${s.url}/v1/mark`, photoBytes(), {}, { authorization: `Bearer ${token}` });
      expect(r.status).toBe(401);
    }
    expect((await fetch(`${s.url}/v1/models`)).status).toBe(401);
    const right = await postImage(
      `${s.url}/v1/mark`,
      photoBytes(),
      {},
      { authorization: "Bearer s3cret-token" },
    );
    expect(right.status).toBe(200);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${s.url}/openapi.json`)).status).toBe(200);
  });

  it("takes the token from SOM_API_TOKEN, and refuses a public address without one", async () => {
    const base = {
      host: "0.0.0.0",
      port: 0,
      maxBody: 50,
      maxPixels: 1e6,
      concurrency: 1,
      queue: 1,
      timeout: 10,
      cache: false,
    };
    expect(serveOptionsFromCli(base, { SOM_API_TOKEN: "from-env" }).token).toBe("from-env");
    expect(serveOptionsFromCli({ ...base, token: "flag" }, { SOM_API_TOKEN: "from-env" }).token).toBe("flag");
    await expect(startSomServer({ host: "0.0.0.0", port: 0 })).rejects.toThrow(/without a token/);
    const s = await startSomServer({ host: "0.0.0.0", port: 0, token: "t" });
    closers.push(() => s.close());
    expect(s.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
  });

  it("refuses a foreign Host header (DNS rebinding) and cross-origin posts", async () => {
    const s = await serve({});
    const port = new URL(s.url).port;
    const rebinding = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/v1/models", headers: { host: `evil.example:${port}` } },
        (res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(rebinding.status).toBe(403);
    expect(JSON.parse(rebinding.body).error.code).toBe("bad_host");
    const cross = await postImage(`${s.url}/v1/mark`, photoBytes(), {}, { origin: "https://evil.example" });
    expect(cross.status).toBe(403);
    expect((await result(cross)).body.error.code).toBe("cross_origin");
    const same = await postImage(`${s.url}/v1/mark`, photoBytes(), {}, { origin: s.url });
    expect(same.status).toBe(200);
  });
});

describe("images by URL", () => {
  it("are refused unless the server enables URL fetching", async () => {
    const s = await serve({});
    const { status, body } = await result(
      await postJson(`${s.url}/v1/mark`, { imageUrl: "https://example.com/a.jpg" }),
    );
    expect(status).toBe(400);
    expect(body.error.code).toBe("url_fetch_disabled");
  });

  it("when enabled, refuse loopback, private and non-http URLs", async () => {
    // A real image server on loopback: reachable, but not allowed.
    const img = createServer((_req, res) => res.end(photoBytes()));
    await new Promise<void>((r) => img.listen(0, "127.0.0.1", r));
    closers.push(() => new Promise((r) => img.close(() => r())));
    const port = (img.address() as AddressInfo).port;
    const s = await serve({ allowUrlFetch: true });
    for (const url of [
      `http://127.0.0.1:${port}/photo.jpg`,
      `http://localhost:${port}/photo.jpg`,
      `http://[::1]:${port}/photo.jpg`,
      `http://[::ffff:127.0.0.1]:${port}/photo.jpg`,
      "http://10.0.0.8/photo.jpg",
      "http://169.254.169.254/latest/meta-data/",
      "file:///etc/passwd",
      "ftp://example.com/a.jpg",
    ]) {
      const { status, body } = await result(await postJson(`${s.url}/v1/mark`, { imageUrl: url }));
      expect(status, url).toBe(400);
      expect(body.error.code, url).toBe("url_not_allowed");
    }
    // The same URL through the fetch path works when private addresses are allowed (test hook only).
    const open = await serve({ allowUrlFetch: true, allowPrivateUrls: true });
    const ok = await result(
      await postJson(`${open.url}/v1/mark`, { imageUrl: `http://127.0.0.1:${port}/photo.jpg` }),
    );
    expect(ok.status).toBe(200);
    expect(ok.body.manifest.image).toMatchObject({ width: 640, height: 426 });
  });

  it("classifies addresses by the special-purpose registries", () => {
    for (const a of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "151.101.1.69"])
      expect(isPublicAddress(a), a).toBe(true);
    for (const a of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "100.64.0.1",
      "169.254.169.254",
      "0.0.0.0",
      "224.0.0.1",
      "::1",
      "::",
      "fe80::1",
      "fd00::1",
      "::ffff:10.0.0.1",
      "::ffff:7f00:1",
      "64:ff9b::7f00:1",
      "not-an-ip",
    ])
      expect(isPublicAddress(a), a).toBe(false);
  });
});

describe("provider keys stay on the server", () => {
  it("uses the key upstream but never returns or logs it", async () => {
    const KEY = "sk-live-TOPSECRET-0123456789";
    const fake = await startFakeOpenAI({ apiKey: KEY, model: () => "Mark [1] is the largest region." });
    closers.push(() => fake.close());
    const s = await serve({
      provider: {
        provider: "openai-compatible",
        model: "local-vlm",
        baseURL: fake.baseURL,
        env: { SOM_API_KEY: KEY },
        cache: false,
      },
    });
    const models = await fetch(`${s.url}/v1/models`);
    const modelsText = await models.text();
    expect(JSON.parse(modelsText).provider).toEqual({ name: "openai-compatible", model: "local-vlm" });
    const ask = await postImage(`${s.url}/v1/ask`, photoBytes(), { question: "Which mark is largest?" });
    const askText = await ask.text();
    expect(ask.status).toBe(200);
    expect(fake.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
    for (const text of [modelsText, askText, s.logs.join("\n")]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(fake.baseURL);
    }
  });
});
