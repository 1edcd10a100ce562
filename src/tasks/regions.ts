import { UserError } from "../cli/errors.js";
import type { RasterImage } from "../image/raster.js";
import { selectRegions } from "../pipeline/mark.js";
import type { Proposer } from "../proposers/proposer.js";
import type { Region } from "../regions/region.js";

export interface RegionSource {
  proposer?: Proposer;
  /** Regions given directly (from --masks), at the image's size. */
  regions?: readonly Region[];
  granularity?: number;
  maxMarks?: number;
  signal?: AbortSignal;
}

/** Regions at the input image's full size, ids 1..n, capped at maxMarks (the same selection as `som mark`). */
export async function regionsFor(image: RasterImage, src: RegionSource): Promise<Region[]> {
  let regions: Region[];
  if (src.regions) regions = [...src.regions];
  else if (src.proposer) {
    regions = await src.proposer.propose(image, {
      granularity: src.granularity ?? 0.5,
      maxMarks: src.maxMarks,
      signal: src.signal,
    });
  } else throw new TypeError("regionsFor needs a proposer or regions");
  const selected = selectRegions(regions, src.maxMarks);
  if (selected.length === 0) throw new UserError("no regions to mark", "no_regions");
  return selected;
}
