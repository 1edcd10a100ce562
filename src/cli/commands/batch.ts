import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { type Command, Option } from "commander";
import { expandInputs } from "../../batch/inputs.js";
import { POOL_KINDS, type PoolKind } from "../../batch/pool.js";
import { createProgress } from "../../batch/progress.js";
import { LEDGER_FILE } from "../../batch/ledger.js";
import { enqueue, follow, openQueue, queueCounts } from "../../batch/queue.js";
import { type BatchSummary, formatSummary, runBatch } from "../../batch/run.js";
import { type BatchTask, BATCH_TASKS, type WorkSpec } from "../../batch/types.js";
import { checkWork } from "../../batch/work.js";
import { UserError } from "../../errors.js";
import { parsePositiveInt, parsePositiveNumber } from "../options.js";
import { addMarkingOptions, addModelOptions } from "./ask.js";
import { addMarkFlags } from "./mark.js";
import type { SetExit } from "./set-exit.js";

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
  attempts: number;
  [key: string]: unknown;
}

const INPUTS_HELP =
  "folders (recursive), globs, list files (one path or URL a line), images, URLs, or som eval data sets (coco-panoptic:DIR, refer:DIR, flickr30k:DIR, …)";

/**
 * The flags of the batch machinery, on `som batch` itself: commander reads a parent's options before and
 * after the subcommand, so `som batch mark DIR -j 2` and `som batch -j 2 mark DIR` are the same, and
 * `som batch --queue URL --status` needs no subcommand. The work's own flags are on the subcommand.
 */
function addBatchFlags(cmd: Command): Command {
  return cmd
    .option(
      "-j, --concurrency <n>",
      `items in flight at once (default: the number of cores, ${availableParallelism()} here)`,
      parsePositiveInt("--concurrency"),
    )
    .addOption(
      new Option("--pool <kind>", "thread (default) or process workers")
        .choices([...POOL_KINDS])
        .default("thread"),
    )
    .option("--force", "redo items already done with the same content and options")
    .option("--json", "print the summary as JSON on stdout")
    .option(
      "--requests-per-minute <n>",
      "start at most N items a minute (provider limit; across all workers with --queue)",
      parsePositiveNumber("--requests-per-minute"),
    )
    .option(
      "--queue <redis-url>",
      "enqueue the items on a Redis queue (BullMQ) for `som worker`s: redis://HOST:PORT",
    )
    .option("--queue-name <name>", "BullMQ queue name", "som-batch")
    .option("--detach", "with --queue: enqueue and return, do not follow progress")
    .option("--status", "with --queue: print waiting / active / done / failed counts and exit")
    .option(
      "--attempts <n>",
      "with --queue: tries per item before it is reported failed",
      parsePositiveInt("--attempts"),
      3,
    );
}

/** `som batch mark|classify|refer|ground|ask INPUT...`: the work of `som mark` / `som task` over many inputs. */
export function registerBatch(program: Command, setExit: SetExit): void {
  const batch = program
    .command("batch")
    .description(
      "mark (or run a task on) many images: resumable, parallel, with a ledger (--out/batch.jsonl); --queue spreads it over `som worker`s",
    );
  addBatchFlags(batch).action(async (opts: BatchCliFlags) => {
    if (!opts.status)
      throw new UserError(
        "give the work: som batch mark|classify|refer|ground|ask INPUT... (or --queue URL --status)",
      );
    setExit(await runQueueCommand(opts, undefined, []));
  });

  const mark = batch
    .command("mark")
    .description("som mark over every input: writes <out>/<name>.som.png and .som.json per item")
    .argument("[inputs...]", INPUTS_HELP);
  mark.option("-o, --out <dir>", "output folder (also holds batch.jsonl, the ledger)", ".");
  addMarkFlags(mark).action(async (inputs: string[], _o: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<BatchCliFlags>();
    setExit(await runBatchCommand({ kind: "mark", options: workOptions(opts) }, inputs, opts));
  });

  const taskArgs: Record<BatchTask, (c: Command) => Command> = {
    classify: (c) => c.requiredOption("--vocab <name|file>", "coco, ade20k, or a file of category names"),
    refer: (c) => c.option("--expression <text>", "the referring expression (data sets give one per item)"),
    ground: (c) =>
      c
        .option("--sentence <text>", "the sentence (data sets give one per item)")
        .option("--phrases <list>", 'phrases to ground, separated by ";"'),
    ask: (c) => c.requiredOption("--question <text>", "the question asked of every image"),
  };
  for (const task of BATCH_TASKS) {
    const cmd = batch
      .command(task)
      .description(`som task ${task} over every input (ask: som ask); outputs as that command writes them`)
      .argument("[inputs...]", INPUTS_HELP);
    taskArgs[task](cmd);
    addModelOptions(cmd);
    addMarkingOptions(cmd, { masks: true, labels: "numeric" });
    cmd.action(async (inputs: string[], _o: unknown, c: Command) => {
      const opts = c.optsWithGlobals<BatchCliFlags>();
      setExit(await runBatchCommand({ kind: task, options: workOptions(opts) }, inputs, opts));
    });
  }
}

/** The parsed flags that travel to the workers (JSON-safe: commander gives plain values). */
function workOptions(opts: BatchCliFlags): Record<string, unknown> {
  return JSON.parse(JSON.stringify(opts)) as Record<string, unknown>;
}

async function runBatchCommand(work: WorkSpec, inputs: string[], opts: BatchCliFlags): Promise<number> {
  if (opts.queue) return runQueueCommand(opts, work, inputs);
  if (opts.status || opts.detach)
    throw new UserError(`--${opts.status ? "status" : "detach"} needs --queue redis://HOST:PORT`);
  if (inputs.length === 0)
    throw new UserError("give at least one input (folder, glob, list file, image, URL or data set)");
  await checkWork(work);
  const items = await expandInputs(inputs, { forMark: work.kind === "mark" });
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
async function runQueueCommand(
  opts: BatchCliFlags,
  work: WorkSpec | undefined,
  inputs: string[],
): Promise<number> {
  const queue = await openQueue(opts.queue!, opts.queueName);
  try {
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
        "give the work and its inputs: som batch mark|classify|refer|ground|ask INPUT... --queue URL",
      );
    await checkWork(work);
    const items = await expandInputs(inputs, { forMark: work.kind === "mark" });
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
