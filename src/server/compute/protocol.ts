import type { Manifest } from "../../manifest/manifest.js";
import type { LoadedImage } from "../../image/load.js";
import type { Region } from "../../regions/region.js";
import type { MarkOptionsInput, SegmentRequest } from "../schemas.js";
import type { SegmentedRegion } from "../segment-service.js";
import type { ComputeSettings } from "./context.js";

/** Image bytes (decoded in the worker, cached by content hash) or the id of an image the worker holds. */
export type WorkerImageSource = { bytes: Uint8Array } | { imageId: string };

/** The CPU-heavy jobs a compute worker runs. */
export type ComputeJob =
  | {
      op: "mark";
      source: WorkerImageSource;
      options: MarkOptionsInput;
      /** Also send back the decoded image and the marked regions (model tasks need them). */
      detail: boolean;
    }
  | { op: "segment"; source: WorkerImageSource; request: SegmentRequest }
  | { op: "image"; source: WorkerImageSource };

export interface MarkJobResult {
  imageId: string;
  manifest: Manifest;
  png: Uint8Array;
  timings: Record<string, number>;
  image?: LoadedImage;
  regions?: Region[];
}

export interface SegmentJobResult {
  imageId: string;
  method: "builtin" | "sam";
  regions: SegmentedRegion[];
}

export interface ImageJobResult {
  imageId: string;
  image: LoadedImage;
}

/** What each job answers. */
export interface JobResults {
  mark: MarkJobResult;
  segment: SegmentJobResult;
  image: ImageJobResult;
}

export type JobOf<O extends ComputeJob["op"]> = Extract<ComputeJob, { op: O }>;

/** An error as it crosses the thread boundary; `stack` only for unexpected (500) errors, for the log. */
export interface WorkerError {
  status: number;
  code: string;
  message: string;
  headers: Record<string, string>;
  stack?: string;
}

export interface JobMessage {
  seq: number;
  job: ComputeJob;
}

export type ReplyMessage = { seq: number; held: string[] } & (
  | { ok: true; value: unknown }
  | { ok: false; error: WorkerError }
);

/** What a worker is started with (`workerData`). */
export interface WorkerData {
  /** Module URL of the worker's entry (a .ts file when running from sources under tsx). */
  entry: string;
  settings: ComputeSettings;
}
