import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { photoBytes, postImage, postJson, result, startTestServer } from "./serve-helpers.js";

let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A different JPEG per call (so no cached hierarchy helps), the size of a phone photo crop. */
async function freshPhoto(seed: number, width = 640): Promise<Buffer> {
  return sharp(photoBytes())
    .resize(width)
    .modulate({ brightness: 1 + seed * 0.01 })
    .jpeg({ quality: 90 })
    .toBuffer();
}

describe("request limits", () => {
  it("refuses a body over the limit with 413, before reading it all", async () => {
    server = await startTestServer({ maxBodyBytes: 20_000 });
    const { status, body } = await result(await postImage(`${server.url}/v1/mark`, photoBytes()));
    expect(status).toBe(413);
    expect(body.error.code).toBe("body_too_large");
    expect(body.error.message).toMatch(/20 KB/);
    // The server still answers afterwards.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("refuses a chunked body (no Content-Length) once it passes the limit", async () => {
    server = await startTestServer({ maxBodyBytes: 20_000 });
    const data = photoBytes();
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < data.length; i += 8192) c.enqueue(data.subarray(i, i + 8192));
        c.close();
      },
    });
    const res = await fetch(`${server.url}/v1/mark`, {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it("refuses an image with more pixels than allowed with 413 too_large", async () => {
    server = await startTestServer({ maxPixels: 100_000 });
    const { status, body } = await result(await postImage(`${server.url}/v1/mark`, photoBytes()));
    expect(status).toBe(413);
    expect(body.error.code).toBe("too_large");
    expect(body.error.message).toMatch(/640x426/);
  });

  it("queues up to the limit, then answers 429 with Retry-After; nothing else fails", async () => {
    server = await startTestServer({ concurrency: 1, queue: 2 });
    const photos = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((i) => freshPhoto(i)));
    const responses = await Promise.all(photos.map((p) => postImage(`${server!.url}/v1/mark`, p)));
    const statuses = responses.map((r) => r.status);
    // One running and two queued are always served; how many more depends on whether late requests
    // arrive after a slot frees up (the exact rule is checked in limiter.test.ts).
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    for (const r of responses.filter((x) => x.status === 429)) {
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      const { body } = await result(r);
      expect(body.error.code).toBe("busy");
    }
    await Promise.all(responses.filter((r) => r.status === 200).map((r) => r.arrayBuffer()));
    // Slots are given back: the server takes work again.
    const again = await postJson(`${server.url}/v1/mark`, {
      imageId: (await (await postImage(`${server.url}/v1/mark`, photos[0])).json()).imageId,
    });
    expect(again.status).toBe(200);
  });

  it("answers 503 timeout when a request outlives the deadline", async () => {
    server = await startTestServer({ timeoutMs: 150 });
    const { status, body } = await result(
      await postImage(`${server.url}/v1/mark`, await freshPhoto(40, 1024)),
    );
    expect(status).toBe(503);
    expect(body.error.code).toBe("timeout");
  });
});
