import type { RasterImage } from "../image/raster.js";
import type { LabelStyle } from "../marks/labels.js";
import type { Proposer } from "../proposers/proposer.js";
import type { Provider } from "../providers/types.js";
import type { Region } from "../regions/region.js";
import type { MarkType } from "../render/render.js";
import { runAsk } from "../tasks/ask.js";
import { regionsFor } from "../tasks/regions.js";
import type { TaskOutput } from "../tasks/task-input.js";
import { DEFAULT_ALPHA, DEFAULT_GRANULARITY, DEFAULT_MARKS } from "./mark.js";

export interface AskOptions {
  /** The model to ask (see createProvider). */
  provider: Provider;
  /** Where regions come from; ignored when `regions` is given. Default: the built-in proposer. */
  proposer?: Proposer;
  regions?: readonly Region[];
  granularity?: number;
  maxMarks?: number;
  marks?: readonly MarkType[];
  labels?: LabelStyle;
  alpha?: number;
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
