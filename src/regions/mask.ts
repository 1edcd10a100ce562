/**
 * A binary mask stored as a bitmap cropped to its bounding box, so hundreds of regions on a large image
 * cost memory in proportion to their size, not the image's.
 */
export interface Mask {
  /** Size of the full image the mask belongs to. */
  readonly width: number;
  readonly height: number;
  /** Crop rectangle in image pixels (tight bounding box; 0×0 for an empty mask). */
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  /** w*h bytes, row-major within the crop; 1 = inside, 0 = outside. */
  readonly data: Uint8Array;
}

export type BBox = [x: number, y: number, w: number, h: number];

export function emptyMask(width: number, height: number): Mask {
  return { width, height, x: 0, y: 0, w: 0, h: 0, data: new Uint8Array(0) };
}

/**
 * Build a tight mask from a full-image predicate buffer: pixel i is inside when `full[i] === value`
 * (or non-zero when value is undefined).
 */
export function maskFromFull(full: ArrayLike<number>, width: number, height: number, value?: number): Mask {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const v = full[row + x];
      if (value === undefined ? v !== 0 : v === value) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  if (x1 < 0) return emptyMask(width, height);
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const src = (y + y0) * width + x0;
    for (let x = 0; x < w; x++) {
      const v = full[src + x];
      data[y * w + x] = (value === undefined ? v !== 0 : v === value) ? 1 : 0;
    }
  }
  return { width, height, x: x0, y: y0, w, h, data };
}

/** Crop a (possibly loose) cropped bitmap to its tight bounding box. */
export function tightenMask(m: Mask): Mask {
  let x0 = m.w;
  let y0 = m.h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < m.h; y++) {
    for (let x = 0; x < m.w; x++) {
      if (m.data[y * m.w + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  if (x1 < 0) return emptyMask(m.width, m.height);
  if (x0 === 0 && y0 === 0 && x1 === m.w - 1 && y1 === m.h - 1) return m;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) data.set(m.data.subarray((y + y0) * m.w + x0, (y + y0) * m.w + x0 + w), y * w);
  return { width: m.width, height: m.height, x: m.x + x0, y: m.y + y0, w, h, data };
}

/** Expand to a full-image byte array (1 inside). Only for callers that truly need it. */
export function maskToFull(m: Mask): Uint8Array {
  const full = new Uint8Array(m.width * m.height);
  for (let y = 0; y < m.h; y++) {
    full.set(m.data.subarray(y * m.w, (y + 1) * m.w), (y + m.y) * m.width + m.x);
  }
  return full;
}

export function maskArea(m: Mask): number {
  let n = 0;
  for (let i = 0; i < m.data.length; i++) n += m.data[i];
  return n;
}

export function maskBBox(m: Mask): BBox {
  return [m.x, m.y, m.w, m.h];
}

export function maskGet(m: Mask, x: number, y: number): boolean {
  const cx = x - m.x;
  const cy = y - m.y;
  if (cx < 0 || cy < 0 || cx >= m.w || cy >= m.h) return false;
  return m.data[cy * m.w + cx] !== 0;
}

/** |a ∩ b|, touching only the overlap of the two crop rectangles. */
export function maskIntersection(a: Mask, b: Mask): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.w, b.x + b.w);
  const y1 = Math.min(a.y + a.h, b.y + b.h);
  let n = 0;
  for (let y = y0; y < y1; y++) {
    const ra = (y - a.y) * a.w - a.x;
    const rb = (y - b.y) * b.w - b.x;
    for (let x = x0; x < x1; x++) if (a.data[ra + x] && b.data[rb + x]) n++;
  }
  return n;
}

/** Intersection over union; 0 when both are empty. */
export function maskIoU(a: Mask, b: Mask, areaA = maskArea(a), areaB = maskArea(b)): number {
  const inter = maskIntersection(a, b);
  const union = areaA + areaB - inter;
  return union === 0 ? 0 : inter / union;
}

export function maskUnion(masks: readonly Mask[], width: number, height: number): Mask {
  const full = new Uint8Array(width * height);
  for (const m of masks) {
    for (let y = 0; y < m.h; y++) {
      const row = (y + m.y) * width + m.x;
      for (let x = 0; x < m.w; x++) if (m.data[y * m.w + x]) full[row + x] = 1;
    }
  }
  return maskFromFull(full, width, height);
}

export function bboxIoU(a: BBox, b: BBox): number {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union <= 0 ? 0 : inter / union;
}
