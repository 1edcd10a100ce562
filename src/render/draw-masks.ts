import { intersectIntervals } from "../marks/intervals.js";
import type { Mask } from "../regions/mask.js";
import { maskRuns } from "../regions/runs.js";
import type { Rgb } from "./colors.js";

/**
 * Alpha-blend a colour over the mask's pixels of an RGBA buffer, in place (visits mask pixels only): per channel
 * `(v * (256 - a) + c * a) >> 8`, on whole pixels as 32-bit words (an Int32Array view: a Uint32Array would turn
 * every opaque pixel into a heap number); alpha is left as it is.
 */
export function tintMask(rgba: Uint8Array, width: number, m: Mask, color: Rgb, alpha: number): void {
  if (alpha <= 0) return;
  const a = Math.round(Math.min(1, alpha) * 256);
  const ia = 256 - a;
  const { rowStart, x0, x1 } = maskRuns(m);
  if (rgba.byteOffset % 4 !== 0) {
    const copy = new Uint8Array(rgba);
    tintMask(copy, width, m, color, alpha);
    rgba.set(copy);
    return;
  }
  const px = new Int32Array(rgba.buffer, rgba.byteOffset, rgba.length >> 2);
  const cr = color[0] * a;
  const cg = color[1] * a;
  const cb = color[2] * a;
  for (let y = 0; y < m.h; y++) {
    const row = (y + m.y) * width;
    for (let k = rowStart[y]; k < rowStart[y + 1]; k++) {
      const end = row + x1[k];
      for (let p = row + x0[k]; p < end; p++) {
        const v = px[p];
        px[p] =
          (v & 0xff000000) |
          (((v & 255) * ia + cr) >> 8) |
          ((((v >> 8) & 255) * ia + cg) & 0xff00) |
          (((((v >> 16) & 255) * ia + cb) >> 8) << 16);
      }
    }
  }
}

/**
 * Tint each pixel at most once: masks go smallest first and each blends only the pixels no earlier (smaller)
 * mask took, so the tint over the photo never exceeds `alpha` however deeply regions nest, and every pixel
 * shows the colour of the smallest region covering it. One byte per pixel records which are taken; the
 * untaken stretches of each row run are found with native byte searches, as in the label allocation.
 */
export function tintMasksOnce(
  rgba: Uint8Array,
  width: number,
  height: number,
  masks: readonly { mask: Mask; color: Rgb }[],
  alpha: number,
): void {
  if (alpha <= 0 || masks.length === 0) return;
  if (rgba.byteOffset % 4 !== 0) {
    const copy = new Uint8Array(rgba);
    tintMasksOnce(copy, width, height, masks, alpha);
    rgba.set(copy);
    return;
  }
  const a = Math.round(Math.min(1, alpha) * 256);
  const ia = 256 - a;
  const px = new Int32Array(rgba.buffer, rgba.byteOffset, rgba.length >> 2);
  const taken = new Uint8Array(width * height);
  for (const { mask: m, color } of masks) {
    const cr = color[0] * a;
    const cg = color[1] * a;
    const cb = color[2] * a;
    const { rowStart, x0, x1 } = maskRuns(m);
    for (let y = 0; y < m.h; y++) {
      const row = (y + m.y) * width;
      for (let k = rowStart[y]; k < rowStart[y + 1]; k++) {
        const end = row + x1[k];
        let p = row + x0[k];
        while (p < end) {
          let q = taken.indexOf(0, p);
          if (q < 0 || q >= end) break;
          let e = taken.indexOf(1, q);
          if (e < 0 || e > end) e = end;
          taken.fill(1, q, e);
          for (; q < e; q++) {
            const v = px[q];
            px[q] =
              (v & 0xff000000) |
              (((v & 255) * ia + cr) >> 8) |
              ((((v >> 8) & 255) * ia + cg) & 0xff00) |
              (((((v >> 16) & 255) * ia + cb) >> 8) << 16);
          }
          p = e;
        }
      }
    }
  }
}

/**
 * Paint the inner boundary of a mask `thickness` pixels wide: mask pixels within `thickness` (Chebyshev) of a
 * pixel outside the mask (the crop edge counts as outside). Done on runs: a row's erosion is its runs shrunk
 * by t, intersected with the shrunk runs of the t rows above and below; the boundary is the rest.
 */
export function drawContour(rgba: Uint8Array, width: number, m: Mask, color: Rgb, thickness: number): void {
  const t = Math.max(1, Math.round(thickness));
  const { rowStart, x0, x1 } = maskRuns(m);
  // Each row's runs shrunk by t, computed once (a row takes part in 2t+1 erosions).
  const shrunkRows: number[][] = new Array(m.h);
  for (let y = 0; y < m.h; y++) {
    const out: number[] = [];
    for (let k = rowStart[y]; k < rowStart[y + 1]; k++) {
      if (x1[k] - x0[k] > 2 * t) out.push(x0[k] + t, x1[k] - t);
    }
    shrunkRows[y] = out;
  }
  const aligned = rgba.byteOffset % 4 === 0;
  const px = aligned ? new Int32Array(rgba.buffer, rgba.byteOffset, rgba.length >> 2) : undefined;
  const rgb = color[0] | (color[1] << 8) | (color[2] << 16);
  const paint = (row: number, a: number, e: number) => {
    if (px) {
      for (let p = row + a, end = row + e; p < end; p++) px[p] = (px[p] & 0xff000000) | rgb;
      return;
    }
    for (let p = (row + a) * 4, end = (row + e) * 4; p < end; p += 4) {
      rgba[p] = color[0];
      rgba[p + 1] = color[1];
      rgba[p + 2] = color[2];
    }
  };
  const none: number[] = [];
  for (let y = 0; y < m.h; y++) {
    let eroded = none;
    if (y - t >= 0 && y + t < m.h) {
      eroded = shrunkRows[y];
      for (let dy = 1; dy <= t && eroded.length > 0; dy++) {
        eroded = intersectIntervals(intersectIntervals(eroded, shrunkRows[y - dy]), shrunkRows[y + dy]);
      }
    }
    const row = (y + m.y) * width;
    // Runs of this row minus the eroded intervals (both sorted, eroded ⊂ runs).
    let e = 0;
    for (let k = rowStart[y]; k < rowStart[y + 1]; k++) {
      let a = x0[k];
      const end = x1[k];
      while (e < eroded.length && eroded[e] < end) {
        if (eroded[e] > a) paint(row, a, eroded[e]);
        a = Math.max(a, eroded[e + 1]);
        e += 2;
      }
      if (a < end) paint(row, a, end);
    }
  }
}

/** Rectangle outline `thickness` pixels wide, drawn inward from [x, y, w, h], clipped to the image. */
export function drawBoxOutline(
  rgba: Uint8Array,
  width: number,
  height: number,
  box: readonly [number, number, number, number],
  color: Rgb,
  thickness: number,
): void {
  const [bx, by, bw, bh] = box;
  const t = Math.max(1, Math.round(thickness));
  const fill = (x0: number, y0: number, x1: number, y1: number) => {
    for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) {
        const p = (y * width + x) * 4;
        rgba[p] = color[0];
        rgba[p + 1] = color[1];
        rgba[p + 2] = color[2];
      }
    }
  };
  fill(bx, by, bx + bw, by + t);
  fill(bx, by + bh - t, bx + bw, by + bh);
  fill(bx, by, bx + t, by + bh);
  fill(bx + bw - t, by, bx + bw, by + bh);
}
