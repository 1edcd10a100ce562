import { HttpError } from "./errors.js";

export interface LimiterOptions {
  /** Jobs running at once. */
  concurrency: number;
  /** Jobs allowed to wait for a slot; beyond this, requests are refused with 429. */
  queue: number;
  /** Name used in the 429 message ("mark", "model"). */
  name: string;
}

/**
 * Admission control for expensive work: at most `concurrency` jobs run, at most `queue` wait, the rest get
 * 429 with a Retry-After estimated from recent job durations. `admit()` is called before a request body is
 * read, so refused requests never cost memory.
 */
export class JobLimiter {
  private running = 0;
  private admitted = 0;
  private readonly waiting: Array<() => void> = [];
  /** Exponential moving average of job durations, ms. */
  private avgMs = 1000;

  constructor(readonly options: LimiterOptions) {}

  get stats() {
    return { running: this.running, waiting: this.waiting.length, admitted: this.admitted };
  }

  /** Reserve a place (running or queued) or throw 429. Call `release()` of the ticket exactly once. */
  admit(): Ticket {
    const { concurrency, queue } = this.options;
    if (this.admitted >= concurrency + queue) {
      const waitS = Math.max(
        1,
        Math.ceil(((this.admitted - concurrency + 1) * this.avgMs) / concurrency / 1000),
      );
      throw new HttpError(
        429,
        "busy",
        `the server is busy (${this.admitted} ${this.options.name} jobs running or queued); retry in ${waitS} s`,
        { "retry-after": String(waitS) },
      );
    }
    this.admitted++;
    return new Ticket(this);
  }

  /** @internal */
  acquire(signal?: AbortSignal): Promise<void> {
    if (this.running < this.options.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener("abort", onAbort);
        this.running++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(go);
    });
  }

  /** @internal */
  finish(ran: boolean, ms: number): void {
    this.admitted--;
    if (!ran) return;
    this.avgMs = 0.8 * this.avgMs + 0.2 * ms;
    this.running--;
    this.waiting.shift()?.();
  }
}

/** A place in a limiter: wait for a slot with `run(job)`, or give the place up with `release()`. */
export class Ticket {
  private done = false;
  private started = 0;

  constructor(private readonly limiter: JobLimiter) {}

  /** Wait for a running slot, then run the job; the slot is freed when the job settles. */
  async run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.done) throw new Error("ticket already used");
    try {
      await this.limiter.acquire(signal);
    } catch (err) {
      this.release();
      throw err;
    }
    this.started = performance.now();
    try {
      return await job();
    } finally {
      this.done = true;
      this.limiter.finish(true, performance.now() - this.started);
    }
  }

  /** Give up the place without running (e.g. the body was bad). Safe to call more than once. */
  release(): void {
    if (this.done) return;
    this.done = true;
    this.limiter.finish(false, 0);
  }
}
