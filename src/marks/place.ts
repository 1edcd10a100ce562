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
 * Allocate labels at the requested font size; if the image is too crowded for every label to get a free spot,
 * shrink the font (by 15% a step) until they do. Returns the allocation and the font size used.
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
    const allocation = allocateMarks(regions, width, height, {
      labels: options.labels,
      measure: metrics.measure,
    });
    const next = Math.floor(fontSize * 0.85);
    if (allocation.overlaps === 0 || next < MIN_FONT_SIZE) return { ...allocation, fontSize };
    fontSize = next;
  }
}
