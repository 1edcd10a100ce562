import { UserError } from "../errors.js";
import type { RasterImage } from "../image/raster.js";
import type { ProposeOptions, Proposer } from "../proposers/proposer.js";
import type { Region } from "../regions/region.js";

/** Default proposer granularity (0 = coarse … 1 = fine). */
export const DEFAULT_GRANULARITY = 0.5;

export interface RegionInput {
  proposer?: Proposer;
  /** Regions given directly (from --masks), at the image's size. */
  regions?: readonly Region[];
  granularity?: number;
  maxMarks?: number;
  signal?: AbortSignal;
  onProgress?: ProposeOptions["onProgress"];
}

/** Regions at the input image's full size, ids 1..n, capped at maxMarks (the same selection as `som mark`). */
export async function regionsFor(image: RasterImage, src: RegionInput): Promise<Region[]> {
  let regions: Region[];
  if (src.regions) regions = [...src.regions];
  else if (src.proposer) {
    regions = await src.proposer.propose(image, {
      granularity: src.granularity ?? DEFAULT_GRANULARITY,
      maxMarks: src.maxMarks,
      signal: src.signal,
      onProgress: src.onProgress,
    });
  } else throw new TypeError("regionsFor needs a proposer or regions");
  const selected = selectRegions(regions, src.maxMarks);
  if (selected.length === 0) throw new UserError("no regions to mark", "no_regions");
  return selected;
}

/**
 * Drop empty regions, cap the count (highest score first, then largest), and renumber 1..n keeping the
 * incoming order, so labels stay contiguous for the model.
 */
export function selectRegions(regions: readonly Region[], maxMarks?: number): Region[] {
  let kept = regions.filter((r) => r.area > 0);
  if (maxMarks !== undefined && kept.length > maxMarks) {
    const keep = new Set(
      [...kept]
        .sort((a, b) => b.score - a.score || b.area - a.area || a.id - b.id)
        .slice(0, Math.max(0, maxMarks)),
    );
    kept = kept.filter((r) => keep.has(r));
  }
  return kept.map((r, i) => (r.id === i + 1 ? r : { ...r, id: i + 1 }));
}
