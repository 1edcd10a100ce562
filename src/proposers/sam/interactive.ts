/**
 * Interactive prompts → one region each: all points together (positive and negative) make one prompt,
 * each box one prompt, each connected part of a scribble one prompt (as the official SoM demo splits
 * scribbles). The multimask output with the highest predicted IoU is kept. The image embedding comes
 * from the predictor's per-image cache, so many prompts on one image cost one encoder run.
 */
import type { RasterImage } from "../../image/raster.js";
import { type BBox, type Mask, maskToFull } from "../../regions/mask.js";
import { makeRegion, type Region } from "../../regions/region.js";
import { MaskDecoder, maskGeometry } from "./mask-logits.js";
import type { SamPredictor, SamPrompt } from "./predictor.js";

export interface PointInput {
  x: number;
  y: number;
  /** 1 = positive (default), 0 = negative. */
  label?: 0 | 1;
}

export interface InteractivePrompts {
  points?: PointInput[];
  /** [x, y, w, h] boxes in image pixels. */
  boxes?: BBox[];
  /** Scribble strokes as a mask (any pixels set); each 8-connected part becomes one prompt. */
  scribble?: Mask;
}

export interface SegmentOptions {
  maskThreshold?: number;
  /** Positive points sampled along each scribble part. */
  pointsPerScribble?: number;
}

/** 8-connected parts of a mask, each as the list of its pixel indices (full-image, row-major). */
export function connectedParts(mask: Mask): number[][] {
  const { width: w, height: h } = mask;
  const full = maskToFull(mask);
  const seen = new Uint8Array(w * h);
  const parts: number[][] = [];
  for (let s = 0; s < full.length; s++) {
    if (!full[s] || seen[s]) continue;
    const part: number[] = [];
    const stack = [s];
    seen[s] = 1;
    while (stack.length > 0) {
      const p = stack.pop() as number;
      part.push(p);
      const px = p % w;
      const py = (p - px) / w;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = px + dx;
          const ny = py + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const q = ny * w + nx;
          if (full[q] && !seen[q]) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
    parts.push(part.sort((a, b) => a - b));
  }
  return parts;
}

/** Up to k points spread over a part: the pixel nearest its centroid, then farthest-point sampling. */
export function samplePartPoints(part: number[], width: number, k: number): Array<[number, number]> {
  const xs = part.map((p) => p % width);
  const ys = part.map((p) => Math.floor(p / width));
  const cx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const cy = ys.reduce((a, b) => a + b, 0) / ys.length;
  let first = 0;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < xs.length; i++) {
    const d = (xs[i] - cx) ** 2 + (ys[i] - cy) ** 2;
    if (d < best) {
      best = d;
      first = i;
    }
  }
  const chosen = [first];
  const dist = xs.map((x, i) => (x - xs[first]) ** 2 + (ys[i] - ys[first]) ** 2);
  while (chosen.length < Math.min(k, xs.length)) {
    let far = -1;
    let farD = 0;
    for (let i = 0; i < dist.length; i++) {
      if (dist[i] > farD) {
        farD = dist[i];
        far = i;
      }
    }
    if (far < 0) break;
    chosen.push(far);
    for (let i = 0; i < dist.length; i++)
      dist[i] = Math.min(dist[i], (xs[i] - xs[far]) ** 2 + (ys[i] - ys[far]) ** 2);
  }
  return chosen.map((i): [number, number] => [xs[i] + 0.5, ys[i] + 0.5]);
}

interface NamedPrompt {
  prompt: SamPrompt;
  kind: "points" | "box" | "scribble";
}

function toSamPrompts(input: InteractivePrompts, image: RasterImage, options: SegmentOptions): NamedPrompt[] {
  const out: NamedPrompt[] = [];
  for (const p of input.points ?? []) {
    if (!(p.x >= 0 && p.y >= 0 && p.x <= image.width && p.y <= image.height)) {
      throw new RangeError(`point ${p.x},${p.y} is outside the ${image.width}x${image.height} image`);
    }
  }
  if (input.points && input.points.length > 0) {
    out.push({
      kind: "points",
      prompt: { points: input.points.map((p) => [p.x, p.y]), labels: input.points.map((p) => p.label ?? 1) },
    });
  }
  for (const [x, y, w, h] of input.boxes ?? []) {
    if (!(w > 0 && h > 0)) throw new RangeError(`box ${x},${y},${w},${h} has no area`);
    if (x >= image.width || y >= image.height || x + w <= 0 || y + h <= 0) {
      throw new RangeError(`box ${x},${y},${w},${h} is outside the ${image.width}x${image.height} image`);
    }
    out.push({ kind: "box", prompt: { points: [], labels: [], box: [x, y, x + w, y + h] } });
  }
  if (input.scribble) {
    if (input.scribble.width !== image.width || input.scribble.height !== image.height) {
      throw new RangeError("the scribble mask must have the size of the image");
    }
    for (const part of connectedParts(input.scribble)) {
      const pts = samplePartPoints(part, image.width, options.pointsPerScribble ?? 5);
      out.push({ kind: "scribble", prompt: { points: pts, labels: pts.map(() => 1) } });
    }
  }
  return out;
}

/** Segment the prompts on `image`; regions come back with ids 1..n in prompt order (points, boxes, scribbles). */
export async function segmentPrompts(
  predictor: SamPredictor,
  image: RasterImage,
  input: InteractivePrompts,
  options: SegmentOptions = {},
): Promise<Region[]> {
  const prompts = toSamPrompts(input, image, options);
  if (prompts.length === 0) return [];
  const emb = await predictor.embed(image);
  let decoder: MaskDecoder | null = null;
  const regions: Region[] = [];
  for (const { prompt, kind } of prompts) {
    const dec = await predictor.decode(emb, [prompt]);
    decoder ??= new MaskDecoder(
      maskGeometry(dec.maskH, dec.maskW, emb.padded, emb.reshaped, image.width, image.height),
    );
    let k = 0;
    for (let j = 1; j < 3; j++) if (dec.iou[j] > dec.iou[k]) k = j;
    const cells = dec.maskH * dec.maskW;
    const t = decoder.threshold(dec.logits, k * cells, options.maskThreshold ?? 0, 1);
    const score = Math.min(1, Math.max(0, dec.iou[k]));
    regions.push(
      makeRegion(regions.length + 1, t.mask, "sam", score, {
        prompt: kind,
        predicted_iou: dec.iou[k],
        stability_score: t.stability,
        ...(prompt.box ? { box_prompt: prompt.box } : {}),
        ...(prompt.points.length > 0 ? { point_prompts: prompt.points, point_labels: prompt.labels } : {}),
      }),
    );
  }
  return regions;
}
