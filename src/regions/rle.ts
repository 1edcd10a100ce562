/**
 * COCO run-length encoding, bit-compatible with pycocotools (maskApi.c).
 *
 * Runs are taken over the image in column-major order (down each column, then the next column), start
 * with a run of zeros (possibly of length 0) and alternate. The compressed `counts` string is
 * pycocotools' rleToString: each count (from the 4th on, minus the count two places back) is written as
 * a little-endian sequence of 5-bit groups, 0x20 marking "more follows", sign taken from bit 0x10 of
 * the last group, each char offset by 48.
 *
 * Encoding and decoding work between the bbox-cropped Mask and the runs directly; no full-image
 * bitmap is ever allocated.
 */
import { emptyMask, type BBox, type Mask } from "./mask.js";

/** A compressed COCO RLE; size is [height, width]. */
export interface CocoRle {
  size: [number, number];
  counts: string;
}

/** An uncompressed COCO RLE (as in COCO `iscrowd` annotations). */
export interface CocoRleUncompressed {
  size: [number, number];
  counts: number[];
}

export type AnyCocoRle = CocoRle | CocoRleUncompressed;

/** Column-major run lengths of a mask, starting with a zero-run. Sums to width*height. */
export function maskToCounts(m: Mask): number[] {
  const H = m.height;
  const counts: number[] = [];
  let last = 0; // absolute index where the current run started
  let p = 0; // value of the current run
  const { x, y, w, h, data } = m;
  for (let cx = 0; cx < w; cx++) {
    const colStart = (x + cx) * H;
    // Rows above the crop are 0.
    if (p === 1 && y > 0) {
      counts.push(colStart - last);
      last = colStart;
      p = 0;
    }
    let i = cx;
    const base = colStart + y;
    for (let cy = 0; cy < h; cy++, i += w) {
      // Any non-zero byte counts as inside.
      if ((data[i] === 0 ? 0 : 1) !== p) {
        const idx = base + cy;
        counts.push(idx - last);
        last = idx;
        p = p ^ 1;
      }
    }
    // Rows below the crop are 0.
    if (p === 1 && y + h < H) {
      const idx = base + h;
      counts.push(idx - last);
      last = idx;
      p = 0;
    }
  }
  // A run of ones reaching the crop's bottom-right corner ends at the next column, unless that is the
  // image's end (pycocotools never writes a trailing zero-length run).
  const end = (x + w) * H;
  if (p === 1 && end < m.width * H) {
    counts.push(end - last);
    last = end;
  }
  counts.push(m.width * H - last);
  return counts;
}

/** pycocotools rleToString. */
export function countsToString(counts: ArrayLike<number>): string {
  let s = "";
  const chars: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i];
    if (i > 2) x -= counts[i - 2];
    let more = true;
    while (more) {
      // Arithmetic shift by 5 without 32-bit overflow (counts may exceed 2^31 on huge images).
      let c = x - Math.floor(x / 32) * 32;
      x = Math.floor(x / 32);
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      chars.push(c + 48);
    }
    if (chars.length > 8192) {
      s += String.fromCharCode(...chars);
      chars.length = 0;
    }
  }
  return s + String.fromCharCode(...chars);
}

/** pycocotools rleFrString; throws on malformed strings. */
export function countsFromString(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new Error("invalid RLE counts string: truncated value");
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63)
        throw new Error(`invalid RLE counts string: bad character ${JSON.stringify(s[p])}`);
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= 2 ** (5 * k);
      if (k > 10) throw new Error("invalid RLE counts string: value too long");
    }
    const m = counts.length;
    if (m > 2) x += counts[m - 2];
    counts.push(x);
  }
  return counts;
}

export function encodeRle(mask: Mask): CocoRle {
  return { size: [mask.height, mask.width], counts: countsToString(maskToCounts(mask)) };
}

function checkSize(size: unknown): [number, number] {
  if (
    !Array.isArray(size) ||
    size.length !== 2 ||
    !size.every((v) => typeof v === "number" && Number.isInteger(v) && v >= 0)
  ) {
    throw new Error(`invalid RLE size ${JSON.stringify(size)}: expected [height, width]`);
  }
  return [size[0], size[1]];
}

/** Counts of a compressed or uncompressed RLE, validated (non-negative integers summing to h*w). */
export function rleCounts(rle: AnyCocoRle): number[] {
  const [h, w] = checkSize(rle?.size);
  let counts: number[];
  if (typeof rle.counts === "string") counts = countsFromString(rle.counts);
  else if (Array.isArray(rle.counts)) counts = rle.counts;
  else throw new Error("invalid RLE: counts must be a string or an array of numbers");
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (typeof c !== "number" || !Number.isInteger(c) || c < 0) {
      throw new Error(`invalid RLE: count #${i} is ${JSON.stringify(c)}, expected a non-negative integer`);
    }
    sum += c;
  }
  if (sum !== h * w) {
    throw new Error(`invalid RLE: counts sum to ${sum}, expected ${h}*${w} = ${h * w}`);
  }
  return counts;
}

/** Tight bbox of the foreground runs, as [x0, y0, x1, y1] inclusive; null when empty. */
function countsExtent(counts: ArrayLike<number>, H: number): [number, number, number, number] | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  let pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (i & 1 && c > 0) {
      const s = pos;
      const e = pos + c - 1;
      const cs = Math.floor(s / H);
      const ce = Math.floor(e / H);
      const rs = s - cs * H;
      const re = e - ce * H;
      if (cs < x0) x0 = cs;
      if (ce > x1) x1 = ce;
      if (cs === ce) {
        if (rs < y0) y0 = rs;
        if (re > y1) y1 = re;
      } else {
        // A run crossing a column boundary covers both the last row and the first.
        y0 = 0;
        y1 = H - 1;
      }
    }
    pos += c;
  }
  return x1 < 0 ? null : [x0, y0, x1, y1];
}

/** Build a cropped Mask from validated run counts. */
export function countsToMask(counts: ArrayLike<number>, height: number, width: number): Mask {
  const ext = countsExtent(counts, height);
  if (!ext) return emptyMask(width, height);
  const [x0, y0, x1, y1] = ext;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const data = new Uint8Array(w * h);
  let pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (i & 1 && c > 0) {
      let col = Math.floor(pos / height);
      let row = pos - col * height;
      let left = c;
      while (left > 0) {
        const n = Math.min(left, height - row);
        let j = (row - y0) * w + (col - x0);
        for (let k = 0; k < n; k++, j += w) data[j] = 1;
        left -= n;
        col++;
        row = 0;
      }
    }
    pos += c;
  }
  return { width, height, x: x0, y: y0, w, h, data };
}

/** Decode a compressed or uncompressed COCO RLE to a cropped Mask. Throws a clear Error if invalid. */
export function decodeRle(rle: AnyCocoRle): Mask {
  const counts = rleCounts(rle);
  return countsToMask(counts, rle.size[0], rle.size[1]);
}

/** Foreground pixel count (pycocotools area). */
export function rleArea(rle: AnyCocoRle): number {
  const counts = rleCounts(rle);
  let a = 0;
  for (let i = 1; i < counts.length; i += 2) a += counts[i];
  return a;
}

/** [x, y, w, h] as pycocotools toBbox: the tight box, [0,0,0,0] when empty. */
export function rleToBbox(rle: AnyCocoRle): BBox {
  const counts = rleCounts(rle);
  const ext = countsExtent(counts, rle.size[0]);
  if (!ext) return [0, 0, 0, 0];
  return [ext[0], ext[1], ext[2] - ext[0] + 1, ext[3] - ext[1] + 1];
}

/** Union of several run-count lists over the same image (pycocotools rleMerge, intersect=0). */
export function mergeCounts(list: readonly (readonly number[])[]): number[] {
  if (list.length === 0) throw new Error("mergeCounts: nothing to merge");
  let acc = list[0].slice();
  for (let n = 1; n < list.length; n++) {
    const A = acc;
    const B = list[n];
    const out: number[] = [];
    let ca = A[0];
    let cb = B[0];
    let va = 0;
    let vb = 0;
    let v = 0;
    let a = 1;
    let b = 1;
    let cc = 0;
    let ct = 1;
    while (ct > 0) {
      const c = Math.min(ca, cb);
      cc += c;
      ct = 0;
      ca -= c;
      if (!ca && a < A.length) {
        ca = A[a++];
        va ^= 1;
      }
      ct += ca;
      cb -= c;
      if (!cb && b < B.length) {
        cb = B[b++];
        vb ^= 1;
      }
      ct += cb;
      const vp = v;
      v = va | vb;
      if (v !== vp || ct === 0) {
        out.push(cc);
        cc = 0;
      }
    }
    acc = out;
  }
  return acc;
}

/**
 * Rasterise one polygon [x1,y1,x2,y2,...] to run counts exactly as pycocotools rleFrPoly: the outline
 * is upsampled 5×, walked densely, and the crossings at pixel centres of each column become run
 * boundaries.
 */
export function polygonToCounts(xy: ArrayLike<number>, height: number, width: number): number[] {
  const k = Math.floor(xy.length / 2);
  const scale = 5;
  const h = height;
  const x = new Int32Array(k + 1);
  const y = new Int32Array(k + 1);
  // C casts (int)(v+.5) truncate toward zero.
  for (let j = 0; j < k; j++) x[j] = Math.trunc(scale * xy[j * 2] + 0.5);
  for (let j = 0; j < k; j++) y[j] = Math.trunc(scale * xy[j * 2 + 1] + 0.5);
  x[k] = x[0];
  y[k] = y[0];
  let m = 0;
  for (let j = 0; j < k; j++) m += Math.max(Math.abs(x[j] - x[j + 1]), Math.abs(y[j] - y[j + 1])) + 1;
  const u = new Float64Array(m);
  const v = new Float64Array(m);
  m = 0;
  for (let j = 0; j < k; j++) {
    let xs = x[j];
    let xe = x[j + 1];
    let ys = y[j];
    let ye = y[j + 1];
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      let t = xs;
      xs = xe;
      xe = t;
      t = ys;
      ys = ye;
      ye = t;
    }
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u[m] = t + xs;
        v[m] = Math.trunc(ys + s * t + 0.5);
        m++;
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v[m] = t + ys;
        u[m] = Math.trunc(xs + s * t + 0.5);
        m++;
      }
    }
  }
  // Points where the outline crosses a pixel-centre column, downsampled to pixel coordinates.
  const bounds: number[] = [];
  for (let j = 1; j < m; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
    xd = (xd + 0.5) / scale - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > width - 1) continue;
    let yd = Math.min(v[j], v[j - 1]);
    yd = (yd + 0.5) / scale - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > h) yd = h;
    yd = Math.ceil(yd);
    bounds.push(xd * h + yd);
  }
  bounds.push(h * width);
  const a = Float64Array.from(bounds).sort();
  let p = 0;
  for (let j = 0; j < a.length; j++) {
    const t = a[j];
    a[j] -= p;
    p = t;
  }
  // Drop zero-length runs by merging their neighbours.
  const b: number[] = [a[0]];
  let j = 1;
  while (j < a.length) {
    if (a[j] > 0) b.push(a[j++]);
    else {
      j++;
      if (j < a.length) b[b.length - 1] += a[j++];
    }
  }
  return b;
}

/** Rasterise a COCO polygon segmentation (one or more polygons, unioned) to a cropped Mask. */
export function polygonsToMask(polys: readonly (readonly number[])[], height: number, width: number): Mask {
  if (polys.length === 0) return emptyMask(width, height);
  const counts = mergeCounts(polys.map((p) => polygonToCounts(p, height, width)));
  return countsToMask(counts, height, width);
}

/** A box [x, y, w, h] rasterised as pycocotools frBbox does (as the polygon of its corners). */
export function bboxToCounts(bbox: readonly number[], height: number, width: number): number[] {
  const [xs, ys, bw, bh] = bbox;
  const xe = xs + bw;
  const ye = ys + bh;
  return polygonToCounts([xs, ys, xs, ye, xe, ye, xe, ys], height, width);
}
