/**
 * `som batch` on one machine: every item through a pool of workers, resumable through the ledger.
 */
import { mkdir, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { itemContentHash, optionsHash } from "./hash.js";
import { LEDGER_FILE, LedgerWriter, ledgerKey, readLedger } from "./ledger.js";
import { type PoolKind, WorkPool } from "./pool.js";
import type { Progress } from "./progress.js";
import { readInput } from "./read-input.js";
import type { BatchItem, LedgerRecord, WorkSpec } from "./types.js";

export interface BatchOptions {
  items: readonly BatchItem[];
  work: WorkSpec;
  out: string;
  /** Items in flight at once (default: the number of cores). */
  concurrency?: number;
  pool?: PoolKind;
  /** Redo items already done. */
  force?: boolean;
  /** Start at most this many items per minute (task work: one provider request per item). */
  requestsPerMinute?: number;
  /** Abort: start no new item; the ones in flight finish. */
  signal?: AbortSignal;
  progress?: Progress;
}

export interface BatchSummary {
  total: number;
  done: number;
  skipped: number;
  failed: number;
  /** Items not started (or dropped in flight) because the batch was stopped. */
  notRun: number;
  interrupted: boolean;
  wallSeconds: number;
  imagesPerSecond: number;
  /** Per-item wall time of the items done in this run, ms. */
  p50Ms: number;
  p95Ms: number;
  /** Mean of (item wall time − work inside the worker), ms: reading, hashing, transfer, ledger. */
  overheadMs: number;
  ledger: string;
  failures: { input: string; error: string }[];
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** Has an earlier run finished this item with these options, with every output still there? */
export async function alreadyDone(
  done: ReadonlyMap<string, LedgerRecord>,
  out: string,
  key: string,
): Promise<boolean> {
  const rec = done.get(key);
  if (rec?.status !== "done") return false;
  for (const f of rec.outputs ?? []) {
    if (!(await stat(join(out, f)).catch(() => undefined))?.isFile()) return false;
  }
  return true;
}

/** The ledger's finished records by key (the last line of a key wins). */
export async function ledgerIndex(ledgerPath: string): Promise<Map<string, LedgerRecord>> {
  const m = new Map<string, LedgerRecord>();
  for (const r of await readLedger(ledgerPath)) m.set(ledgerKey(r), r);
  return m;
}

export async function runBatch(o: BatchOptions): Promise<BatchSummary> {
  const out = resolve(o.out);
  await mkdir(out, { recursive: true }).catch((err: Error) => {
    throw new UserError(`cannot create output folder ${o.out}: ${err.message}`);
  });
  const ledgerPath = join(out, LEDGER_FILE);
  const done = o.force ? new Map<string, LedgerRecord>() : await ledgerIndex(ledgerPath);
  const ledger = new LedgerWriter(ledgerPath);
  const concurrency = Math.max(1, Math.min(o.concurrency ?? availableParallelism(), o.items.length || 1));
  const t0 = performance.now();
  const times: number[] = [];
  const overheads: number[] = [];
  const failures: BatchSummary["failures"] = [];
  let nDone = 0;
  let nSkipped = 0;
  let nFailed = 0;
  let next = 0;
  let pool: WorkPool | undefined;
  const getPool = () => {
    pool ??= new WorkPool(o.pool ?? "thread", concurrency, o.work);
    return pool;
  };
  const spacing = o.requestsPerMinute ? 60_000 / o.requestsPerMinute : 0;
  let nextSlot = 0;
  const waitForSlot = async () => {
    if (!spacing) return;
    const now = performance.now();
    const at = Math.max(now, nextSlot);
    nextSlot = at + spacing;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  };
  const stopped = () => o.signal?.aborted === true;

  const finish = async (rec: LedgerRecord) => {
    await ledger.append(rec);
    if (rec.status === "done") {
      nDone++;
      times.push(rec.timings.total);
      overheads.push(rec.timings.total - (rec.timings.work ?? 0));
    } else {
      nFailed++;
      failures.push({ input: rec.input, error: rec.error ?? "failed" });
    }
    o.progress?.item(rec);
  };

  const lane = async () => {
    while (!stopped() && next < o.items.length) {
      const item = o.items[next++]!;
      const started = performance.now();
      const optHash = optionsHash(o.work, item);
      const base = { input: item.input, name: item.name, optionsHash: optHash };
      let bytes: Uint8Array;
      let contentHash: string;
      const timings = { read: 0, hash: 0, work: 0, total: 0 };
      try {
        bytes = await readInput(item.input);
        timings.read = performance.now() - started;
        contentHash = await itemContentHash(item, bytes);
        timings.hash = performance.now() - started - timings.read;
      } catch (err) {
        timings.total = performance.now() - started;
        await finish({
          ...base,
          contentHash: "",
          status: "failed",
          at: new Date().toISOString(),
          timings,
          error: (err as Error).message,
        });
        continue;
      }
      const key = ledgerKey({ name: item.name, contentHash, optionsHash: optHash });
      if (await alreadyDone(done, out, key)) {
        nSkipped++;
        o.progress?.item({ skipped: item.input });
        continue;
      }
      await waitForSlot();
      if (stopped()) break;
      const r = await getPool().run(item, bytes, out);
      if (!r.ok && r.error === "interrupted") break;
      timings.work = r.workMs;
      timings.total = performance.now() - started;
      await finish({
        ...base,
        contentHash,
        status: r.ok ? "done" : "failed",
        at: new Date().toISOString(),
        timings,
        ...(r.ok ? { marks: r.marks, outputs: r.outputs } : { error: r.error }),
        worker: r.worker,
      });
    }
  };
  const onAbort = () => o.progress?.note("stopping: the items in flight finish, no new ones start");
  o.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    await ledger.flush();
    await pool?.close();
    o.progress?.end();
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  const total = o.items.length;
  return {
    total,
    done: nDone,
    skipped: nSkipped,
    failed: nFailed,
    notRun: total - nDone - nSkipped - nFailed,
    interrupted: stopped(),
    wallSeconds,
    imagesPerSecond: nDone / Math.max(wallSeconds, 1e-9),
    p50Ms: percentile(times, 0.5),
    p95Ms: percentile(times, 0.95),
    overheadMs: overheads.length ? overheads.reduce((a, b) => a + b, 0) / overheads.length : 0,
    ledger: ledgerPath,
    failures,
  };
}

/** The summary as a few lines for people. */
export function formatSummary(s: BatchSummary): string {
  const lines = [
    `som batch: ${s.done} done, ${s.skipped} skipped, ${s.failed} failed${s.notRun ? `, ${s.notRun} not run (stopped)` : ""} of ${s.total} in ${s.wallSeconds.toFixed(1)} s`,
  ];
  if (s.done)
    lines.push(
      `  ${s.imagesPerSecond.toFixed(2)} images/s; per item p50 ${Math.round(s.p50Ms)} ms, p95 ${Math.round(s.p95Ms)} ms`,
    );
  for (const f of s.failures.slice(0, 10))
    lines.push(`  failed: ${f.error.startsWith(f.input) ? f.error : `${f.input}: ${f.error}`}`);
  if (s.failures.length > 10) lines.push(`  … and ${s.failures.length - 10} more (see ${s.ledger})`);
  lines.push(`  ledger: ${s.ledger}`);
  return `${lines.join("\n")}\n`;
}
