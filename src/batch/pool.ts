/**
 * A fixed pool of workers that run batch items: worker threads (the default) or child processes.
 *
 * Why threads: the proposers are CPU-bound JavaScript (plus sharp / canvas native code), so either pool
 * gives each core its own event loop, and bench/batch.ts measured the same throughput within noise
 * (bench/RESULTS.md "som batch"); but threads took 358 MB for 2 workers where processes took 478 MB (one
 * V8 heap per thread instead of a whole Node process with its own copy of the code and native libraries),
 * start faster, and take the input bytes as a zero-copy transfer instead of a serialized IPC message.
 * `--pool process` stays for isolation (a native crash takes down only its child). Either way a dead
 * worker is replaced and its item fails; workers that die before finishing any item break the pool.
 */
import { type ChildProcess, fork } from "node:child_process";
import { Worker } from "node:worker_threads";
import type { PoolReply, PoolRequest } from "./pool-worker.js";
import type { BatchItem, WorkSpec } from "./types.js";

export const POOL_KINDS = ["thread", "process"] as const;
export type PoolKind = (typeof POOL_KINDS)[number];

interface Slot {
  send(req: PoolRequest): void;
  kill(): Promise<void>;
  pending?: { id: number; resolve: (r: PoolReply) => void };
  /** It has finished at least one item. */
  served?: boolean;
}

const here = import.meta.url;
// Under tsx (tests, benches) this module is the .ts source; the built package runs the .js beside it.
const ENTRY = new URL(here.endsWith(".ts") ? "./pool-worker.ts" : "./pool-worker.js", here);

/**
 * The parent's flags a pool child needs: loaders (`--import tsx` under the tests and benches), memory and
 * experimental flags; never how the parent itself was started (`-e CODE`, `--input-type`).
 */
export function childExecArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (/^--(import|require|loader|experimental-loader|conditions)$/.test(a) && i + 1 < argv.length) {
      out.push(a, argv[++i]!);
    } else if (
      /^--(import|require|loader|experimental-loader|conditions)=|^--(max-|experimental-|no-|enable-)/.test(a)
    ) {
      out.push(a);
    }
  }
  return out;
}

export class WorkPool {
  private slots: Slot[] = [];
  private idle: Slot[] = [];
  private waiting: ((s: Slot | undefined) => void)[] = [];
  private deadOnStart = 0;
  private broken?: string;
  private nextId = 1;
  private closed = false;

  constructor(
    readonly kind: PoolKind,
    readonly size: number,
    private readonly work: WorkSpec,
  ) {
    for (let i = 0; i < size; i++) this.addSlot();
  }

  private addSlot(): void {
    const slot = this.kind === "thread" ? this.threadSlot() : this.processSlot();
    this.slots.push(slot);
    this.release(slot);
  }

  /**
   * A worker died (native crash, OOM): fail its item, replace it. A worker that dies without finishing a
   * single item cannot start at all: after a few of those the pool gives up and fails every item at once.
   */
  private lost(slot: Slot, why: string): void {
    if (!this.slots.includes(slot)) return;
    this.slots = this.slots.filter((s) => s !== slot);
    this.idle = this.idle.filter((s) => s !== slot);
    const p = slot.pending;
    slot.pending = undefined;
    p?.resolve({ id: p.id, ok: false, error: `worker ${why}`, workMs: 0, worker: "" });
    if (!slot.served) this.deadOnStart++;
    if (this.deadOnStart >= 3 * this.size) {
      this.broken = `workers cannot start (${why})`;
      for (const w of this.waiting.splice(0)) w(undefined);
      return;
    }
    if (!this.closed) this.addSlot();
  }

  private threadSlot(): Slot {
    // Under tsx a worker thread does not inherit its loader: register it first, then load the entry.
    const w = ENTRY.pathname.endsWith(".ts")
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((t) => { t.register(); return import(${JSON.stringify(ENTRY.href)}); })`,
          { eval: true, workerData: { work: this.work } },
        )
      : new Worker(ENTRY, { workerData: { work: this.work } });
    const slot: Slot = {
      send: (req) => w.postMessage(req, [req.bytes.buffer as ArrayBuffer]),
      kill: async () => {
        await w.terminate();
      },
    };
    w.on("message", (r: PoolReply) => this.reply(slot, r));
    w.on("error", (err) => this.lost(slot, `thread failed: ${err.message}`));
    w.on("exit", (code) => this.lost(slot, `thread exited (code ${code})`));
    return slot;
  }

  private processSlot(): Slot {
    const child: ChildProcess = fork(ENTRY, [], {
      // The parent's loader flags (tsx) carry over; flags about how the parent itself was started do not.
      execArgv: childExecArgv(process.execArgv),
      serialization: "advanced",
      env: { ...process.env, SOM_BATCH_WORK: JSON.stringify(this.work) },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const slot: Slot = {
      send: (req) => child.send(req),
      kill: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGKILL");
        await gone;
      },
    };
    child.on("message", (r: PoolReply) => this.reply(slot, r));
    child.on("exit", (code, signal) => this.lost(slot, `process exited (${signal ?? `code ${code}`})`));
    return slot;
  }

  private reply(slot: Slot, r: PoolReply): void {
    const p = slot.pending;
    if (!p || p.id !== r.id) return;
    slot.pending = undefined;
    slot.served = true;
    this.release(slot);
    p.resolve(r);
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.idle.push(slot);
  }

  private acquire(): Promise<Slot | undefined> {
    if (this.broken) return Promise.resolve(undefined);
    const s = this.idle.shift();
    return s ? Promise.resolve(s) : new Promise((r) => this.waiting.push(r));
  }

  /** Run one item on the next free worker. `bytes` is transferred (a thread takes ownership). */
  async run(item: BatchItem, bytes: Uint8Array, out: string): Promise<PoolReply> {
    if (this.closed) throw new Error("pool is closed");
    const slot = await this.acquire();
    const id = this.nextId++;
    if (!slot) return { id, ok: false, error: this.broken ?? "pool is closed", workMs: 0, worker: "" };
    return new Promise<PoolReply>((resolve) => {
      slot.pending = { id, resolve };
      slot.send({ id, item, bytes, out });
    });
  }

  /** Stop every worker (in-flight items are dropped: their outputs are written atomically or not at all). */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    for (const s of slots) {
      const p = s.pending;
      s.pending = undefined;
      p?.resolve({ id: p.id, ok: false, error: "interrupted", workMs: 0, worker: "" });
    }
    await Promise.all(slots.map((s) => s.kill()));
  }
}
