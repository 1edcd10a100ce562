import { type Mask, tightenMask } from "../regions/mask.js";
import { makeRegion, type Region } from "../regions/region.js";

/**
 * The same regions on a resized copy of the image (nearest neighbour), ids kept. A region too small to
 * survive the resize keeps one pixel at its centre, so every mark still gets drawn and named.
 */
export function scaleRegions(regions: readonly Region[], width: number, height: number): Region[] {
  return regions.map((r) => {
    if (r.mask.width === width && r.mask.height === height) return r;
    const mask = scaleMask(r.mask, width, height);
    return { ...makeRegion(r.id, mask, r.source, r.score, r.extra) };
  });
}

export function scaleMask(m: Mask, width: number, height: number): Mask {
  const sx = width / m.width;
  const sy = height / m.height;
  // Target pixels whose centre falls inside the source crop.
  const x0 = Math.max(0, Math.floor(m.x * sx));
  const y0 = Math.max(0, Math.floor(m.y * sy));
  const x1 = Math.min(width, Math.ceil((m.x + m.w) * sx));
  const y1 = Math.min(height, Math.ceil((m.y + m.h) * sy));
  const w = Math.max(0, x1 - x0);
  const h = Math.max(0, y1 - y0);
  const data = new Uint8Array(w * h);
  let any = false;
  for (let y = 0; y < h; y++) {
    const sy0 = Math.floor((y0 + y + 0.5) / sy) - m.y;
    if (sy0 < 0 || sy0 >= m.h) continue;
    for (let x = 0; x < w; x++) {
      const sx0 = Math.floor((x0 + x + 0.5) / sx) - m.x;
      if (sx0 < 0 || sx0 >= m.w) continue;
      if (m.data[sy0 * m.w + sx0]) {
        data[y * w + x] = 1;
        any = true;
      }
    }
  }
  if (!any && m.w > 0 && m.h > 0) {
    const cx = Math.min(width - 1, Math.floor((m.x + m.w / 2) * sx));
    const cy = Math.min(height - 1, Math.floor((m.y + m.h / 2) * sy));
    return { width, height, x: cx, y: cy, w: 1, h: 1, data: new Uint8Array([1]) };
  }
  return tightenMask({ width, height, x: x0, y: y0, w, h, data });
}
