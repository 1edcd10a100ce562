import type { Region } from "../regions/region.js";
import { labelMetrics } from "../render/font.js";
import { type Allocation, type AllocationCache, allocateMarks, type LabelSize } from "./allocate.js";
import { type LabelStyle, labelText } from "./labels.js";

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
  const cache: AllocationCache = new Map();
  for (;;) {
    const metrics = labelMetrics(fontSize);
    const next = Math.floor(fontSize * 0.85);
    const last = next < MIN_FONT_SIZE;
    if (!last && !roomFor(regions, options.labels, metrics.measure, width, height)) {
      fontSize = next;
      continue;
    }
    const labelHeight = metrics.measure("0").h;
    const allocation = allocateMarks(regions, width, height, {
      labels: options.labels,
      measure: metrics.measure,
      maxDistance: last ? undefined : Math.max(6 * labelHeight, 0.25 * Math.max(width, height)),
      stopAtOverlap: !last,
      cache,
    });
    if (allocation.overlaps === 0 || last) return { ...allocation, fontSize };
    fontSize = next;
  }
}

/**
 * False when the labels cannot all fit without overlapping, whatever their positions: boxes at least 1 px
 * apart, each grown by half a pixel on every side, are disjoint and lie within the image grown by half a
 * pixel, so their total area is bounded. Such a font size would fail anyway; skipping it saves an attempt.
 */
function roomFor(
  regions: readonly Region[],
  labels: LabelStyle,
  measure: (text: string) => LabelSize,
  width: number,
  height: number,
): boolean {
  let area = 0;
  for (const r of regions) {
    const s = measure(labelText(r.id, labels));
    area += (Math.min(Math.ceil(s.w), width) + 1) * (Math.min(Math.ceil(s.h), height) + 1);
  }
  return area <= (width + 1) * (height + 1);
}
