/**
 * Steps every task runs on a sample: the regions to mark (proposer or ground-truth masks, selected as
 * `som mark` does), then the question to the provider (or the oracle) through the task runner. A provider
 * failure is caught and reported, so one bad answer does not stop a long run.
 */
import { UserError } from "../errors.js";
import type { RasterImage } from "../image/raster.js";
import { ProviderError } from "../providers/errors.js";
import type { Region } from "../regions/region.js";
import { splitGroups } from "../tasks/marked-view.js";
import { regionsFor } from "../pipeline/regions.js";
import type { TaskInput, TaskOutput } from "../tasks/task-input.js";
import { oracleProvider } from "./oracle-provider.js";
import type { EvalSettings, SampleFields } from "./task-types.js";

/** Regions to mark on this image, ids 1..n; empty when there is nothing to mark. */
export async function sampleRegions(
  image: RasterImage,
  gtRegions: () => Region[] | Promise<Region[]>,
  settings: EvalSettings,
): Promise<Region[]> {
  try {
    if (settings.gtMasks)
      return await regionsFor(image, { regions: await gtRegions(), maxMarks: settings.maxMarks });
    if (!settings.proposer) throw new TypeError("eval settings need a proposer or gtMasks");
    return await regionsFor(image, {
      proposer: settings.proposer,
      granularity: settings.granularity,
      maxMarks: settings.maxMarks,
    });
  } catch (err) {
    if (err instanceof UserError && err.code === "no_regions") return [];
    throw err;
  }
}

export interface Answered {
  out: TaskOutput | null;
  error?: string;
}

/**
 * Ask about these regions of `image` with the configured provider; with the oracle, `oracle` gives the
 * answer object for each group of marks (groups as the task runner splits them). `run` gets the task input
 * every task shares (image, regions, provider, mark style, group size, template) and adds its own fields.
 * No regions: nothing is asked.
 */
export async function answer(
  settings: EvalSettings,
  image: { image: RasterImage; file?: string },
  regions: readonly Region[],
  oracle: (groups: Region[][], all: readonly Region[]) => unknown[],
  run: (input: TaskInput) => Promise<TaskOutput>,
): Promise<Answered> {
  if (regions.length === 0) return { out: null };
  const provider =
    settings.provider === "oracle"
      ? oracleProvider(oracle(splitGroups(regions, settings.groupSize), regions))
      : settings.provider;
  const input: TaskInput = {
    ...image,
    regions,
    provider,
    style: settings.style,
    groupSize: settings.groupSize,
    template: settings.template,
  };
  try {
    return { out: await run(input) };
  } catch (err) {
    if (err instanceof ProviderError) return { out: null, error: err.message };
    throw err;
  }
}

/** The record fields every task fills from the answer. */
export function commonFields(
  regions: readonly Region[],
  a: Answered,
): Pick<SampleFields, "marks" | "usage" | "cached" | "error"> {
  return {
    marks: regions.length,
    ...(a.out ? { usage: a.out.json.usage, cached: a.out.json.cached } : {}),
    ...(a.error ? { error: a.error } : {}),
  };
}
