import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { CRASH, SLOW, SLOW_MS } from "./fixtures/faults.js";
import { photoBytes, postImage, postJson, result, startTestServer } from "./serve-helpers.js";

// Marking runs in worker threads; these tests start the real worker wrapped with two faults (see the
// fixture): a job that computes for SLOW_MS, and a job that crashes its thread.
const workerEntry = new URL("./fixtures/hooked-worker.ts", import.meta.url);

let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function health(url: string) {
  const t0 = performance.now();
  const { body } = await result(await fetch(`${url}/healthz`));
  return { ms: performance.now() - t0, body };
}

async function untilRunning(url: string, n: number) {
  for (let i = 0; i < 200; i++) {
    if ((await health(url)).body.jobs.mark.running >= n) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never ${n} mark jobs running`);
}

describe("compute workers", () => {
  it("a long job does not delay /healthz, a 429, or a job on the other worker", async () => {
    server = await startTestServer({ workerEntry, concurrency: 2, queue: 0 });
    const url = server.url;
    const t0 = performance.now();
    let slowDone = 0;
    const slow = postImage(`${url}/v1/mark`, photoBytes(), { options: SLOW }).then((r) => {
      slowDone = performance.now();
      return r;
    });
    await untilRunning(url, 1);
    const checks = [];
    for (let i = 0; i < 5; i++) checks.push(await health(url));
    for (const c of checks) expect(c.ms).toBeLessThan(200);
    // The other worker marks a real photo meanwhile.
    const other = await postImage(`${url}/v1/mark`, photoBytes("000000000632"));
    const otherDone = performance.now();
    expect(other.status).toBe(200);
    expect((await other.json()).manifest.marks.length).toBeGreaterThan(3);
    // Both slots taken, no queue: a refusal comes at once.
    const busy = postImage(`${url}/v1/mark`, photoBytes(), { options: SLOW });
    await untilRunning(url, 2);
    const t429 = performance.now();
    const refused = await postImage(`${url}/v1/mark`, photoBytes("000000000785"));
    expect(refused.status).toBe(429);
    expect(performance.now() - t429).toBeLessThan(300);
    expect(slowDone).toBe(0); // all of the above happened while the first job was computing
    expect(otherDone - t0).toBeLessThan(SLOW_MS);
    // The long job itself completes (the second one is left to the server's close).
    busy.catch(() => {});
    expect((await slow).status).toBe(200);
  }, 30_000);

  it("a job past the deadline is answered 503, its worker replaced, and its slot freed at once", async () => {
    server = await startTestServer({ workerEntry, concurrency: 1, queue: 0, timeoutMs: 3000 });
    const url = server.url;
    const t0 = performance.now();
    const { status, body } = await result(await postImage(`${url}/v1/mark`, photoBytes(), { options: SLOW }));
    expect(status).toBe(503);
    expect(body.error.code).toBe("timeout");
    const h = (await health(url)).body;
    expect(h.jobs.mark).toEqual({ running: 0, waiting: 0 });
    expect(h.workers).toEqual({ size: 1, restarts: 1 });
    // With one slot and no queue, a held slot would make this a 429; the fresh worker marks it.
    const next = await postImage(`${url}/v1/mark`, photoBytes("000000000632"));
    expect(next.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(SLOW_MS);
    // The images the old worker held went with it: asking by id is a 404 (the client uploads again).
    const imageId = createHash("sha256").update(photoBytes()).digest("hex");
    const gone = await result(await postJson(`${url}/v1/mark`, { imageId }));
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe("image_not_found");
  }, 30_000);

  it("a crash in a worker answers 500 and a fresh worker takes the next job", async () => {
    server = await startTestServer({ workerEntry, concurrency: 1 });
    const url = server.url;
    const { status, body } = await result(
      await postImage(`${url}/v1/mark`, photoBytes(), { options: CRASH }),
    );
    expect(status).toBe(500);
    expect(body.error.code).toBe("internal");
    expect(JSON.stringify(body)).not.toMatch(/injected crash/); // details go to the log, not the client
    expect(server.logs.some((l) => /compute worker 0 crashed: .*injected crash/.test(l))).toBe(true);
    expect((await health(url)).body.workers).toEqual({ size: 1, restarts: 1 });
    const next = await result(await postImage(`${url}/v1/mark`, photoBytes()));
    expect(next.status).toBe(200);
    expect(next.body.manifest.marks.length).toBeGreaterThan(3);
  }, 30_000);
});
