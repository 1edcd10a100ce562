/**
 * The official generator's clean-up (remove_small_regions): fill holes smaller than `areaThresh`, then drop
 * islands smaller than it (keeping the largest when all are small), 8-connected. The result is the one the
 * official code gets on the full image, but the work is done on the mask's bounding box plus a one-pixel
 * ring, so its cost follows the mask's size, not the image's.
 */
import { type Mask, maskFromFull, maskToFull, tightenMask } from "../../regions/mask.js";

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

/**
 * One step of the official clean-up on a w×h buffer. `big` names components that are large whatever their
 * size here (background joined to the rest of the image outside a window).
 */
export function removeSmallRegions(
  full: Uint8Array,
  w: number,
  h: number,
  areaThresh: number,
  mode: "holes" | "islands",
  big?: (labels: Int32Array) => Set<number>,
): { full: Uint8Array; changed: boolean } {
  const holes = mode === "holes";
  const { labels, sizes } = components(full, w, h, holes ? 0 : 1);
  const large = big?.(labels);
  const small = new Set<number>();
  for (let i = 1; i < sizes.length; i++) if (sizes[i] < areaThresh && !large?.has(i)) small.add(i);
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

/**
 * Sizes of the background pieces outside the mask's bounding box: one piece, or two when the box spans
 * the image's full width (above / below) or full height (left / right); none when it covers the image.
 */
function outsidePieces(m: Mask): number[] {
  const left = m.x > 0;
  const right = m.x + m.w < m.width;
  const top = m.y > 0;
  const bottom = m.y + m.h < m.height;
  if (!left && !right && top && bottom) return [m.y * m.width, (m.height - m.y - m.h) * m.width];
  if (!top && !bottom && left && right) return [m.x * m.height, (m.width - m.x - m.w) * m.height];
  const rest = m.width * m.height - m.w * m.h;
  return rest > 0 ? [rest] : [];
}

/** Holes then islands; `changed` tells whether either step altered the mask. */
export function cleanMask(mask: Mask, areaThresh: number): { mask: Mask; changed: boolean } {
  if (mask.w === 0) return { mask, changed: false };
  // Background outside the box is never filled when every piece of it is large; otherwise (a mask that
  // nearly covers the image) work on the full image as the official code does.
  if (outsidePieces(mask).some((n) => n < areaThresh)) return cleanFull(mask, areaThresh);
  const x0 = Math.max(0, mask.x - 1);
  const y0 = Math.max(0, mask.y - 1);
  const ww = Math.min(mask.width, mask.x + mask.w + 1) - x0;
  const wh = Math.min(mask.height, mask.y + mask.h + 1) - y0;
  const ox = mask.x - x0;
  const oy = mask.y - y0;
  const win = new Uint8Array(ww * wh);
  for (let y = 0; y < mask.h; y++)
    win.set(mask.data.subarray(y * mask.w, (y + 1) * mask.w), (y + oy) * ww + ox);
  // Background touching the ring around the box is joined to the (large) background outside it.
  const ringLabels = (labels: Int32Array) => {
    const out = new Set<number>();
    for (let y = 0; y < wh; y++) {
      const inRows = y >= oy && y < oy + mask.h;
      for (let x = 0; x < ww; x++) {
        if (inRows && x >= ox && x < ox + mask.w) continue;
        if (labels[y * ww + x] !== 0) out.add(labels[y * ww + x]);
      }
    }
    return out;
  };
  const a = removeSmallRegions(win, ww, wh, areaThresh, "holes", ringLabels);
  const b = removeSmallRegions(a.full, ww, wh, areaThresh, "islands");
  if (!a.changed && !b.changed) return { mask, changed: false };
  const cleaned = tightenMask({
    width: mask.width,
    height: mask.height,
    x: x0,
    y: y0,
    w: ww,
    h: wh,
    data: b.full,
  });
  return { mask: cleaned, changed: true };
}

/** The same clean-up on the full image (masks whose outside background is itself small). */
function cleanFull(mask: Mask, areaThresh: number): { mask: Mask; changed: boolean } {
  const full = maskToFull(mask);
  const a = removeSmallRegions(full, mask.width, mask.height, areaThresh, "holes");
  const b = removeSmallRegions(a.full, mask.width, mask.height, areaThresh, "islands");
  if (!a.changed && !b.changed) return { mask, changed: false };
  return { mask: maskFromFull(b.full, mask.width, mask.height), changed: true };
}
