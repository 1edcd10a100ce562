import type { RasterImage } from "../image/raster.js";
import { fitImageSize } from "../providers/image-limits.js";
import type { ImageLimits } from "../providers/types.js";
import type { Region } from "../regions/region.js";
import { type MarkStyle, renderRegions, resizeRaster } from "./render-regions.js";
import { scaleRegions } from "./scale-regions.js";

/** One request's worth of marks: the regions (full-size masks) and the marked image sent for them. */
export interface MarkGroup {
  regions: Region[];
  png: Buffer;
}

export interface MarkedView {
  /** Size of the image as sent (within the provider's limits). */
  sent: { width: number; height: number };
  groups: MarkGroup[];
}

/**
 * Resize the image to the provider's limits first, then draw the marks on the resized copy, so labels are
 * sized for what the model sees. With `groupSize` K, regions are split (in id order) into groups of at most
 * K, one marked image each; labels keep their global ids.
 */
export async function markForProvider(
  image: RasterImage,
  regions: readonly Region[],
  limits: ImageLimits,
  style: MarkStyle,
  groupSize?: number,
): Promise<MarkedView> {
  const fit = fitImageSize(image.width, image.height, limits);
  const sentImage = await resizeRaster(image, fit.width, fit.height);
  const scaled = new Map(scaleRegions(regions, fit.width, fit.height).map((r) => [r.id, r]));
  const groups: MarkGroup[] = [];
  for (const group of splitGroups(regions, groupSize)) {
    const png = await renderRegions(
      sentImage,
      group.map((r) => scaled.get(r.id)!),
      style,
    );
    groups.push({ regions: group, png });
  }
  return { sent: { width: fit.width, height: fit.height }, groups };
}

export function splitGroups<T>(items: readonly T[], size?: number): T[][] {
  if (!size || size >= items.length) return [items.slice()];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
