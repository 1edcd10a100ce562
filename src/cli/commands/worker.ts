import { availableParallelism } from "node:os";
import { type Command, Option } from "commander";
import { POOL_KINDS, type PoolKind } from "../../batch/pool.js";
import { UserError } from "../../errors.js";
import { DEFAULT_QUEUE_NAME } from "../defaults.js";
import { parsePositiveInt, parsePositiveNumber } from "../options.js";
import type { SetExit } from "./set-exit.js";

interface WorkerCliOptions {
  queue?: string;
  queueName: string;
  concurrency?: number;
  pool: PoolKind;
  lockDuration: number;
  maxStalled: number;
  quiet?: boolean;
}

/** `som worker --queue redis://HOST:PORT`: run the jobs `som batch --queue` enqueued, until stopped. */
export function registerWorker(program: Command, _setExit: SetExit): void {
  program
    .command("worker")
    .description("run som batch jobs from a Redis queue (BullMQ); start one per machine, stop with Ctrl-C")
    .requiredOption("--queue <redis-url>", "the queue's Redis: redis://HOST:PORT")
    .option("--queue-name <name>", "BullMQ queue name", DEFAULT_QUEUE_NAME)
    .option(
      "-j, --concurrency <n>",
      `jobs at once, one worker thread each (default: the number of cores, ${availableParallelism()} here)`,
      parsePositiveInt("--concurrency"),
    )
    .addOption(
      new Option("--pool <kind>", "thread (default) or process workers")
        .choices([...POOL_KINDS])
        .default("thread"),
    )
    .option(
      "--lock-duration <s>",
      "seconds a job stays locked without renewal; a dead worker's job is taken over after about this long",
      parsePositiveNumber("--lock-duration"),
      30,
    )
    .option(
      "--max-stalled <n>",
      "times a job may lose its worker before it fails",
      parsePositiveInt("--max-stalled"),
      2,
    )
    .option("-q, --quiet", "no line per job")
    .action(async (opts: WorkerCliOptions) => {
      if (!opts.queue) throw new UserError("--queue redis://HOST:PORT is required");
      const log = (m: string) => {
        if (!opts.quiet) process.stderr.write(`som worker: ${m}\n`);
      };
      const { startWorker } = await import("../../batch/queue.js");
      const worker = await startWorker({
        url: opts.queue,
        queueName: opts.queueName,
        concurrency: opts.concurrency,
        pool: opts.pool,
        lockSeconds: opts.lockDuration,
        maxStalled: opts.maxStalled,
        onJob: log,
      });
      log(`pid ${process.pid} waiting for jobs on ${opts.queue} (${opts.queueName})`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          log("stopping: finishing the jobs in hand (Ctrl-C again to drop them; they will be redone)");
          process.once("SIGINT", () => process.exit(130));
          resolve();
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await worker.close();
    });
}
