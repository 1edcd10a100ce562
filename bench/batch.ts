/**
 * `som batch` machinery (bench/RESULTS.md "som batch"):
 *
 *   npx tsx bench/batch.ts [--photos 100] [--runs thread:1,thread:2,process:2] [--small 100,1000]
 *                          [--queue-photos 30] [--trivial 40] [--skip a,b,c]
 *
 *   a. throughput on --photos COCO val photos (../shared/datasets) with the default proposer (built-in,
 *      detector-guided), --concurrency 1 vs 2, worker threads; plus 2 child processes for the pool choice.
 *      Per-item overhead of the machinery = item wall time − the work inside the worker (reading, hashing,
 *      transfer to the worker, ledger line), as a share of the item time.
 *   b. peak RSS of a whole `som batch mark` process over 100 vs 1,000 small items (64 px photos, weight-free
 *      proposer: the machinery's memory, not the detector's).
 *   c. queue mode: --queue-photos photos through 1 vs 2 `som worker -j 1` processes on a real redis-server,
 *      enqueue to last job done; and the enqueue → start latency of --trivial one-at-a-time trivial jobs
 *      (32 px image) on an idle, warmed-up worker.
 *
 * The last line printed is one JSON object with every figure.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance as nodePerformance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Queue } from "bullmq";
import sharp from "sharp";
import { optionsHash, sha256, jobIdOf } from "../src/batch/hash.js";
import { expandInputs } from "../src/batch/inputs.js";
import { connectionFromUrl, type JobData } from "../src/batch/queue.js";
import { runBatch } from "../src/batch/run.js";
import type { PoolKind } from "../src/batch/pool.js";
import type { WorkSpec } from "../src/batch/types.js";
import { cocoPhotos, readLedgerFile } from "../test/batch/fixtures.js";
import { RedisServer, som, until } from "../test/batch/redis.js";

const ROOT = resolve(import.meta.dirname, "..");
const { values: args } = parseArgs({
  options: {
    photos: { type: "string", default: "100" },
    small: { type: "string", default: "100,1000" },
    "queue-photos": { type: "string", default: "30" },
    trivial: { type: "string", default: "40" },
    skip: { type: "string", default: "" },
    runs: { type: "string", default: "thread:1,thread:2,process:2" },
  },
});
const skip = new Set(args.skip.split(",").filter(Boolean));
const results: Record<string, unknown> = {};
const log = (m: string) => process.stderr.write(`bench/batch: ${m}\n`);

/** The flags `som batch mark` gives by default (as commander parses them). */
function markWork(extra: Record<string, unknown> = {}): WorkSpec {
  return {
    kind: "mark",
    options: {
      granularity: 0.5,
      marks: ["number", "mask", "contour"],
      labels: "numeric",
      alpha: 0.3,
      maxPixels: 1e8,
      ...extra,
    },
  };
}

const tmp = await mkdtemp(join(tmpdir(), "som-bench-batch-"));

if (!skip.has("a")) {
  const photos = await cocoPhotos(Number(args.photos));
  const items = await expandInputs(photos);
  const runs: Record<string, unknown>[] = [];
  const plan = args.runs.split(",").map((r) => {
    const [pool, c] = r.split(":");
    return [pool as PoolKind, Number(c)] as const;
  });
  for (const [i, [pool, concurrency]] of plan.entries()) {
    const out = join(tmp, `a-${i}-${pool}-${concurrency}`);
    // The main thread's own busy time (event-loop utilisation): what the machinery costs in CPU, apart
    // from the time an item's reply waits for a free core when the workers keep every core busy.
    const elu0 = nodePerformance.eventLoopUtilization();
    const s = await runBatch({ items, work: markWork(), out, concurrency, pool });
    const mainBusyMs = nodePerformance.eventLoopUtilization(elu0).active;
    const recs = await readLedgerFile(out);
    const work = recs.reduce((a, r) => a + (r.timings.work ?? 0), 0) / recs.length;
    const total = recs.reduce((a, r) => a + r.timings.total, 0) / recs.length;
    const row = {
      pool,
      concurrency,
      items: s.done,
      failed: s.failed,
      wallSeconds: +s.wallSeconds.toFixed(1),
      imagesPerSecond: +s.imagesPerSecond.toFixed(3),
      p50Ms: Math.round(s.p50Ms),
      p95Ms: Math.round(s.p95Ms),
      itemMs: Math.round(total),
      workMs: Math.round(work),
      overheadMs: +(total - work).toFixed(2),
      overheadPct: +((100 * (total - work)) / total).toFixed(2),
      mainBusyMsPerItem: +(mainBusyMs / recs.length).toFixed(2),
      mainBusyPct: +((100 * mainBusyMs) / recs.length / work).toFixed(2),
    };
    log(`${JSON.stringify(row)} load ${loadavg()[0]!.toFixed(2)}`);
    runs.push(row);
  }
  // Mean over the runs of one kind (--runs may repeat a kind, interleaved, to average out a busy machine).
  const rate = (p: string, c: number) => {
    const xs = runs
      .filter((r) => r.pool === p && r.concurrency === c)
      .map((r) => r.imagesPerSecond as number);
    return xs.length ? xs.reduce((x, y) => x + y, 0) / xs.length : 0;
  };
  results.throughput = {
    runs,
    speedup1to2: +(rate("thread", 2) / rate("thread", 1)).toFixed(2),
    processVsThread: +(rate("process", 2) / rate("thread", 2)).toFixed(2),
  };
}

if (!skip.has("b")) {
  const src = await cocoPhotos(20);
  const rss: Record<string, number> = {};
  // Each size with worker threads, and the first size with child processes too.
  const sizes = args.small.split(",").map(Number);
  const plan = [...sizes.map((n) => [n, "thread"] as const), [sizes[0]!, "process"] as const];
  for (const [n, pool] of plan) {
    const dir = join(tmp, `b-in-${n}`);
    await mkdir(dir, { recursive: true });
    const bufs = await Promise.all(src.map((f) => sharp(f).resize({ width: 64 }).jpeg().toBuffer()));
    for (let i = 0; i < n; i++)
      await writeFile(join(dir, `s${String(i).padStart(5, "0")}.jpg`), bufs[i % bufs.length]!);
    const out = join(tmp, `b-out-${n}-${pool}`);
    // The child samples its own RSS plus its children's (process pool) from /proc every 100 ms.
    const code = `
      import { readFileSync, readdirSync } from "node:fs";
      const rssKb = (pid) => { try { return Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync("/proc/" + pid + "/status", "utf8"))[1]); } catch { return 0; } };
      const kids = () => readdirSync("/proc/self/task").flatMap((t) => readFileSync("/proc/self/task/" + t + "/children", "utf8").trim().split(/\\s+/).filter(Boolean));
      let peak = 0;
      const timer = setInterval(() => { peak = Math.max(peak, rssKb(process.pid) + kids().reduce((a, k) => a + rssKb(k), 0)); }, 100);
      const { runBatch } = await import(${JSON.stringify(join(ROOT, "src/batch/run.ts"))});
      const { expandInputs } = await import(${JSON.stringify(join(ROOT, "src/batch/inputs.ts"))});
      const items = await expandInputs([${JSON.stringify(dir)}]);
      const s = await runBatch({ items, work: ${JSON.stringify(markWork({ detector: "none" }))}, out: ${JSON.stringify(out)}, concurrency: 2, pool: ${JSON.stringify(pool)} });
      clearInterval(timer);
      console.log(JSON.stringify({ done: s.done, peakMb: peak / 1024 }));`;
    const line = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      cwd: ROOT,
      encoding: "utf8",
    })
      .trim()
      .split("\n")
      .pop()!;
    const r = JSON.parse(line);
    rss[`${n}-${pool}`] = Math.round(r.peakMb);
    log(
      `${n} small items, ${pool} pool: ${r.done} done, peak RSS (with children) ${Math.round(r.peakMb)} MB`,
    );
  }
  results.memory = rss;
}

if (!skip.has("c")) {
  const redisDir = join(tmp, "redis");
  await mkdir(redisDir);
  const redis = await RedisServer.start(redisDir);
  try {
    const photos = await cocoPhotos(Number(args["queue-photos"]));
    const inDir = join(tmp, "c-in");
    await mkdir(inDir);
    for (const p of photos)
      await writeFile(join(inDir, p.slice(p.lastIndexOf("/") + 1)), await sharp(p).toBuffer());
    const queueRuns: Record<string, unknown>[] = [];
    for (const workers of [1, 2]) {
      const name = `bench-${workers}`;
      const q = ["--queue", redis.url, "--queue-name", name];
      const ws = Array.from({ length: workers }, () => som(["worker", ...q, "-j", "1"]));
      // From enqueue on: the workers are up (their proposer still loads on their first job).
      await until("workers up", () => ws.every((w) => w.stderr().includes("waiting for jobs")));
      const t0 = performance.now();
      const f = som(["batch", "mark", inDir, "--out", join(tmp, `c-out-${workers}`), ...q, "-q"]);
      const code = await f.exit;
      const secs = (performance.now() - t0) / 1000;
      for (const w of ws) w.proc.kill("SIGTERM");
      await Promise.all(ws.map((w) => w.exit));
      const row = {
        workers,
        items: photos.length,
        exit: code,
        wallSeconds: +secs.toFixed(1),
        imagesPerSecond: +(photos.length / secs).toFixed(3),
      };
      log(JSON.stringify(row));
      queueRuns.push(row);
    }
    // Enqueue → start of trivial jobs, one at a time, on an idle warmed-up worker.
    const tiny = join(tmp, "tiny.png");
    await sharp(photos[0]).resize({ width: 32 }).png().toFile(tiny);
    const name = "bench-trivial";
    const w = som(["worker", "--queue", redis.url, "--queue-name", name, "-j", "1", "-q"]);
    const queue = new Queue<JobData>(name, { connection: connectionFromUrl(redis.url) });
    const work = markWork({ detector: "none" });
    const lat: number[] = [];
    const out = join(tmp, "c-trivial");
    for (let i = 0; i < Number(args.trivial) + 3; i++) {
      const item = { input: tiny, name: `t${i}` };
      const oh = optionsHash(work, item);
      const ch = sha256(String(i));
      const job = await queue.add(
        "item",
        { item, work, out, contentHash: ch, optionsHash: oh, enqueuedAt: Date.now() },
        { jobId: jobIdOf(ch, oh, item.name) },
      );
      await until(
        "trivial job",
        async () => ["completed", "failed"].includes(await queue.getJobState(job.id!)),
        120_000,
      );
      const done = await queue.getJob(job.id!);
      if (i >= 3) lat.push(done!.processedOn! - done!.timestamp); // the first ones warm the worker up
    }
    lat.sort((a, b) => a - b);
    await queue.close();
    w.proc.kill("SIGTERM");
    await w.exit;
    const trivial = { jobs: lat.length, p50Ms: lat[Math.floor(lat.length / 2)], maxMs: lat[lat.length - 1] };
    log(`enqueue → start: ${JSON.stringify(trivial)}`);
    const r1 = queueRuns[0]!.imagesPerSecond as number;
    const r2 = queueRuns[1]!.imagesPerSecond as number;
    results.queue = { runs: queueRuns, speedup1to2: +(r2 / r1).toFixed(2), enqueueToStart: trivial };
  } finally {
    await redis.down();
  }
}

// Other work on the machine skews every ratio: record how busy it was.
results.loadAverage = loadavg().map((x) => +x.toFixed(2));
console.log(JSON.stringify(results));
