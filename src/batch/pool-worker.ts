/**
 * Entry of one pool worker (a worker thread, or a child process when --pool process): makes the work's
 * state once, then runs the items the pool sends, one at a time.
 */
import { parentPort, workerData } from "node:worker_threads";
import sharp from "sharp";
import type { BatchItem, WorkSpec } from "./types.js";
import { createWorkRunner, workerLabel } from "./work.js";

export interface PoolRequest {
  id: number;
  item: BatchItem;
  bytes: Uint8Array;
  out: string;
}

export type PoolReply =
  | { id: number; ok: true; marks: number; outputs: string[]; workMs: number; worker: string }
  | { id: number; ok: false; error: string; workMs: number; worker: string };

type Send = (reply: PoolReply) => void;

// Each image is decoded once: libvips' operation cache (up to 50 MB per process) would only hold memory.
sharp.cache(false);

function serve(work: WorkSpec, send: Send, onRequest: (handler: (r: PoolRequest) => void) => void) {
  const runner = createWorkRunner(work);
  const worker = workerLabel();
  onRequest(async (req) => {
    const t0 = performance.now();
    try {
      const r = await runner.run(req.item, req.bytes, req.out);
      send({ id: req.id, ok: true, ...r, workMs: performance.now() - t0, worker });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      send({ id: req.id, ok: false, error, workMs: performance.now() - t0, worker });
    }
  });
}

if (parentPort) {
  const port = parentPort;
  serve(
    (workerData as { work: WorkSpec }).work,
    (r) => port.postMessage(r),
    (h) => port.on("message", h),
  );
} else if (process.send) {
  // The parent died (even by SIGKILL): do not outlive it.
  process.on("disconnect", () => process.exit(0));
  const work = JSON.parse(process.env.SOM_BATCH_WORK ?? "{}") as WorkSpec;
  serve(
    work,
    (r) => process.send?.(r),
    // The pool forks with serialization "advanced": bytes arrive as a Uint8Array.
    (h) => process.on("message", (m: PoolRequest) => h(m)),
  );
}
