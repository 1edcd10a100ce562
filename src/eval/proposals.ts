import type { Region } from "../regions/region.js";
import type { GtImage } from "./proposals-data.js";

/** Best-IoU of proposals against one label map: one entry per scored segment. */
export function oracleIoUs(
  regions: readonly Region[],
  labelMap: Int32Array,
  width: number,
  segments: number[],
): number[] {
  if (segments.length === 0) return [];
  const index = new Map<number, number>();
  for (let i = 0; i < segments.length; i++) index.set(segments[i], i);
  const gtArea = new Float64Array(segments.length);
  for (let i = 0; i < labelMap.length; i++) {
    const k = index.get(labelMap[i]);
    if (k !== undefined) gtArea[k]++;
  }
  const best = new Float64Array(segments.length);
  const inter = new Float64Array(segments.length);
  for (const r of regions) {
    inter.fill(0);
    const m = r.mask;
    let area = 0;
    for (let y = 0; y < m.h; y++) {
      const row = (y + m.y) * width + m.x;
      for (let x = 0; x < m.w; x++) {
        if (!m.data[y * m.w + x]) continue;
        area++;
        const k = index.get(labelMap[row + x]);
        if (k !== undefined) inter[k]++;
      }
    }
    for (let k = 0; k < segments.length; k++) {
      if (inter[k] === 0) continue;
      const iou = inter[k] / (area + gtArea[k] - inter[k]);
      if (iou > best[k]) best[k] = iou;
    }
  }
  return [...best];
}

/** Boundary pixels of a label map: a pixel whose E, S or SE neighbour differs (as the BSDS seg2bmap). */
export function labelBoundaries(map: ArrayLike<number>, w: number, h: number): Uint8Array {
  const b = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const v = map[p];
      if (
        (x + 1 < w && map[p + 1] !== v) ||
        (y + 1 < h && map[p + w] !== v) ||
        (x + 1 < w && y + 1 < h && map[p + w + 1] !== v)
      ) {
        b[p] = 1;
      }
    }
  }
  return b;
}

/** Union of the boundaries of every proposal (each mask against its outside). */
export function proposalBoundaries(regions: readonly Region[], w: number, h: number): Uint8Array {
  const b = new Uint8Array(w * h);
  for (const r of regions) {
    const m = r.mask;
    const at = (x: number, y: number) => (x >= 0 && y >= 0 && x < m.w && y < m.h ? m.data[y * m.w + x] : 0);
    for (let y = -1; y < m.h; y++) {
      const Y = y + m.y;
      if (Y < 0 || Y >= h) continue;
      for (let x = -1; x < m.w; x++) {
        const X = x + m.x;
        if (X < 0 || X >= w) continue;
        const v = at(x, y);
        if (
          (X + 1 < w && at(x + 1, y) !== v) ||
          (Y + 1 < h && at(x, y + 1) !== v) ||
          (X + 1 < w && Y + 1 < h && at(x + 1, y + 1) !== v)
        ) {
          b[Y * w + X] = 1;
        }
      }
    }
  }
  return b;
}

/** Pixels of `a` that have a set pixel of `b` within Euclidean distance `r`. */
function withinTolerance(a: Uint8Array, b: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const R = Math.floor(r);
  const offs: [number, number][] = [];
  for (let dy = -R; dy <= R; dy++)
    for (let dx = -R; dx <= R; dx++) if (dx * dx + dy * dy <= r * r) offs.push([dx, dy]);
  offs.sort((p, q) => p[0] * p[0] + p[1] * p[1] - (q[0] * q[0] + q[1] * q[1]));
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!a[y * w + x]) continue;
      for (const [dx, dy] of offs) {
        const X = x + dx;
        const Y = y + dy;
        if (X >= 0 && Y >= 0 && X < w && Y < h && b[Y * w + X]) {
          out[y * w + x] = 1;
          break;
        }
      }
    }
  }
  return out;
}

/** BSDS's default tolerance: 0.0075 of the image diagonal. */
export const BOUNDARY_TOLERANCE = 0.0075;

/**
 * Boundary counts as in the BSDS benchmark, but with tolerance matching instead of its one-to-one
 * pixel correspondence (so slightly generous): a predicted pixel is correct when some annotator has a
 * boundary pixel within the tolerance; recall sums each annotator's matched boundary pixels.
 */
export function boundaryCounts(
  regions: readonly Region[],
  labelMaps: readonly Int32Array[],
  w: number,
  h: number,
): { predMatched: number; pred: number; gtMatched: number; gt: number } {
  const r = BOUNDARY_TOLERANCE * Math.hypot(w, h);
  const pred = proposalBoundaries(regions, w, h);
  const acc = new Uint8Array(w * h);
  let gtMatched = 0;
  let gt = 0;
  for (const map of labelMaps) {
    const g = labelBoundaries(map, w, h);
    const pm = withinTolerance(pred, g, w, h, r);
    const gm = withinTolerance(g, pred, w, h, r);
    for (let i = 0; i < w * h; i++) {
      if (pm[i]) acc[i] = 1;
      gt += g[i];
      gtMatched += gm[i];
    }
  }
  let predCount = 0;
  let predMatched = 0;
  for (let i = 0; i < w * h; i++) {
    predCount += pred[i];
    predMatched += acc[i];
  }
  return { predMatched, pred: predCount, gtMatched, gt };
}

export interface ImageScore {
  name: string;
  marks: number;
  seconds: number;
  ious: number[];
  boundary?: { predMatched: number; pred: number; gtMatched: number; gt: number };
}

export interface ProposalSummary {
  images: number;
  segments: number;
  /** Mean over GT segments of the best IoU any proposal reaches. */
  oracleMIoU: number;
  /** Fraction of GT segments some proposal covers with IoU ≥ 0.5. */
  recall50: number;
  marksPerImage: number;
  secondsPerImage: number;
  boundary?: { precision: number; recall: number; f: number };
}

export function scoreImage(
  gt: GtImage,
  regions: readonly Region[],
  seconds: number,
  withBoundary: boolean,
): ImageScore {
  const ious: number[] = [];
  gt.labelMaps.forEach((map, i) => {
    ious.push(...oracleIoUs(regions, map, gt.image.width, gt.segments[i]));
  });
  const s: ImageScore = { name: gt.name, marks: regions.length, seconds, ious };
  if (withBoundary) s.boundary = boundaryCounts(regions, gt.labelMaps, gt.image.width, gt.image.height);
  return s;
}

export function summarise(scores: readonly ImageScore[]): ProposalSummary {
  const all = scores.flatMap((s) => s.ious);
  const n = Math.max(1, scores.length);
  const sum: ProposalSummary = {
    images: scores.length,
    segments: all.length,
    oracleMIoU: all.length ? all.reduce((a, b) => a + b, 0) / all.length : 0,
    recall50: all.length ? all.filter((v) => v >= 0.5).length / all.length : 0,
    marksPerImage: scores.reduce((a, s) => a + s.marks, 0) / n,
    secondsPerImage: scores.reduce((a, s) => a + s.seconds, 0) / n,
  };
  const b = scores.map((s) => s.boundary).filter((x) => x !== undefined);
  if (b.length > 0) {
    const pm = b.reduce((a, x) => a + x.predMatched, 0);
    const p = b.reduce((a, x) => a + x.pred, 0);
    const gm = b.reduce((a, x) => a + x.gtMatched, 0);
    const g = b.reduce((a, x) => a + x.gt, 0);
    const precision = p ? pm / p : 0;
    const recall = g ? gm / g : 0;
    sum.boundary = {
      precision,
      recall,
      f: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    };
  }
  return sum;
}
