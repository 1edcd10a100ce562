import type { RasterImage } from "../image/raster.js";
import type { Provider } from "../providers/types.js";
import { runAsk } from "../tasks/ask.js";
import { regionsFor } from "./regions.js";
import type { TaskOutput } from "../tasks/task-input.js";
import { DEFAULT_ALPHA, DEFAULT_GRANULARITY, DEFAULT_MARKS, type MarkOptions } from "./mark.js";

export interface AskOptions
  extends Pick<
    MarkOptions,
    "proposer" | "regions" | "granularity" | "maxMarks" | "marks" | "labels" | "alpha"
  > {
  /** The model to ask (see createProvider). Regions: as in markImage, default the built-in proposer. */
  provider: Provider;
  /** At most this many marks per request; more marks mean several requests, answers merged. */
  groupSize?: number;
  file?: string;
}

/**
 * The whole loop in one call: propose regions, mark the image (sized for the provider), ask the question,
 * parse the mark ids out of the answer. `json.referenced` holds the regions the answer names; `png` the image
 * with only those highlighted.
 */
export async function ask(image: RasterImage, question: string, options: AskOptions): Promise<TaskOutput> {
  let proposer = options.proposer;
  if (!options.regions && !proposer) {
    const { createBuiltinProposer } = await import("../proposers/builtin/index.js");
    proposer = createBuiltinProposer();
  }
  const regions = await regionsFor(image, {
    regions: options.regions,
    proposer,
    granularity: options.granularity ?? DEFAULT_GRANULARITY,
    maxMarks: options.maxMarks,
  });
  return runAsk({
    image,
    file: options.file,
    regions,
    provider: options.provider,
    style: {
      labels: options.labels ?? "numeric",
      marks: options.marks ?? DEFAULT_MARKS,
      alpha: options.alpha ?? DEFAULT_ALPHA,
    },
    groupSize: options.groupSize,
    question,
  });
}
