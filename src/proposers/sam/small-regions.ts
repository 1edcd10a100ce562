/**
 * The official generator's clean-up (remove_small_regions): fill holes smaller than `areaThresh`, then drop
 * islands smaller than it (keeping the largest when all are small), 8-connected, on the full image.
 */
import { type Mask, maskFromFull, maskToFull } from "../../regions/mask.js";

/** Label the 8-connected components of pixels equal to `value`; returns labels (0 = other) and sizes. */
function components(
  full: Uint8Array,
  w: number,
  h: number,
  value: number,
): { labels: Int32Array; sizes: number[] } {
  const labels = new Int32Array(w * h);
  const sizes = [0];
  const stack = new Int32Array(w * h);
  for (let start = 0; start < full.length; start++) {
    if (full[start] !== value || labels[start] !== 0) continue;
    const id = sizes.length;
    let size = 0;
    let top = 0;
    stack[top++] = start;
    labels[start] = id;
    while (top > 0) {
      const p = stack[--top];
      size++;
      const px = p % w;
      const py = (p - px) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = py + dy;
        if (ny < 0 || ny >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = px + dx;
          if (nx < 0 || nx >= w) continue;
          const q = ny * w + nx;
          if (full[q] === value && labels[q] === 0) {
            labels[q] = id;
            stack[top++] = q;
          }
        }
      }
    }
    sizes.push(size);
  }
  return { labels, sizes };
}

export function removeSmallRegions(
  full: Uint8Array,
  w: number,
  h: number,
  areaThresh: number,
  mode: "holes" | "islands",
): { full: Uint8Array; changed: boolean } {
  const holes = mode === "holes";
  const { labels, sizes } = components(full, w, h, holes ? 0 : 1);
  const small = new Set<number>();
  for (let i = 1; i < sizes.length; i++) if (sizes[i] < areaThresh) small.add(i);
  if (small.size === 0) return { full, changed: false };
  const out = new Uint8Array(w * h);
  if (holes) {
    for (let i = 0; i < out.length; i++) out[i] = full[i] === 1 || small.has(labels[i]) ? 1 : 0;
  } else {
    let keepLargest = -1;
    if (small.size === sizes.length - 1) {
      keepLargest = 1;
      for (let i = 2; i < sizes.length; i++) if (sizes[i] > sizes[keepLargest]) keepLargest = i;
    }
    for (let i = 0; i < out.length; i++) {
      const l = labels[i];
      out[i] = l !== 0 && (!small.has(l) || l === keepLargest) ? 1 : 0;
    }
  }
  return { full: out, changed: true };
}

/** Holes then islands; `changed` tells whether either step altered the mask. */
export function cleanMask(mask: Mask, areaThresh: number): { mask: Mask; changed: boolean } {
  const full = maskToFull(mask);
  const a = removeSmallRegions(full, mask.width, mask.height, areaThresh, "holes");
  const b = removeSmallRegions(a.full, mask.width, mask.height, areaThresh, "islands");
  if (!a.changed && !b.changed) return { mask, changed: false };
  return { mask: maskFromFull(b.full, mask.width, mask.height), changed: true };
}
