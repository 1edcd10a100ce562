import { ProviderError } from "./errors.js";

export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** First backoff delay; doubles each retry, with ±20 % jitter (default 1000 ms). */
  baseDelayMs?: number;
  /** Cap on one backoff delay (default 30 s). */
  maxDelayMs?: number;
  /** Longest Retry-After we are willing to wait; beyond it we give up at once (default 60 s). */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
  /** Called before each wait, e.g. to tell the user. */
  onRetry?: (info: { attempt: number; delayMs: number; error: ProviderError }) => void;
}

/**
 * Run `attempt` until it succeeds, retrying ProviderErrors marked retryable (429, 5xx, dropped connections;
 * not timeouts: a slow server stays slow) with exponential backoff; a server's Retry-After replaces the
 * backoff delay.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxRetries = options.maxRetries ?? 3;
  const base = options.baseDelayMs ?? 1000;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const maxRetryAfter = options.maxRetryAfterMs ?? 60_000;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof ProviderError) || !err.retryable) throw err;
      const tries = n + 1;
      if (err.retryAfterMs != null && err.retryAfterMs > maxRetryAfter) {
        throw new ProviderError(
          `${err.message} (server asks to wait ${Math.ceil(err.retryAfterMs / 1000)} s; giving up)`,
          err.reason,
        );
      }
      if (n >= maxRetries) {
        const suffix = tries > 1 ? ` (after ${tries} attempts)` : "";
        throw new ProviderError(`${err.message}${suffix}`, err.reason);
      }
      const backoff = Math.min(maxDelay, base * 2 ** n) * (0.8 + 0.4 * Math.random());
      const delayMs = err.retryAfterMs ?? backoff;
      options.onRetry?.({ attempt: tries, delayMs, error: err });
      await sleep(delayMs, options.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
