import { availableParallelism } from "node:os";
import { type Command, Option } from "commander";
import { POOL_KINDS } from "../../batch/pool.js";
import { type BatchTask, BATCH_TASKS } from "../../batch/types.js";
import type { BatchCliFlags } from "./batch-run.js";
import { UserError } from "../../errors.js";
import { DEFAULT_QUEUE_NAME } from "../defaults.js";
import { parsePositiveInt, parsePositiveNumber } from "../options.js";
import { addMarkingOptions, addModelOptions } from "./ask.js";
import { checkFlagOwners, selectedProposer } from "../flag-owners.js";
import { addMarkFlags, checkMarkFlags } from "./mark.js";
import type { SetExit } from "./set-exit.js";

const INPUTS_HELP =
  "folders (recursive), globs, list files (one path or URL a line), images, URLs, or som eval data sets (coco-panoptic:DIR, refer:DIR, flickr30k:DIR, davis:DIR, …)";

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
    .option("--queue-name <name>", "BullMQ queue name", DEFAULT_QUEUE_NAME)
    .option("--detach", "with --queue: enqueue and return, do not follow progress")
    .option("--status", "with --queue: print waiting / active / done / failed counts and exit")
    .addOption(
      new Option(
        "--clean [what]",
        "with --queue: remove finished (done + failed) jobs from Redis, or all of the queue's jobs, and exit",
      )
        .choices(["finished", "all"])
        .preset("finished"),
    )
    .option(
      "--attempts <n>",
      "with --queue: tries per item before it is reported failed",
      parsePositiveInt("--attempts"),
      3,
    );
}

/** `som batch mark|classify|refer|ground|ask|track INPUT...`: the work of `som mark` / `som task` over many inputs. */
export function registerBatch(program: Command, setExit: SetExit): void {
  const batch = program
    .command("batch")
    .description(
      "mark (or run a task on) many images: resumable, parallel, with a ledger (--out/batch.jsonl); --queue spreads it over `som worker`s",
    );
  addBatchFlags(batch).action(async (opts: BatchCliFlags) => {
    if (!opts.status && !opts.clean)
      throw new UserError(
        "give the work: som batch mark|classify|refer|ground|ask|track INPUT... (or --queue URL --status / --clean)",
      );
    const { runQueueCommand } = await import("./batch-run.js");
    setExit(await runQueueCommand(opts, undefined, []));
  });

  const mark = batch
    .command("mark")
    .description("som mark over every input: writes <out>/<name>.som.png and .som.json per item")
    .argument("[inputs...]", INPUTS_HELP);
  mark.option("-o, --out <dir>", "output folder (also holds batch.jsonl, the ledger)", ".");
  addMarkFlags(mark).action(async (inputs: string[], _o: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<BatchCliFlags>();
    checkMarkFlags(cmd, opts);
    if (typeof opts.samModel === "string") opts.model = opts.samModel;
    const { runBatchCommand } = await import("./batch-run.js");
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
    // Frame 1 and its object masks come with each item (davis:DIR, or FRAME1 FRAME2 MASKS list lines).
    track: (c) => c,
  };
  const taskHelp: Partial<Record<BatchTask, string>> = {
    track:
      "som task track over every later frame: inputs are davis:DIR or list files of FRAME1 FRAME2 MASKS lines; writes <seq>/<frame>.answer.json and .masks.png",
  };
  for (const task of BATCH_TASKS) {
    const cmd = batch
      .command(task)
      .description(
        taskHelp[task] ??
          `som task ${task} over every input (ask: som ask); outputs as that command writes them`,
      )
      .argument("[inputs...]", INPUTS_HELP);
    taskArgs[task](cmd);
    addModelOptions(cmd);
    // Track labels frame 2's candidates with letters (frame 1's objects carry the numbers), as `som task track`.
    if (task === "track") addMarkingOptions(cmd, { masks: false, labels: "alpha" });
    else addMarkingOptions(cmd, { masks: true, labels: "numeric" });
    cmd.action(async (inputs: string[], _o: unknown, c: Command) => {
      const opts = c.optsWithGlobals<BatchCliFlags>();
      checkFlagOwners(c, selectedProposer(opts, opts.masks));
      const { runBatchCommand } = await import("./batch-run.js");
      setExit(await runBatchCommand({ kind: task, options: workOptions(opts) }, inputs, opts));
    });
  }
}

/** The parsed flags that travel to the workers (JSON-safe: commander gives plain values). */
function workOptions(opts: BatchCliFlags): Record<string, unknown> {
  return JSON.parse(JSON.stringify(opts)) as Record<string, unknown>;
}
