import { type BBox, type Mask, maskArea, maskBBox } from "./mask.js";

/** Where a region came from: the built-in segmenter, a SAM model, a user file, an interactive prompt… */
export type RegionSource = "builtin" | "masks" | "sam" | "prompt" | "user" | (string & {});

/** A candidate region to mark: a binary mask plus what we know of it. */
export interface Region {
  /** 1-based id, unique within one image's region list; becomes the mark id. */
  id: number;
  mask: Mask;
  bbox: BBox;
  area: number;
  /** Confidence in [0,1]; 1 for user-supplied masks. */
  score: number;
  source: RegionSource;
  /** Extra fields carried through to the manifest (e.g. category_id from a COCO file). */
  extra?: Record<string, unknown>;
}

export function makeRegion(
  id: number,
  mask: Mask,
  source: RegionSource,
  score = 1,
  extra?: Record<string, unknown>,
): Region {
  return { id, mask, bbox: maskBBox(mask), area: maskArea(mask), score, source, extra };
}

/** Renumber regions 1..n in the given order (ids become mark ids). */
export function renumber(regions: readonly Region[]): Region[] {
  return regions.map((r, i) => ({ ...r, id: i + 1 }));
}
