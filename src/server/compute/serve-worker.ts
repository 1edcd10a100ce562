import { parentPort, workerData } from "node:worker_threads";
import { toHttpError } from "../errors.js";
import { ComputeContext } from "./context.js";
import { handleJob } from "./handle-job.js";
import type { ComputeJob, JobMessage, ReplyMessage, WorkerData, WorkerError } from "./protocol.js";

/** Runs before each job; tests use it to inject a slow job or a crash. */
export type JobHook = (job: ComputeJob) => void | Promise<void>;

function toWorkerError(err: unknown): WorkerError {
  const e = toHttpError(err);
  return {
    status: e.status,
    code: e.code,
    message: e.message,
    headers: e.headers,
    ...(e.status === 500 ? { stack: (err as Error)?.stack ?? String(err) } : {}),
  };
}

/** The body of a compute worker: answer each job message from the pool (one job at a time). */
export function serveWorker(before?: JobHook): void {
  const port = parentPort;
  if (!port) throw new Error("serveWorker() must run in a worker thread");
  const ctx = new ComputeContext((workerData as WorkerData).settings);
  port.on("message", async ({ seq, job }: JobMessage) => {
    let reply: ReplyMessage;
    try {
      await before?.(job);
      reply = { seq, ok: true, value: await handleJob(ctx, job), held: ctx.images.ids() };
    } catch (err) {
      reply = { seq, ok: false, error: toWorkerError(err), held: ctx.images.ids() };
    }
    port.postMessage(reply);
  });
}
