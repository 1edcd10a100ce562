import type { Region } from "../regions/region.js";
import { labelMetrics } from "../render/font.js";
import { type Allocation, allocateMarks } from "./allocate.js";
import type { LabelStyle } from "./labels.js";

/** Smallest label font we shrink to before accepting a crowded image as it is. */
const MIN_FONT_SIZE = 8;

export interface PlaceOptions {
  labels: LabelStyle;
  fontSize: number;
}

/**
 * Allocate labels at the requested font size; if the image is too crowded for every label to get a free spot
 * near its region, shrink the font (by 15% a step) until they do. A label is "near" within
 * max(6 label heights, 25% of the image's longer side) of its region's anchor: one farther away would point
 * at the wrong thing. At the smallest size the search is unbounded, so labels still never overlap unless the
 * image is literally full. Returns the allocation and the font size used.
 */
export function placeMarks(
  regions: readonly Region[],
  width: number,
  height: number,
  options: PlaceOptions,
): Allocation & { fontSize: number } {
  let fontSize = options.fontSize;
  for (;;) {
    const metrics = labelMetrics(fontSize);
    const next = Math.floor(fontSize * 0.85);
    const last = next < MIN_FONT_SIZE;
    const labelHeight = metrics.measure("0").h;
    const allocation = allocateMarks(regions, width, height, {
      labels: options.labels,
      measure: metrics.measure,
      maxDistance: last ? undefined : Math.max(6 * labelHeight, 0.25 * Math.max(width, height)),
      stopAtOverlap: !last,
    });
    if (allocation.overlaps === 0 || last) return { ...allocation, fontSize };
    fontSize = next;
  }
}
