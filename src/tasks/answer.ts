import type { LabelStyle } from "../marks/labels.js";
import { labelText } from "../marks/labels.js";
import type { CompleteResult, Usage } from "../providers/types.js";
import { type BBox, maskUnion } from "../regions/mask.js";
import type { Region } from "../regions/region.js";
import { type CocoRle, encodeRle } from "../regions/rle.js";

export const ANSWER_VERSION = 1;

/** A region the answer named, in input-image pixels. */
export interface ReferencedRegion {
  id: number;
  label: string;
  bbox: BBox;
  area: number;
  segmentation: CocoRle;
}

/** `DIR/<stem>.answer.json`: the same core for `som ask` and every task; tasks add their own fields. */
export interface AnswerJson {
  version: typeof ANSWER_VERSION;
  task: string;
  question: string;
  answer: string;
  referenced: ReferencedRegion[];
  /** Labels the model named that no mark carries: reported, never mapped. */
  unknown: string[];
  provider: { name: string; model: string };
  usage: Usage;
  /** True when every answer came from the cache or a replay file. */
  cached: boolean;
  image: { file?: string; width: number; height: number };
  /** The marked image as sent: its size and how many requests (groups of marks) it took. */
  sent: { width: number; height: number; groups: number; marks: number };
  [extra: string]: unknown;
}

export function referenced(region: Region, labels: LabelStyle): ReferencedRegion {
  return {
    id: region.id,
    label: labelText(region.id, labels),
    bbox: region.bbox,
    area: region.area,
    segmentation: encodeRle(region.mask),
  };
}

/** Union of several regions: one mask, its box and area (null when there are none). */
export function unionOf(
  regions: readonly Region[],
): { bbox: BBox; area: number; segmentation: CocoRle } | null {
  if (regions.length === 0) return null;
  const { width, height } = regions[0].mask;
  const m = maskUnion(
    regions.map((r) => r.mask),
    width,
    height,
  );
  const rle = encodeRle(m);
  let area = 0;
  for (const v of m.data) area += v;
  return { bbox: [m.x, m.y, m.w, m.h], area, segmentation: rle };
}

export function addUsage(a: Usage, b: Usage): Usage {
  const out: Usage = { ...a };
  for (const k of ["inputTokens", "outputTokens", "totalTokens"] as const) {
    if (b[k] != null) out[k] = (out[k] ?? 0) + (b[k] ?? 0);
  }
  return out;
}

export function allCached(results: readonly CompleteResult[]): boolean {
  return results.length > 0 && results.every((r) => r.cached === true);
}

/**
 * With several groups, a label unknown to one request (its mark was in another group's image) is not
 * unknown when another request resolved it.
 */
export function stillUnknown(
  unknown: readonly string[],
  resolvedIds: readonly number[],
  labels: LabelStyle,
): string[] {
  const resolved = new Set(resolvedIds.map((id) => labelText(id, labels)));
  return unknown.filter((u) => !resolved.has(u));
}
