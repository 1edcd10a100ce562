import { createHash } from "node:crypto";
import { readInput } from "./read-input.js";
import type { BatchItem, WorkSpec } from "./types.js";

/** Flags that change how a batch runs, never what an item's outputs hold: left out of the options hash. */
const RUN_ONLY_FLAGS = new Set([
  "out",
  "quiet",
  "json",
  "concurrency",
  "force",
  "queue",
  "queueName",
  "detach",
  "status",
  "requestsPerMinute",
  "attempts",
  "pool",
  "progress",
  "cache",
  "cacheDir",
  "record",
  "timeout",
  "maxRetries",
]);

export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** JSON with sorted keys, so equal values always give equal text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** The options of `work` that decide the outputs (run-only flags removed). */
export function outputOptions(work: WorkSpec): Record<string, unknown> {
  return Object.fromEntries(Object.entries(work.options).filter(([k]) => !RUN_ONLY_FLAGS.has(k)));
}

/** Hash of everything but the input bytes that decides an item's outputs: work kind, flags, item args. */
export function optionsHash(work: WorkSpec, item: BatchItem): string {
  return sha256(
    canonicalJson({ v: 1, kind: work.kind, options: outputOptions(work), args: item.args ?? {} }),
  );
}

/**
 * Deterministic BullMQ job id of an item: content hash + options hash (+ a short hash of the output name,
 * so two copies of one image under different names each get their outputs). Re-enqueueing is a no-op.
 */
export function jobIdOf(contentHash: string, optHash: string, name: string): string {
  return `${contentHash.slice(0, 24)}-${optHash.slice(0, 16)}-${sha256(name).slice(0, 8)}`;
}

/**
 * Content hash of an item: the input's bytes, plus (for items with `also` files) the bytes of each of
 * those, so the hash changes whenever any file the outputs depend on changes.
 */
export async function itemContentHash(item: BatchItem, bytes: Uint8Array): Promise<string> {
  const own = sha256(bytes);
  if (!item.also?.length) return own;
  const others = await Promise.all(item.also.map(async (f) => sha256(await readInput(f))));
  return sha256([own, ...others].join(","));
}
