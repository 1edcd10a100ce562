/**
 * Many machines: `som batch --queue redis://…` puts one BullMQ job per item on a Redis queue and follows
 * it; `som worker --queue redis://…` runs the jobs. BullMQ does the queueing, locking, stalled-job recovery,
 * retries and the global rate limit; this module only maps items to jobs and finished jobs to ledger lines.
 *
 * Exactly once in the ledger: a job finishes (moves to "completed" or, after its last attempt, "failed")
 * once in Redis, whatever happened to the workers that held it; the follower writes one line per finished
 * job id, and skips ids the ledger already has. Outputs are written atomically (temp file + rename), so a
 * worker killed mid-job, or two workers racing on one item after a stall, never leave a half-written file.
 */
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { type ConnectionOptions, type Job, Queue, Worker } from "bullmq";
import { UserError } from "../errors.js";
import { itemContentHash, jobIdOf, optionsHash, sha256 } from "./hash.js";
import { LEDGER_FILE, LedgerWriter, ledgerKey } from "./ledger.js";
import { type PoolKind, WorkPool } from "./pool.js";
import type { Progress } from "./progress.js";
import { readInput } from "./read-input.js";
import { alreadyDone, type BatchSummary, ledgerIndex, percentile } from "./run.js";
import type { BatchItem, LedgerRecord, WorkSpec } from "./types.js";

export const DEFAULT_QUEUE_NAME = "som-batch";

/** What a job carries: enough for any worker on the shared filesystem to do the item. */
export interface JobData {
  item: BatchItem;
  work: WorkSpec;
  /** Absolute output folder (shared filesystem). */
  out: string;
  contentHash: string;
  optionsHash: string;
  enqueuedAt: number;
}

/** What a worker returns for a finished job (the follower turns it into the ledger line). */
export interface JobResult {
  contentHash: string;
  marks: number;
  outputs: string[];
  timings: LedgerRecord["timings"];
  worker: string;
  startedAt: number;
}

/** ioredis options from redis://[user:pass@]host:port[/db] (rediss:// for TLS). */
export function connectionFromUrl(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`--queue must be a URL like redis://HOST:PORT, got "${url}"`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:")
    throw new UserError(`--queue must be a redis:// or rediss:// URL, got "${url}"`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(Number.isInteger(db) ? { db } : {}),
    ...(u.protocol === "rediss:" ? { tls: {} } : {}),
    // BullMQ workers need this; the CLI checks reachability once up front instead (openQueue).
    maxRetriesPerRequest: null,
  };
}

/** Open the queue, failing with one line when Redis cannot be reached within `timeoutMs`. */
export async function openQueue(url: string, name: string, timeoutMs = 10_000): Promise<Queue<JobData>> {
  const queue = new Queue<JobData>(name, { connection: connectionFromUrl(url) });
  queue.on("error", () => {}); // reconnects are ioredis's job; failures surface as rejected calls
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      queue.waitUntilReady(),
      new Promise((_, fail) => {
        timer = setTimeout(() => fail(new Error("timed out")), timeoutMs);
      }),
    ]);
    return queue;
  } catch (err) {
    await queue.close().catch(() => {});
    throw new UserError(`cannot reach Redis at ${url} (${(err as Error).message})`);
  } finally {
    clearTimeout(timer);
  }
}

export interface QueueCounts {
  waiting: number;
  active: number;
  done: number;
  failed: number;
  delayed: number;
}

/** Every state a job of ours can be in. */
const JOB_STATES = ["waiting", "active", "completed", "failed", "delayed", "prioritized", "paused"] as const;

async function totalJobs(queue: Queue): Promise<number> {
  const c = await queue.getJobCounts(...JOB_STATES);
  return Object.values(c).reduce((a, b) => a + b, 0);
}

export async function queueCounts(queue: Queue): Promise<QueueCounts> {
  const c = await queue.getJobCounts(...JOB_STATES);
  return {
    waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.paused ?? 0),
    active: c.active ?? 0,
    done: c.completed ?? 0,
    failed: c.failed ?? 0,
    delayed: c.delayed ?? 0,
  };
}

/** What `--clean` removes: finished jobs (done and failed), or every job of the queue. */
export const CLEAN_KINDS = ["finished", "all"] as const;
export type CleanKind = (typeof CLEAN_KINDS)[number];

/**
 * Remove a queue's jobs from Redis. `finished`: done and failed jobs (their results stay in the ledger,
 * which is what a rerun skips by); `all`: the whole queue (BullMQ obliterate), refused while jobs are
 * active unless `force`, since their workers would then finish into a queue that no longer exists.
 */
export async function cleanQueue(queue: Queue, kind: CleanKind, force = false): Promise<number> {
  if (kind === "finished") {
    let removed = 0;
    for (const state of ["completed", "failed"] as const) {
      // clean() removes at most `limit` a call: loop until nothing is left.
      for (;;) {
        const ids = await queue.clean(0, 10_000, state);
        removed += ids.length;
        if (ids.length === 0) break;
      }
    }
    return removed;
  }
  const before = await totalJobs(queue);
  const active = (await queueCounts(queue)).active;
  if (active > 0 && !force)
    throw new UserError(
      `queue "${queue.name}" has ${active} active job(s): stop the workers first, or add --force to remove it anyway`,
    );
  await queue.obliterate({ force: true });
  return before;
}

export interface EnqueueOptions {
  items: readonly BatchItem[];
  work: WorkSpec;
  out: string;
  attempts: number;
  force?: boolean;
  /** Provider limit across every worker (BullMQ's global rate limiter). */
  requestsPerMinute?: number;
  onSkip?: (item: BatchItem) => void;
  onFailed?: (rec: LedgerRecord) => void;
}

export interface Enqueued {
  /** Job id → item, for every item that has (or already had) a job. */
  jobs: Map<string, BatchItem>;
  skipped: number;
  /** Items that could not be read (missing file…), recorded in the ledger as failed. */
  failed: number;
  added: number;
}

/** Hash every item and add one job per item not done yet; re-adding an existing job id is a no-op. */
export async function enqueue(queue: Queue<JobData>, o: EnqueueOptions): Promise<Enqueued> {
  const out = resolve(o.out);
  const ledgerPath = join(out, LEDGER_FILE);
  const done = o.force ? new Map<string, LedgerRecord>() : await ledgerIndex(ledgerPath);
  const ledger = new LedgerWriter(ledgerPath);
  if (o.requestsPerMinute)
    // One job per 60/N s, held in Redis for every worker: a smooth limit, not a burst of N each minute.
    await queue.setGlobalRateLimit(1, Math.max(1, Math.round(60_000 / o.requestsPerMinute)));
  const jobs = new Map<string, BatchItem>();
  let skipped = 0;
  let failed = 0;
  let added = 0;
  const pending: { name: string; data: JobData; opts: { jobId: string } & Record<string, unknown> }[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending.splice(0);
    if (o.force) await Promise.all(batch.map((j) => queue.remove(j.opts.jobId).catch(() => 0)));
    // Jobs are never removed here, so the total grows by exactly the jobs that were new.
    const before = await totalJobs(queue);
    await queue.addBulk(batch);
    added += Math.max(0, (await totalJobs(queue)) - before);
  };
  // Read and hash a few items at a time (I/O bound: local disk, a shared filesystem or URLs).
  let next = 0;
  const lane = async () => {
    while (next < o.items.length) {
      const item = o.items[next++]!;
      const optHash = optionsHash(o.work, item);
      let contentHash: string;
      try {
        contentHash = await itemContentHash(item, await readInput(item.input));
      } catch (err) {
        failed++;
        const rec: LedgerRecord = {
          input: item.input,
          name: item.name,
          contentHash: "",
          optionsHash: optHash,
          status: "failed",
          at: new Date().toISOString(),
          timings: { total: 0 },
          error: (err as Error).message,
        };
        await ledger.append(rec);
        o.onFailed?.(rec);
        continue;
      }
      if (await alreadyDone(done, out, ledgerKey({ name: item.name, contentHash, optionsHash: optHash }))) {
        skipped++;
        o.onSkip?.(item);
        continue;
      }
      const jobId = jobIdOf(contentHash, optHash, item.name);
      jobs.set(jobId, item);
      pending.push({
        name: "item",
        data: { item, work: o.work, out, contentHash, optionsHash: optHash, enqueuedAt: Date.now() },
        opts: {
          jobId,
          attempts: o.attempts,
          backoff: { type: "exponential", delay: 1000 },
          removeOnComplete: false,
          removeOnFail: false,
        },
      });
      if (pending.length >= 500) await flush();
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  await flush();
  await ledger.flush();
  return { jobs, skipped, failed, added };
}

/** The ledger line of a finished job. */
function recordOf(job: Job<JobData, JobResult>, status: "done" | "failed"): LedgerRecord {
  const d = job.data;
  const r = job.returnvalue;
  const finished = job.finishedOn ?? Date.now();
  const base = {
    input: d.item.input,
    name: d.item.name,
    optionsHash: d.optionsHash,
    jobId: job.id,
    attempts: job.attemptsMade,
    at: new Date(finished).toISOString(),
  };
  if (status === "done" && r) {
    return {
      ...base,
      contentHash: r.contentHash,
      status,
      timings: r.timings,
      marks: r.marks,
      outputs: r.outputs,
      worker: r.worker,
    };
  }
  return {
    ...base,
    contentHash: d.contentHash,
    status: "failed",
    timings: { total: finished - (job.processedOn ?? finished) },
    error: job.failedReason || "failed",
    ...(job.processedBy ? { worker: job.processedBy } : {}),
  };
}

export interface FollowOptions {
  out: string;
  jobs: ReadonlyMap<string, BatchItem>;
  progress?: Progress;
  signal?: AbortSignal;
  pollMs?: number;
}

/**
 * Wait until every job in `jobs` has finished, writing one ledger line per job (jobs the ledger already
 * records, by job id, are not written again). Returns the counts of this follow.
 */
export async function follow(
  queue: Queue<JobData>,
  o: FollowOptions,
): Promise<Pick<BatchSummary, "done" | "failed" | "p50Ms" | "p95Ms" | "failures"> & { left: number }> {
  const ledgerPath = join(resolve(o.out), LEDGER_FILE);
  const recorded = new Set<string>();
  for (const r of (await ledgerIndex(ledgerPath)).values()) if (r.jobId) recorded.add(r.jobId);
  const ledger = new LedgerWriter(ledgerPath);
  const left = new Set([...o.jobs.keys()].filter((id) => !recorded.has(id)));
  const offsets = { completed: 0, failed: 0 };
  const times: number[] = [];
  const failures: BatchSummary["failures"] = [];
  let done = 0;
  let failed = 0;
  let ticks = 0;
  while (left.size > 0 && !o.signal?.aborted) {
    // Finish times come from each worker's clock: rescan now and then, so a skewed clock cannot hide a job.
    if (++ticks % 20 === 0) offsets.completed = offsets.failed = 0;
    for (const state of ["completed", "failed"] as const) {
      // Finished sets are ordered by finish time, so new entries come after the offset.
      for (;;) {
        const page = (await queue.getJobs([state], offsets[state], offsets[state] + 499, true)) as Job<
          JobData,
          JobResult
        >[];
        offsets[state] += page.length;
        for (const job of page) {
          if (!job?.id || !left.has(job.id)) continue;
          left.delete(job.id);
          if (recorded.has(job.id)) continue;
          recorded.add(job.id);
          const rec = recordOf(job, state === "completed" ? "done" : "failed");
          await ledger.append(rec);
          if (rec.status === "done") {
            done++;
            times.push(rec.timings.total);
          } else {
            failed++;
            failures.push({ input: rec.input, error: rec.error ?? "failed" });
          }
          o.progress?.item(rec);
        }
        if (page.length < 500) break;
      }
    }
    if (left.size > 0) await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
  }
  await ledger.flush();
  times.sort((a, b) => a - b);
  return {
    done,
    failed,
    p50Ms: percentile(times, 0.5),
    p95Ms: percentile(times, 0.95),
    failures,
    left: left.size,
  };
}

export interface WorkerOptions {
  url: string;
  queueName: string;
  concurrency?: number;
  pool?: PoolKind;
  /** Seconds a job's lock lasts without renewal; a worker silent that long has its job taken over. */
  lockSeconds?: number;
  /** Times a job may stall (its worker died) before it fails. */
  maxStalled?: number;
  onJob?: (line: string) => void;
}

export interface RunningWorker {
  /** Finish the jobs in hand, then stop. */
  close(): Promise<void>;
}

/**
 * A `som worker`: `concurrency` BullMQ job slots in this process, each item run on a pool of worker
 * threads (the CPU-bound work never blocks the event loop, so locks are renewed on time). The pool is
 * made per work spec (the first job of a batch loads its proposer once per thread).
 */
export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const concurrency = o.concurrency ?? availableParallelism();
  const pools = new Map<string, WorkPool>();
  const poolFor = (work: WorkSpec) => {
    const key = sha256(JSON.stringify(work));
    let p = pools.get(key);
    if (!p) {
      p = new WorkPool(o.pool ?? "thread", concurrency, work);
      pools.set(key, p);
    }
    return p;
  };
  const lockDuration = (o.lockSeconds ?? 30) * 1000;
  const worker = new Worker<JobData, JobResult>(
    o.queueName,
    async (job) => {
      const startedAt = Date.now();
      const t0 = performance.now();
      const { item, work, out } = job.data;
      const bytes = await readInput(item.input);
      const read = performance.now() - t0;
      const contentHash = await itemContentHash(item, bytes);
      const hash = performance.now() - t0 - read;
      const r = await poolFor(work).run(item, bytes, out);
      if (!r.ok) throw new Error(r.error);
      const total = performance.now() - t0;
      o.onJob?.(`${item.input}: ${r.marks} marks (${Math.round(total)} ms, attempt ${job.attemptsMade + 1})`);
      return {
        contentHash,
        marks: r.marks,
        outputs: r.outputs,
        timings: { read, hash, work: r.workMs, total },
        worker: r.worker,
        startedAt,
      };
    },
    {
      connection: connectionFromUrl(o.url),
      concurrency,
      lockDuration,
      stalledInterval: lockDuration,
      maxStalledCount: o.maxStalled ?? 2,
      name: `${process.pid}`,
    },
  );
  worker.on("error", () => {}); // connection errors: ioredis reconnects
  worker.on("failed", (job, err) => o.onJob?.(`${job?.data.item.input ?? "?"}: failed (${err.message})`));
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await Promise.all([...pools.values()].map((p) => p.close()));
    },
  };
}
