import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { HttpError } from "../errors.js";
import { imageNotFound } from "../image-store.js";
import type { ComputeSettings } from "./context.js";
import type { ComputeJob, JobOf, JobResults, ReplyMessage, WorkerData } from "./protocol.js";

export interface WorkerPoolOptions {
  /** Worker threads (each runs one job at a time). */
  size: number;
  /** Settings of every worker; `cacheBytes` is each worker's own share. */
  settings: ComputeSettings;
  /** Worker entry module (default: ./worker.js beside this file, ./worker.ts under tsx). Tests wrap it. */
  entry?: URL;
  log?: (line: string) => void;
}

interface Pending {
  seq: number;
  job: ComputeJob;
  /** The image the job is about: jobs are sent to the worker that holds it. */
  imageId?: string;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Slot {
  index: number;
  worker: Worker;
  busy?: Pending;
}

/**
 * Started inside the worker with `eval`, so the same code loads compiled .js entries (the package) and
 * TypeScript entries (tests, `tsx`): for a .ts entry it first registers tsx's loader in the thread
 * (`execArgv: ["--import", "tsx"]` is not enough on Node 20: the entry is resolved before the hooks are).
 */
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})();
`;

function defaultEntry(): URL {
  const self = import.meta.url;
  return new URL(self.endsWith(".ts") ? "./worker.ts" : "./worker.js", self);
}

/** tsx's ESM registration API, as a file URL (only needed, and only looked up, for .ts entries). */
function tsxRegisterUrl(): string {
  const pkg = createRequire(import.meta.url).resolve("tsx/package.json");
  return pathToFileURL(join(dirname(pkg), "dist", "esm", "api", "index.mjs")).href;
}

/**
 * CPU-heavy work (decoding, region hierarchies, label allocation, rendering, PNG encoding) runs in a fixed
 * set of worker threads, so the main thread stays free to parse requests and answer at once. Each worker
 * keeps its own image cache; a job about an image goes to the worker that holds it (the hierarchy is built
 * once and reused for slider moves), a new image to the idle worker holding the fewest. A job whose
 * request is aborted (deadline, client gone) has its worker terminated and replaced; so does a crash.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  /** Image id → index of the worker holding it (as the worker last reported). */
  private readonly pins = new Map<string, number>();
  private readonly entry: URL;
  private readonly tsx?: string;
  private seq = 0;
  private closed = false;
  restarts = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    this.entry = options.entry ?? defaultEntry();
    if (this.entry.pathname.endsWith(".ts")) this.tsx = tsxRegisterUrl();
    for (let i = 0; i < Math.max(1, options.size); i++) this.slots.push({ index: i, worker: this.spawn(i) });
  }

  get size(): number {
    return this.slots.length;
  }

  get stats() {
    return {
      workers: this.slots.length,
      busy: this.slots.filter((s) => s.busy).length,
      waiting: this.queue.length,
      restarts: this.restarts,
    };
  }

  /** Whether some worker holds this image. */
  holds(imageId: string): boolean {
    return this.pins.has(imageId);
  }

  /** Run a job on a worker; rejects with the job's HttpError, a 500 if the worker crashed, or the abort reason. */
  run<O extends ComputeJob["op"]>(
    job: JobOf<O>,
    imageId?: string,
    signal?: AbortSignal,
  ): Promise<JobResults[O]> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new HttpError(503, "shutting_down", "the server is shutting down"));
      if (signal?.aborted) return reject(signal.reason);
      const p: Pending = {
        seq: ++this.seq,
        job,
        imageId,
        resolve: resolve as (v: unknown) => void,
        reject,
        signal,
      };
      if (signal) {
        p.onAbort = () => this.abort(p);
        signal.addEventListener("abort", p.onAbort, { once: true });
      }
      this.queue.push(p);
      this.pump();
    });
  }

  /** Terminate every worker; queued jobs are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0))
      this.settle(p, false, new HttpError(503, "shutting_down", "the server is shutting down"));
    await Promise.all(
      this.slots.map((s) => {
        if (s.busy)
          this.settle(s.busy, false, new HttpError(503, "shutting_down", "the server is shutting down"));
        s.busy = undefined;
        return s.worker.terminate();
      }),
    );
  }

  private spawn(index: number): Worker {
    const data: WorkerData & { tsx?: string } = {
      entry: this.entry.href,
      settings: this.options.settings,
      ...(this.tsx ? { tsx: this.tsx } : {}),
    };
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: data });
    worker.unref(); // an idle pool does not keep the process alive
    let error: unknown;
    worker.on("error", (err) => {
      error = err;
    });
    worker.on("message", (reply: ReplyMessage) => this.onReply(index, worker, reply));
    worker.on("exit", (code) => this.onExit(index, worker, code, error));
    return worker;
  }

  private pump(): void {
    for (let i = 0; i < this.queue.length; ) {
      const p = this.queue[i];
      const pinned = p.imageId !== undefined ? this.pins.get(p.imageId) : undefined;
      let slot: Slot | undefined;
      if (pinned !== undefined) {
        slot = this.slots[pinned].busy ? undefined : this.slots[pinned];
      } else if ("imageId" in p.job.source) {
        // Asked for by id, but no worker holds it (evicted, or its worker was replaced).
        this.queue.splice(i, 1);
        this.settle(p, false, imageNotFound(p.job.source.imageId));
        continue;
      } else {
        slot = this.leastLoadedIdle();
      }
      if (!slot) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      slot.busy = p;
      if (p.imageId !== undefined) this.pins.set(p.imageId, slot.index);
      slot.worker.ref(); // a running job keeps the process alive until it answers
      slot.worker.postMessage({ seq: p.seq, job: p.job });
    }
  }

  private leastLoadedIdle(): Slot | undefined {
    const held = new Map<number, number>();
    for (const i of this.pins.values()) held.set(i, (held.get(i) ?? 0) + 1);
    let best: Slot | undefined;
    for (const s of this.slots) {
      if (!s.busy && (!best || (held.get(s.index) ?? 0) < (held.get(best.index) ?? 0))) best = s;
    }
    return best;
  }

  private onReply(index: number, worker: Worker, reply: ReplyMessage): void {
    const slot = this.slots[index];
    if (slot.worker !== worker || slot.busy?.seq !== reply.seq) return; // a replaced worker's late answer
    const p = slot.busy;
    slot.busy = undefined;
    worker.unref();
    const held = new Set(reply.held);
    for (const [id, i] of this.pins) if (i === index && !held.has(id)) this.pins.delete(id);
    for (const id of held) this.pins.set(id, index);
    if (reply.ok) this.settle(p, true, reply.value);
    else {
      const e = reply.error;
      this.settle(
        p,
        false,
        e.stack !== undefined
          ? Object.assign(new Error(e.message), { stack: `(in a compute worker) ${e.stack}` })
          : new HttpError(e.status, e.code, e.message, e.headers),
      );
    }
    this.pump();
  }

  private onExit(index: number, worker: Worker, code: number, error: unknown): void {
    const slot = this.slots[index];
    if (this.closed || slot.worker !== worker) return; // terminated on purpose
    const why = error instanceof Error ? (error.stack ?? error.message) : `exit code ${code}`;
    this.options.log?.(`compute worker ${index} crashed: ${why}`);
    const p = slot.busy;
    this.replace(slot);
    if (p) {
      this.settle(
        p,
        false,
        Object.assign(new Error("compute worker crashed"), { stack: `compute worker crashed: ${why}` }),
      );
    }
    this.pump();
  }

  private abort(p: Pending): void {
    const queued = this.queue.indexOf(p);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(p, false, p.signal?.reason);
      return;
    }
    const slot = this.slots.find((s) => s.busy === p);
    if (!slot) return;
    // Work cannot be interrupted inside a thread: end the thread, start a fresh one, free the place.
    const old = slot.worker;
    this.replace(slot);
    void old.terminate();
    this.settle(p, false, p.signal?.reason);
    this.pump();
  }

  /** A fresh worker in this slot; the images the old one held are gone. */
  private replace(slot: Slot): void {
    slot.busy = undefined;
    for (const [id, i] of this.pins) if (i === slot.index) this.pins.delete(id);
    this.restarts++;
    slot.worker = this.spawn(slot.index);
  }

  private settle(p: Pending, ok: boolean, value: unknown): void {
    if (p.onAbort) p.signal?.removeEventListener("abort", p.onAbort);
    if (ok) p.resolve(value);
    else p.reject(value);
  }
}
