import type { RasterImage } from "../../image/raster.js";

/** A non-text element found in the pixels: a bordered or filled box (control) or a compact icon. */
export interface ElementBox {
  x: number;
  y: number;
  w: number;
  h: number;
  /** "box": a rectangle / rounded-rectangle outline or fill that differs from its surroundings; "icon": a small compact blob. */
  shape: "box" | "icon";
}

/**
 * Edges (any channel differing from the right or lower neighbour by > 24) grouped into 8-connected
 * components. A component whose outline hugs its bounding box (a closed border, a filled control's edge)
 * is a box; a small compact one is an icon. Text glyph components are filtered later by the merge.
 */
export function findElements(image: RasterImage): ElementBox[] {
  const { width: w, height: h, data } = image;
  const edge = new Uint8Array(w * h);
  for (let y = 0; y < h - 1; y++) {
    for (let x = 0; x < w - 1; x++) {
      const i = (y * w + x) * 4;
      const r = i + 4;
      const d = i + w * 4;
      let diff = 0;
      for (let c = 0; c < 3; c++) {
        diff = Math.max(diff, Math.abs(data[i + c] - data[r + c]), Math.abs(data[i + c] - data[d + c]));
      }
      if (diff > 24) edge[y * w + x] = 1;
    }
  }
  const seen = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  const out: ElementBox[] = [];
  for (let s = 0; s < w * h; s++) {
    if (!edge[s] || seen[s]) continue;
    let sp = 0;
    stack[sp++] = s;
    seen[s] = 1;
    let x0 = w;
    let y0 = h;
    let x1 = -1;
    let y1 = -1;
    let n = 0;
    while (sp > 0) {
      const p = stack[--sp];
      const px = p % w;
      const py = (p - px) / w;
      n++;
      if (px < x0) x0 = px;
      if (px > x1) x1 = px;
      if (py < y0) y0 = py;
      if (py > y1) y1 = py;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = py + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = px + dx;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (edge[q] && !seen[q]) {
            seen[q] = 1;
            stack[sp++] = q;
          }
        }
      }
    }
    const bw = x1 - x0 + 1;
    const bh = y1 - y0 + 1;
    if (bw < 8 || bh < 8 || bw > w * 0.9 || bh > h * 0.9) continue;
    if (isRectOutline(edge, w, x0, y0, x1, y1) && bh >= 12 && bh <= 120)
      out.push({ x: x0, y: y0, w: bw, h: bh, shape: "box" });
    else if (bw <= 48 && bh <= 48 && bw / bh < 2.5 && bh / bw < 2.5 && n >= 12)
      out.push({ x: x0, y: y0, w: bw, h: bh, shape: "icon" });
  }
  return out;
}

/** Edges along ≥ 80 % of each side, a rounded corner's few pixels excepted: a rectangle / rounded rectangle. */
function isRectOutline(edge: Uint8Array, w: number, x0: number, y0: number, x1: number, y1: number): boolean {
  const near = (x: number, y: number, vertical: boolean) => {
    for (let k = 0; k <= 2; k++) {
      const i = vertical ? y * w + x + (x === x0 ? k : -k) : (y + (y === y0 ? k : -k)) * w + x;
      if (edge[i]) return true;
    }
    return false;
  };
  let top = 0;
  let bottom = 0;
  for (let x = x0; x <= x1; x++) {
    if (near(x, y0, false)) top++;
    if (near(x, y1, false)) bottom++;
  }
  let left = 0;
  let right = 0;
  for (let y = y0; y <= y1; y++) {
    if (near(x0, y, true)) left++;
    if (near(x1, y, true)) right++;
  }
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  return top > 0.8 * bw && bottom > 0.8 * bw && left > 0.7 * bh && right > 0.7 * bh;
}
