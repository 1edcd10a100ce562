import { describe, expect, it } from "vitest";
import { HttpError } from "../../src/server/errors.js";
import { JobLimiter } from "../../src/server/limiter.js";

/** A job that finishes when told to. */
function gate() {
  let open!: () => void;
  const done = new Promise<void>((r) => {
    open = r;
  });
  return { done, open };
}

describe("JobLimiter", () => {
  it("runs `concurrency` jobs, queues `queue` more, refuses the rest with 429 and Retry-After", async () => {
    const limiter = new JobLimiter({ name: "mark", concurrency: 2, queue: 1 });
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      limiter.admit().run(async () => {
        started.push(i);
        await g.done;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limiter.stats).toMatchObject({ running: 2, waiting: 1, admitted: 3 });
    let refused: unknown;
    try {
      limiter.admit();
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).status).toBe(429);
    expect(Number((refused as HttpError).headers["retry-after"])).toBeGreaterThanOrEqual(1);
    gates[0].open();
    await runs[0];
    expect(started).toEqual([0, 1, 2]);
    // A place freed: admission works again.
    const t = limiter.admit();
    t.release();
    gates[1].open();
    gates[2].open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(limiter.stats).toMatchObject({ running: 0, waiting: 0, admitted: 0 });
  });

  it("gives the place back when a job fails or a queued request is aborted", async () => {
    const limiter = new JobLimiter({ name: "mark", concurrency: 1, queue: 1 });
    const g = gate();
    const first = limiter.admit().run(() => g.done);
    const controller = new AbortController();
    const queued = limiter.admit().run(async () => "never", controller.signal);
    controller.abort(new Error("deadline"));
    await expect(queued).rejects.toThrow("deadline");
    expect(limiter.stats.admitted).toBe(1);
    g.open();
    await first;
    await expect(limiter.admit().run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(limiter.stats).toMatchObject({ running: 0, waiting: 0, admitted: 0 });
  });
});
