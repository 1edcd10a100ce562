/**
 * The shape every `som eval <task>` shares: a list of samples, a function that runs the SoM pipeline on one
 * and returns a JSON record (what it predicted and how it scored), and a summary over all records.
 */
import type { PromptTemplate } from "../prompts/templates.js";
import type { Proposer } from "../proposers/proposer.js";
import type { Provider, Usage } from "../providers/types.js";
import type { MarkStyle } from "../tasks/render-regions.js";

/** What a task's `run` returns for one sample. Task-specific fields sit beside the common ones. */
export interface SampleFields {
  /** How many marks the image carried. */
  marks: number;
  usage?: Usage;
  cached?: boolean;
  /** The model failed on this sample (refusal, network…): scored as an empty answer, retried on resume. */
  error?: string;
  [field: string]: unknown;
}

/** One line of `samples.jsonl`. */
export interface SampleRecord extends SampleFields {
  id: string;
  /** Position in the data set's sample order (summaries follow it). */
  index: number;
  seconds: number;
}

/** How each sample is marked and answered. */
export interface EvalSettings {
  /** A real or replay provider, or "oracle" (answers from the ground truth). */
  provider: Provider | "oracle";
  /** Regions from the proposer, or the ground-truth masks themselves (`--masks gt`). */
  proposer?: Proposer;
  gtMasks: boolean;
  granularity: number;
  maxMarks?: number;
  style: MarkStyle;
  groupSize?: number;
  template?: PromptTemplate;
  maxPixels?: number;
  /** Results folder, for tasks that also write prediction files (panoptic PNGs, DAVIS results). */
  outDir?: string;
}

/** A table of per-class (or per-sequence, per-type) figures, for the report. */
export interface Breakdown {
  title: string;
  columns: string[];
  rows: { name: string; values: (number | null)[] }[];
  /** Which column the report's chart plots. */
  chart: number;
  /** Columns holding fractions (shown as %); others are counts. */
  fractions: boolean[];
}

export interface EvalSummary {
  task: string;
  dataset: string;
  provider: string;
  model: string;
  marksFrom: string;
  samples: number;
  failed: number;
  marksPerSample: number;
  seconds: number;
  /** Headline figures: fractions in 0..1 (null where undefined, e.g. no sample to average). */
  metrics: Record<string, number | null>;
  /** The paper's headline metric for this task, a key of `metrics`. */
  primary: string;
  breakdown?: Breakdown;
  /** The official evaluator's full report where one applies (panoptic, DAVIS, Flickr…). */
  details?: unknown;
  notes?: string[];
}

export interface EvalTask<S extends { id: string }> {
  name: string;
  /** What was evaluated, for summaries (e.g. "coco-panoptic:/data/coco, 100 images"). */
  dataset: string;
  samples: readonly S[];
  /** Mark, ask, parse and score one sample. */
  run(sample: S, settings: EvalSettings): Promise<SampleFields>;
  /** Metrics over the finished records, in sample order. */
  summarize(
    records: readonly SampleRecord[],
  ): Pick<EvalSummary, "metrics" | "primary" | "breakdown" | "details" | "notes">;
  /** Write whole-run prediction files (e.g. a panoptic JSON) from the records. */
  finish?(records: readonly SampleRecord[], outDir: string): Promise<void>;
}
