/** The actions of `som batch` (loaded only when it runs, so `som --help` never loads BullMQ or the pool). */
import { join, resolve } from "node:path";
import { expandInputs } from "../../batch/inputs.js";
import { LEDGER_FILE } from "../../batch/ledger.js";
import { createProgress } from "../../batch/progress.js";
import { type CleanKind, cleanQueue, enqueue, follow, openQueue, queueCounts } from "../../batch/queue.js";
import { type BatchSummary, formatSummary, runBatch } from "../../batch/run.js";
import type { WorkSpec } from "../../batch/types.js";
import { checkWork } from "../../batch/work.js";
import { UserError } from "../../errors.js";
import type { PoolKind } from "../../batch/pool.js";

/** Flags of the batch machinery itself (the work's own flags are those of `som mark` / `som task`). */
export interface BatchCliFlags {
  out: string;
  concurrency?: number;
  pool: PoolKind;
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
  requestsPerMinute?: number;
  queue?: string;
  queueName: string;
  detach?: boolean;
  status?: boolean;
  clean?: CleanKind;
  attempts: number;
  [key: string]: unknown;
}

export async function runBatchCommand(
  work: WorkSpec,
  inputs: string[],
  opts: BatchCliFlags,
): Promise<number> {
  if (opts.queue) return runQueueCommand(opts, work, inputs);
  const queueOnly = opts.status ? "status" : opts.clean ? "clean" : opts.detach ? "detach" : undefined;
  if (queueOnly) throw new UserError(`--${queueOnly} needs --queue redis://HOST:PORT`);
  if (inputs.length === 0)
    throw new UserError("give at least one input (folder, glob, list file, image, URL or data set)");
  await checkWork(work);
  const items = await expandInputs(inputs, { forMark: work.kind === "mark", task: work.kind });
  if (items.length === 0) throw new UserError(`no images in ${inputs.join(", ")}`);
  const progress = createProgress({ total: items.length, quiet: opts.quiet || opts.json });
  const stop = new AbortController();
  let pressed = 0;
  const onSigint = () => {
    pressed++;
    if (pressed === 1) stop.abort();
    else {
      process.stderr.write(
        "\nsom: stopped; items in flight are dropped (their outputs are never half-written)\n",
      );
      process.exit(130);
    }
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);
  try {
    const summary = await runBatch({
      items,
      work,
      out: opts.out,
      concurrency: opts.concurrency,
      pool: opts.pool,
      force: opts.force,
      requestsPerMinute: opts.requestsPerMinute,
      signal: stop.signal,
      progress,
    });
    if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else if (!opts.quiet) process.stderr.write(formatSummary(summary));
    if (summary.interrupted) return 130;
    return summary.failed > 0 ? 1 : 0;
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }
}

/** `--queue`: enqueue (unless --status) and follow (unless --detach); the ledger is written by the follower. */
export async function runQueueCommand(
  opts: BatchCliFlags,
  work: WorkSpec | undefined,
  inputs: string[],
): Promise<number> {
  const queue = await openQueue(opts.queue!, opts.queueName);
  try {
    if (opts.clean) {
      const removed = await cleanQueue(queue, opts.clean, opts.force);
      if (opts.json) process.stdout.write(`${JSON.stringify({ removed, clean: opts.clean })}\n`);
      else
        process.stdout.write(
          `removed ${removed} ${opts.clean === "all" ? "" : "finished "}job(s) from queue "${opts.queueName}"\n`,
        );
      return 0;
    }
    if (opts.status) {
      const c = await queueCounts(queue);
      if (opts.json) process.stdout.write(`${JSON.stringify(c)}\n`);
      else
        process.stdout.write(
          `waiting ${c.waiting}  active ${c.active}  done ${c.done}  failed ${c.failed}  delayed (retrying) ${c.delayed}\n`,
        );
      return 0;
    }
    if (!work || inputs.length === 0)
      throw new UserError(
        "give the work and its inputs: som batch mark|classify|refer|ground|ask|track INPUT... --queue URL",
      );
    await checkWork(work);
    const items = await expandInputs(inputs, { forMark: work.kind === "mark", task: work.kind });
    if (items.length === 0) throw new UserError(`no images in ${inputs.join(", ")}`);
    const quiet = opts.quiet || opts.json;
    const progress = createProgress({ total: items.length, quiet });
    const t0 = performance.now();
    const q = await enqueue(queue, {
      items,
      work,
      out: opts.out,
      attempts: opts.attempts,
      force: opts.force,
      requestsPerMinute: opts.requestsPerMinute,
      onSkip: (it) => progress.item({ skipped: it.input }),
      onFailed: (rec) => progress.item(rec),
    });
    progress.note(
      `${q.jobs.size} jobs on ${opts.queue} (${opts.queueName}): ${q.added} new, ${q.jobs.size - q.added} already there; ${q.skipped} done before`,
    );
    if (opts.detach) {
      progress.end();
      if (opts.json)
        process.stdout.write(
          `${JSON.stringify({ jobs: q.jobs.size, added: q.added, skipped: q.skipped, failed: q.failed })}\n`,
        );
      return q.failed > 0 ? 1 : 0;
    }
    const stop = new AbortController();
    const onSigint = () => stop.abort();
    process.once("SIGINT", onSigint);
    const f = await follow(queue, { out: opts.out, jobs: q.jobs, progress, signal: stop.signal }).finally(
      () => process.off("SIGINT", onSigint),
    );
    progress.end();
    const wallSeconds = (performance.now() - t0) / 1000;
    const summary: BatchSummary = {
      total: items.length,
      done: f.done,
      skipped: q.skipped + (q.jobs.size - f.done - f.failed - f.left),
      failed: f.failed + q.failed,
      notRun: f.left,
      interrupted: stop.signal.aborted,
      wallSeconds,
      imagesPerSecond: f.done / Math.max(wallSeconds, 1e-9),
      p50Ms: f.p50Ms,
      p95Ms: f.p95Ms,
      overheadMs: 0,
      ledger: join(resolve(opts.out), LEDGER_FILE),
      failures: f.failures,
    };
    if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else if (!opts.quiet) {
      process.stderr.write(formatSummary(summary));
      if (summary.interrupted)
        process.stderr.write("  stopped following; the jobs stay queued (rerun to follow again)\n");
    }
    if (summary.interrupted) return 130;
    return summary.failed > 0 ? 1 : 0;
  } finally {
    await queue.close();
  }
}
