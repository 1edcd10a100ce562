import { writeFile } from "node:fs/promises";
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectionFromUrl } from "../../src/batch/queue.js";
import { expectWholeOutputs, readLedgerFile, smallPhotos } from "./fixtures.js";
import { RedisServer, type Som, som, until } from "./redis.js";

// Weight-free proposer, few marks: the queue is under test, not the proposer.
const FAST = ["--detector", "none", "--max-marks", "12"];
const WORKER = ["--lock-duration", "2", "-j", "1"];
let dir: string;
let redis: RedisServer;
const children: Som[] = [];

function start(args: string[]): Som {
  const c = som(args);
  children.push(c);
  return c;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "som-queue-"));
  redis = await RedisServer.start(dir);
});

afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill("SIGKILL");
  await redis?.down();
});

describe("som batch --queue + som worker (BullMQ on a real redis-server)", () => {
  it("a worker SIGKILLed mid-job: its job is taken over, every item is recorded exactly once, every output whole", async () => {
    const inDir = join(dir, "in-kill");
    await smallPhotos(inDir, 12, 320);
    const out = join(dir, "out-kill");
    const q = ["--queue", redis.url, "--queue-name", "kill"];
    const a = start(["worker", ...q, ...WORKER]);
    const b = start(["worker", ...q, ...WORKER]);
    const follower = start(["batch", "mark", inDir, "--out", out, ...q, ...FAST]);
    // Kill worker A while it holds a job (BullMQ records the worker name, our pid, on the job).
    const queue = new Queue("kill", { connection: connectionFromUrl(redis.url) });
    let held: string | undefined;
    await until("worker A to hold a job", async () => {
      if (!/marks/.test(a.stderr())) return false; // warmed up: past its first job
      const active = await queue.getActive();
      held = active.find((j) => j.processedBy === String(a.proc.pid))?.id;
      return held !== undefined;
    });
    a.proc.kill("SIGKILL");
    expect(await follower.exit, follower.stderr()).toBe(0);
    const recs = await readLedgerFile(out);
    expect(recs).toHaveLength(12);
    expect(new Set(recs.map((r) => r.name)).size).toBe(12);
    expect(new Set(recs.map((r) => r.jobId)).size).toBe(12);
    expect(recs.every((r) => r.status === "done")).toBe(true);
    // The job A held was finished by B.
    const taken = recs.find((r) => r.jobId === held)!;
    expect(taken.worker).not.toContain(`/${a.proc.pid}`);
    await expectWholeOutputs(out, recs);
    const counts = await queue.getJobCounts("completed", "failed", "active", "waiting");
    expect(counts).toMatchObject({ completed: 12, failed: 0, active: 0, waiting: 0 });
    // Re-enqueueing is idempotent: nothing new, nothing recorded twice.
    const again = start(["batch", "mark", inDir, "--out", out, ...q, ...FAST, "--json"]);
    expect(await again.exit).toBe(0);
    expect(JSON.parse(again.stdout()).skipped).toBe(12);
    expect(await readLedgerFile(out)).toHaveLength(12);
    await queue.close();
    b.proc.kill("SIGTERM");
    expect(await b.exit).toBe(0);
  });

  it("Redis restarted mid-batch (AOF) loses no job; a poison item fails after --attempts and is reported; --status counts", async () => {
    const inDir = join(dir, "in-aof");
    await smallPhotos(inDir, 8, 320);
    await writeFile(join(inDir, "poison.jpg"), Buffer.from("this is no image"));
    const out = join(dir, "out-aof");
    const q = ["--queue", redis.url, "--queue-name", "aof"];
    const enq = start(["batch", "mark", inDir, "--out", out, ...q, ...FAST, "--attempts", "2", "--detach"]);
    expect(await enq.exit, enq.stderr()).toBe(0);
    const status = start(["batch", ...q, "--status", "--json"]);
    expect(await status.exit).toBe(0);
    expect(JSON.parse(status.stdout())).toMatchObject({ waiting: 9, active: 0, done: 0, failed: 0 });
    const w = start(["worker", ...q, ...WORKER]);
    const follower = start(["batch", "mark", inDir, "--out", out, ...q, ...FAST, "--attempts", "2"]);
    await until("two items done", async () => (await readLedgerFile(out)).length >= 2);
    await redis.down();
    await new Promise((r) => setTimeout(r, 500));
    await redis.up();
    expect(await follower.exit, follower.stderr()).toBe(1);
    const recs = await readLedgerFile(out);
    expect(recs).toHaveLength(9);
    expect(new Set(recs.map((r) => r.name)).size).toBe(9);
    const poison = recs.find((r) => r.name === "poison")!;
    expect(poison.status).toBe("failed");
    expect(poison.attempts).toBe(2);
    expect(poison.error).toMatch(/poison\.jpg/);
    expect(recs.filter((r) => r.status === "done")).toHaveLength(8);
    await expectWholeOutputs(out, recs);
    expect(follower.stderr()).toContain("8 done, 0 skipped, 1 failed of 9");
    const after = start(["batch", ...q, "--status"]);
    expect(await after.exit).toBe(0);
    expect(after.stdout()).toContain("done 8  failed 1");
    expect((await readdir(out)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    // --clean removes the finished jobs from Redis; the ledger keeps the results, so a rerun skips them all.
    const clean = start(["batch", ...q, "--clean", "--json"]);
    expect(await clean.exit, clean.stderr()).toBe(0);
    expect(JSON.parse(clean.stdout())).toEqual({ removed: 9, clean: "finished" });
    const empty = start(["batch", ...q, "--status", "--json"]);
    expect(await empty.exit).toBe(0);
    expect(JSON.parse(empty.stdout())).toMatchObject({ waiting: 0, active: 0, done: 0, failed: 0 });
    w.proc.kill("SIGTERM");
    expect(await w.exit).toBe(0);
  });

  it("--requests-per-minute holds across all workers (BullMQ's global rate limiter)", async () => {
    const inDir = join(dir, "in-rate");
    await smallPhotos(inDir, 4, 64);
    const out = join(dir, "out-rate");
    const q = ["--queue", redis.url, "--queue-name", "rate"];
    const ws = [start(["worker", ...q, ...WORKER]), start(["worker", ...q, ...WORKER])];
    await until("workers up", () => ws.every((w) => w.stderr().includes("waiting for jobs")));
    const f = start(["batch", "mark", inDir, "--out", out, ...q, ...FAST, "--requests-per-minute", "60"]);
    expect(await f.exit, f.stderr()).toBe(0);
    const queue = new Queue("rate", { connection: connectionFromUrl(redis.url) });
    const starts = (await queue.getJobs(["completed"])).map((j) => j.processedOn!).sort((a, b) => a - b);
    await queue.close();
    expect(starts).toHaveLength(4);
    // One job a second over both workers together: 4 starts span at least ~3 s (two workers unlimited: ~0).
    expect(starts[3]! - starts[0]!).toBeGreaterThanOrEqual(2500);
    for (const w of ws) w.proc.kill("SIGTERM");
    await Promise.all(ws.map((w) => w.exit));
    // --clean all removes every key of the queue (jobs, limiter, meta), not only its finished jobs.
    const clean = start(["batch", ...q, "--clean", "all"]);
    expect(await clean.exit, clean.stderr()).toBe(0);
    expect(clean.stdout()).toContain('removed 4 job(s) from queue "rate"');
    const probe = new Queue("rate", { connection: connectionFromUrl(redis.url) });
    // BullMQ's client is an ioredis instance; its type here leaves out KEYS.
    const redisClient = (await probe.client) as unknown as { keys(pattern: string): Promise<string[]> };
    const left = await redisClient.keys("bull:rate:*");
    await probe.close();
    // (the probe Queue itself writes bull:rate:meta when it connects)
    expect(left.filter((k) => k !== "bull:rate:meta")).toEqual([]);
  });
});
