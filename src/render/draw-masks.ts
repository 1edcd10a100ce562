import type { Mask } from "../regions/mask.js";
import type { Rgb } from "./colors.js";

/** Alpha-blend a colour over the mask's pixels of an RGBA buffer, in place. */
export function tintMask(rgba: Uint8Array, width: number, m: Mask, color: Rgb, alpha: number): void {
  if (alpha <= 0) return;
  const a = Math.round(Math.min(1, alpha) * 256);
  const ia = 256 - a;
  const [r, g, b] = color;
  const cr = r * a;
  const cg = g * a;
  const cb = b * a;
  for (let y = 0; y < m.h; y++) {
    let p = ((y + m.y) * width + m.x) * 4;
    const row = y * m.w;
    for (let x = 0; x < m.w; x++, p += 4) {
      if (m.data[row + x]) {
        rgba[p] = (rgba[p] * ia + cr) >> 8;
        rgba[p + 1] = (rgba[p + 1] * ia + cg) >> 8;
        rgba[p + 2] = (rgba[p + 2] * ia + cb) >> 8;
      }
    }
  }
}

/**
 * Paint the inner boundary of a mask `thickness` pixels wide: mask pixels within `thickness` (Chebyshev) of a
 * pixel outside the mask (the crop edge counts as outside). Mask minus its erosion, by separable run lengths.
 */
export function drawContour(rgba: Uint8Array, width: number, m: Mask, color: Rgb, thickness: number): void {
  const { w, h } = m;
  if (w === 0 || h === 0) return;
  const t = Math.max(1, Math.round(thickness));
  // A pixel is interior when every pixel within t (Chebyshev) is inside: depth ≥ T along rows, then columns.
  const T = t + 1;
  const horiz = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let run = 0;
    for (let x = 0; x < w; x++) {
      run = m.data[row + x] ? Math.min(run + 1, T) : 0;
      horiz[row + x] = run;
    }
    run = 0;
    for (let x = w - 1; x >= 0; x--) {
      run = m.data[row + x] ? Math.min(run + 1, T) : 0;
      if (run < horiz[row + x]) horiz[row + x] = run;
    }
  }
  const [r, g, b] = color;
  const up = new Int32Array(h);
  for (let x = 0; x < w; x++) {
    let run = 0;
    for (let y = 0; y < h; y++) {
      run = horiz[y * w + x] >= T ? run + 1 : 0;
      up[y] = run;
    }
    run = 0;
    for (let y = h - 1; y >= 0; y--) {
      const i = y * w + x;
      run = horiz[i] >= T ? run + 1 : 0;
      if (!m.data[i] || (up[y] >= T && run >= T)) continue;
      const p = ((y + m.y) * width + x + m.x) * 4;
      rgba[p] = r;
      rgba[p + 1] = g;
      rgba[p + 2] = b;
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
