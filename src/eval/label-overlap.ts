/** Overlap of marked regions with a ground-truth label map (one segment id per pixel, 0 = void). */
import type { Region } from "../regions/region.js";

/** Pixel count of every label in the map. */
export function labelAreas(ids: ArrayLike<number>): Map<number, number> {
  const areas = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    areas.set(v, (areas.get(v) ?? 0) + 1);
  }
  return areas;
}

/** Pixels of the region on each label (void included as 0). */
export function regionOnLabels(region: Region, ids: ArrayLike<number>, width: number): Map<number, number> {
  const counts = new Map<number, number>();
  const m = region.mask;
  for (let y = 0; y < m.h; y++) {
    const row = (m.y + y) * width + m.x;
    for (let x = 0; x < m.w; x++) {
      if (!m.data[y * m.w + x]) continue;
      const v = ids[row + x];
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
  }
  return counts;
}

/** The non-void label with the highest IoU with the region (ties: the lower id); null when none overlaps. */
export function bestLabel(
  region: Region,
  ids: ArrayLike<number>,
  width: number,
  areas: Map<number, number>,
  allowed?: (label: number) => boolean,
): { label: number; iou: number } | null {
  let best: { label: number; iou: number } | null = null;
  for (const [label, inter] of regionOnLabels(region, ids, width)) {
    if (label === 0 || (allowed && !allowed(label))) continue;
    const iou = inter / (region.area + (areas.get(label) ?? 0) - inter);
    if (!best || iou > best.iou || (iou === best.iou && label < best.label)) best = { label, iou };
  }
  return best;
}
