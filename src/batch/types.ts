/** Shared shapes of `som batch` / `som worker`: the work, an item, the ledger record. */

/** Tasks a batch can run per item (track: an item is a later frame, with its first frame and objects). */
export const BATCH_TASKS = ["classify", "refer", "ground", "ask", "track"] as const;
export type BatchTask = (typeof BATCH_TASKS)[number];

/** What every item gets done: `mark`, or a task with a provider; `options` are the parsed CLI flags. */
export interface WorkSpec {
  kind: "mark" | BatchTask;
  options: Record<string, unknown>;
}

/** One input: a file path or http(s) URL, the output name (relative to --out, no suffix), per-item args. */
export interface BatchItem {
  input: string;
  name: string;
  /** Per-item task arguments from a data set (a refer expression, a ground sentence and phrases). */
  args?: Record<string, unknown>;
  /**
   * Other files whose bytes decide the outputs besides `input` (track: the first frame and its objects'
   * masks); their content goes into the item's content hash, so editing one of them redoes the item.
   */
  also?: string[];
}

export interface ItemTimings {
  /** Reading (or downloading) the input bytes, ms. */
  read?: number;
  /** Content hash, ms. */
  hash?: number;
  /** The work itself inside the worker (decode, propose, render, write), ms. */
  work?: number;
  /** Wall time of the item from start to ledger line, ms. */
  total: number;
}

/** One line of `--out/batch.jsonl`. */
export interface LedgerRecord {
  input: string;
  name: string;
  contentHash: string;
  optionsHash: string;
  status: "done" | "failed";
  /** ISO time the item finished. */
  at: string;
  timings: ItemTimings;
  marks?: number;
  /** Output files, relative to --out. */
  outputs?: string[];
  error?: string;
  /** Queue mode: the BullMQ job id and how many attempts it took. */
  jobId?: string;
  attempts?: number;
  /** host/pid (and thread) that ran it. */
  worker?: string;
}
