import type { InferenceSession } from "onnxruntime-node";
import type { RasterImage } from "../../../image/raster.js";

/** A detected text line, axis-aligned, in original image pixels (x, y, w, h). */
export interface TextBox {
  x: number;
  y: number;
  w: number;
  h: number;
  /** Mean DB probability inside the line. */
  score: number;
}

/** PaddleOCR's DB post-processing defaults (det_db_thresh, det_db_box_thresh, det_db_unclip_ratio). */
export const DB_THRESH = 0.3;
export const DB_BOX_THRESH = 0.6;
export const DB_UNCLIP_RATIO = 1.5;
/** Long-side limit of one detector pass; larger screens are tiled. */
export const DET_LIMIT = 1280;

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/**
 * Resize (x, y, w, h) of `image` to an (outW, outH) tensor, both multiples of 32, in PaddleOCR's BGR order
 * and ImageNet normalisation. Bilinear sampling with pixel centres aligned, so a map pixel (u, v) covers
 * original x = (u + 0.5) * w / outW - 0.5: boxes map back through the exact per-axis ratio, no padding shift.
 */
function detTensor(
  image: RasterImage,
  x0: number,
  y0: number,
  w: number,
  h: number,
  outW: number,
  outH: number,
) {
  const plane = outW * outH;
  const out = new Float32Array(3 * plane);
  const sx = w / outW;
  const sy = h / outH;
  const { data, width } = image;
  for (let v = 0; v < outH; v++) {
    const fy = Math.min(Math.max((v + 0.5) * sy - 0.5, 0), h - 1);
    const iy = Math.floor(fy);
    const ty = fy - iy;
    const iy1 = Math.min(iy + 1, h - 1);
    for (let u = 0; u < outW; u++) {
      const fx = Math.min(Math.max((u + 0.5) * sx - 0.5, 0), w - 1);
      const ix = Math.floor(fx);
      const tx = fx - ix;
      const ix1 = Math.min(ix + 1, w - 1);
      const a = ((y0 + iy) * width + x0 + ix) * 4;
      const b = ((y0 + iy) * width + x0 + ix1) * 4;
      const c = ((y0 + iy1) * width + x0 + ix) * 4;
      const d = ((y0 + iy1) * width + x0 + ix1) * 4;
      const o = v * outW + u;
      for (let ch = 0; ch < 3; ch++) {
        const top = data[a + ch] * (1 - tx) + data[b + ch] * tx;
        const bot = data[c + ch] * (1 - tx) + data[d + ch] * tx;
        const val = (top * (1 - ty) + bot * ty) / 255;
        // BGR planes: plane 0 gets blue, normalised with the first mean/std as PaddleOCR does on cv2 images.
        out[(2 - ch) * plane + o] = (val - MEAN[2 - ch]) / STD[2 - ch];
      }
    }
  }
  return out;
}

/** Run the detector over the whole image (tiled when its long side exceeds 2 × DET_LIMIT). */
export async function detectText(det: InferenceSession, image: RasterImage): Promise<TextBox[]> {
  const long = Math.max(image.width, image.height);
  if (long <= DET_LIMIT * 2) return detectTile(det, image, 0, 0, image.width, image.height);
  // Tiles of DET_LIMIT with an overlap of 1/8 so a line cut by one tile is whole in the next.
  const step = Math.floor(DET_LIMIT * 0.875);
  const boxes: TextBox[] = [];
  for (let y = 0; y < image.height; y += step) {
    for (let x = 0; x < image.width; x += step) {
      const w = Math.min(DET_LIMIT, image.width - x);
      const h = Math.min(DET_LIMIT, image.height - y);
      if (w >= 16 && h >= 16) boxes.push(...(await detectTile(det, image, x, y, w, h)));
      if (x + w >= image.width) break;
    }
    if (y + Math.min(DET_LIMIT, image.height - y) >= image.height) break;
  }
  return dedupeTiles(boxes);
}

/** Overlapping tiles find a line twice: keep the larger of two boxes that overlap mostly. */
function dedupeTiles(boxes: TextBox[]): TextBox[] {
  boxes.sort((a, b) => b.w * b.h - a.w * a.h);
  const kept: TextBox[] = [];
  for (const b of boxes) {
    const dup = kept.some((k) => {
      const ix = Math.max(0, Math.min(k.x + k.w, b.x + b.w) - Math.max(k.x, b.x));
      const iy = Math.max(0, Math.min(k.y + k.h, b.y + b.h) - Math.max(k.y, b.y));
      return ix * iy > 0.6 * b.w * b.h;
    });
    if (!dup) kept.push(b);
  }
  return kept;
}

async function detectTile(
  det: InferenceSession,
  image: RasterImage,
  x0: number,
  y0: number,
  w: number,
  h: number,
): Promise<TextBox[]> {
  const ratio = Math.min(1, DET_LIMIT / Math.max(w, h));
  const outW = Math.max(32, Math.round((w * ratio) / 32) * 32);
  const outH = Math.max(32, Math.round((h * ratio) / 32) * 32);
  const ort = await import("onnxruntime-node");
  const input = new ort.Tensor("float32", detTensor(image, x0, y0, w, h, outW, outH), [1, 3, outH, outW]);
  const result = await det.run({ [det.inputNames[0]]: input });
  const prob = result[det.outputNames[0]].data as Float32Array;
  const sx = w / outW;
  const sy = h / outH;
  return dbBoxes(prob, outW, outH).map((b) => {
    // Map-pixel edges → original edges through the per-axis ratio (pixel u spans [u·sx, (u+1)·sx)).
    const x = Math.max(0, Math.floor(b.x0 * sx));
    const y = Math.max(0, Math.floor(b.y0 * sy));
    const x1 = Math.min(w, Math.ceil(b.x1 * sx));
    const y1 = Math.min(h, Math.ceil(b.y1 * sy));
    return { x: x0 + x, y: y0 + y, w: x1 - x, h: y1 - y, score: b.score };
  });
}

interface MapBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  score: number;
}

/** DB post-processing: threshold, 4-connected components, box score, unclip; lines split at large gaps. */
export function dbBoxes(prob: Float32Array, w: number, h: number): MapBox[] {
  const label = new Int32Array(w * h);
  const stack = new Int32Array(w * h);
  const out: MapBox[] = [];
  let next = 0;
  for (let start = 0; start < w * h; start++) {
    if (label[start] !== 0 || prob[start] <= DB_THRESH) continue;
    next++;
    let sp = 0;
    stack[sp++] = start;
    label[start] = next;
    let x0 = w;
    let y0 = h;
    let x1 = -1;
    let y1 = -1;
    while (sp > 0) {
      const p = stack[--sp];
      const px = p % w;
      const py = (p - px) / w;
      if (px < x0) x0 = px;
      if (px > x1) x1 = px;
      if (py < y0) y0 = py;
      if (py > y1) y1 = py;
      if (px > 0 && label[p - 1] === 0 && prob[p - 1] > DB_THRESH) {
        label[p - 1] = next;
        stack[sp++] = p - 1;
      }
      if (px < w - 1 && label[p + 1] === 0 && prob[p + 1] > DB_THRESH) {
        label[p + 1] = next;
        stack[sp++] = p + 1;
      }
      if (py > 0 && label[p - w] === 0 && prob[p - w] > DB_THRESH) {
        label[p - w] = next;
        stack[sp++] = p - w;
      }
      if (py < h - 1 && label[p + w] === 0 && prob[p + w] > DB_THRESH) {
        label[p + w] = next;
        stack[sp++] = p + w;
      }
    }
    for (const part of splitAtGaps(label, next, w, x0, y0, x1, y1)) {
      const box = scoreAndUnclip(prob, label, next, w, h, part[0], y0, part[1], y1);
      if (box) out.push(box);
    }
  }
  return out;
}

/** Column ranges of component `id` separated by empty runs wider than 1.2 × its height (two widgets). */
function splitAtGaps(
  label: Int32Array,
  id: number,
  w: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
) {
  const height = y1 - y0 + 1;
  const maxGap = Math.max(3, Math.round(height * 1.2));
  const parts: [number, number][] = [];
  let runStart = x0;
  let lastFilled = x0;
  for (let x = x0; x <= x1; x++) {
    let filled = false;
    for (let y = y0; y <= y1 && !filled; y++) filled = label[y * w + x] === id;
    if (!filled) continue;
    if (x - lastFilled - 1 > maxGap) {
      parts.push([runStart, lastFilled]);
      runStart = x;
    }
    lastFilled = x;
  }
  parts.push([runStart, lastFilled]);
  return parts;
}

function scoreAndUnclip(
  prob: Float32Array,
  label: Int32Array,
  id: number,
  w: number,
  h: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): MapBox | null {
  // Tight rows of this part, its mean probability (PaddleOCR's box_score_fast over the box).
  let ty0 = y1;
  let ty1 = y0;
  let sum = 0;
  let n = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * w + x;
      if (label[i] === id) {
        if (y < ty0) ty0 = y;
        if (y > ty1) ty1 = y;
      }
      sum += prob[i];
      n++;
    }
  }
  const bw = x1 - x0 + 1;
  const bh = ty1 - ty0 + 1;
  if (Math.min(bw, bh) < 3) return null; // PaddleOCR's min_size
  const score = sum / n;
  if (score < DB_BOX_THRESH) return null;
  // Unclip: the shrunk kernel grows by D = A · r / L (Vatti offset of a rectangle).
  const d = (bw * bh * DB_UNCLIP_RATIO) / (2 * (bw + bh));
  return {
    x0: Math.max(0, x0 - d),
    y0: Math.max(0, ty0 - d),
    x1: Math.min(w, x1 + 1 + d),
    y1: Math.min(h, ty1 + 1 + d),
    score,
  };
}
