/**
 * Automatic mask generation as in the SAM paper / official SamAutomaticMaskGenerator: a point grid over
 * the image (and over each crop), prompts decoded in batches with three masks each, filtered by predicted
 * IoU and stability, masks touching a crop edge dropped, box NMS within and between crops, optional
 * small hole/island clean-up.
 */
import { createRaster, type RasterImage } from "../../image/raster.js";
import type { Mask } from "../../regions/mask.js";
import type { ProposeProgress } from "../proposer.js";
import { buildPointGrid, generateCropBoxes, pointsPerSideForLayer } from "./grid.js";
import { MaskDecoder, maskGeometry } from "./mask-logits.js";
import { type BoxXYXY, isBoxNearCropEdge, maskBoxXYXY, nms } from "./nms.js";
import type { MaskLevel, ResolvedGeneratorOptions } from "./options.js";
import type { SamPredictor } from "./predictor.js";
import { cleanMask } from "./small-regions.js";

export interface GeneratedMask {
  /** In input-image pixels. */
  mask: Mask;
  box: BoxXYXY;
  predictedIou: number;
  stabilityScore: number;
  /** The prompt point, image pixels. */
  point: [number, number];
  cropBox: BoxXYXY;
  level: MaskLevel;
}

export interface GenerateControl {
  signal?: AbortSignal;
  onProgress?: (p: ProposeProgress) => void;
}

const LEVEL_BY_RANK: MaskLevel[] = ["whole", "part", "subpart"];

export function cropRaster(image: RasterImage, box: BoxXYXY): RasterImage {
  const [x0, y0, x1, y1] = box;
  if (x0 === 0 && y0 === 0 && x1 === image.width && y1 === image.height) return image;
  const w = x1 - x0;
  const h = y1 - y0;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const src = ((y + y0) * image.width + x0) * 4;
    data.set(image.data.subarray(src, src + w * 4), y * w * 4);
  }
  return createRaster(w, h, data);
}

function shiftMask(m: Mask, dx: number, dy: number, width: number, height: number): Mask {
  return { ...m, width, height, x: m.w === 0 ? 0 : m.x + dx, y: m.h === 0 ? 0 : m.y + dy };
}

/** Level of each of the three masks of one prompt, by low-res area rank (largest = whole). */
function levelsOf(logits: Float32Array, offset: number, cells: number, threshold: number): MaskLevel[] {
  const areas = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    const base = offset + k * cells;
    let n = 0;
    for (let i = 0; i < cells; i++) if (logits[base + i] > threshold) n++;
    areas[k] = n;
  }
  const order = [0, 1, 2].sort((a, b) => areas[b] - areas[a] || a - b);
  const levels: MaskLevel[] = ["whole", "whole", "whole"];
  order.forEach((k, rank) => {
    levels[k] = LEVEL_BY_RANK[rank];
  });
  return levels;
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("aborted");
}

export async function generateMasks(
  predictor: SamPredictor,
  image: RasterImage,
  opts: ResolvedGeneratorOptions,
  control: GenerateControl = {},
): Promise<GeneratedMask[]> {
  const W = image.width;
  const H = image.height;
  const imageBox: BoxXYXY = [0, 0, W, H];
  const crops = generateCropBoxes(W, H, opts.cropNLayers, opts.cropOverlapRatio);
  const grids = crops.map((c) =>
    buildPointGrid(pointsPerSideForLayer(opts.pointsPerSide, c.layer, opts.cropNPointsDownscaleFactor)),
  );
  const total = grids.reduce((s, g) => s + Math.ceil(g.length / opts.pointsPerBatch), 0);
  let done = 0;
  const wanted = new Set(opts.levels);
  const all: GeneratedMask[] = [];
  const cropAreas: number[] = [];

  for (let c = 0; c < crops.length; c++) {
    checkAbort(control.signal);
    const cropBox = crops[c].box;
    const [x0, y0, x1, y1] = cropBox;
    const cw = x1 - x0;
    const ch = y1 - y0;
    const emb = await predictor.embed(cropRaster(image, cropBox));
    const points = grids[c].map(([u, v]): [number, number] => [u * cw, v * ch]);
    let decoder: MaskDecoder | null = null;
    const inCrop: GeneratedMask[] = [];
    for (let b = 0; b < points.length; b += opts.pointsPerBatch) {
      checkAbort(control.signal);
      const batch = points.slice(b, b + opts.pointsPerBatch);
      const dec = await predictor.decode(
        emb,
        batch.map((p) => ({ points: [p], labels: [1] })),
      );
      decoder ??= new MaskDecoder(maskGeometry(dec.maskH, dec.maskW, emb.padded, emb.reshaped, cw, ch));
      const cells = dec.maskH * dec.maskW;
      for (let i = 0; i < batch.length; i++) {
        // Levels are needed up front only to filter by them; otherwise only for masks that pass.
        let levels = wanted.size < 3 ? levelsOf(dec.logits, i * 3 * cells, cells, opts.maskThreshold) : null;
        for (let k = 0; k < 3; k++) {
          if (levels && !wanted.has(levels[k])) continue;
          const iou = dec.iou[i * 3 + k];
          if (opts.predIouThresh > 0 && !(iou > opts.predIouThresh)) continue;
          const t = decoder.threshold(
            dec.logits,
            (i * 3 + k) * cells,
            opts.maskThreshold,
            opts.stabilityScoreOffset,
          );
          if (opts.stabilityScoreThresh > 0 && !(t.stability >= opts.stabilityScoreThresh)) continue;
          if (t.mask.w === 0) continue;
          const b0 = maskBoxXYXY(t.mask);
          const box: BoxXYXY = [b0[0] + x0, b0[1] + y0, b0[2] + x0, b0[3] + y0];
          if (isBoxNearCropEdge(box, cropBox, imageBox)) continue;
          levels ??= levelsOf(dec.logits, i * 3 * cells, cells, opts.maskThreshold);
          inCrop.push({
            mask: shiftMask(t.mask, x0, y0, W, H),
            box,
            predictedIou: iou,
            stabilityScore: t.stability,
            point: [batch[i][0] + x0, batch[i][1] + y0],
            cropBox,
            level: levels[k],
          });
        }
      }
      done++;
      control.onProgress?.({ stage: "sam", done, total });
    }
    const keep = nms(
      inCrop.map((m) => m.box),
      inCrop.map((m) => m.predictedIou),
      opts.boxNmsThresh,
    );
    for (const i of keep) {
      all.push(inCrop[i]);
      cropAreas.push(cw * ch);
    }
  }

  let result: GeneratedMask[] = all;
  if (crops.length > 1) {
    // Between crops, prefer masks from smaller crops.
    const keep = nms(
      all.map((m) => m.box),
      cropAreas.map((a) => 1 / a),
      opts.cropNmsThresh,
    );
    result = keep.map((i) => all[i]);
  }
  if (opts.minMaskRegionArea > 0) result = cleanSmallRegions(result, opts);
  return result;
}

/** Official postprocess_small_regions: clean each mask, then NMS preferring masks that did not change. */
function cleanSmallRegions(masks: GeneratedMask[], opts: ResolvedGeneratorOptions): GeneratedMask[] {
  const cleaned = masks.map((m) => {
    const c = cleanMask(m.mask, opts.minMaskRegionArea);
    return {
      m: c.changed ? { ...m, mask: c.mask, box: maskBoxXYXY(c.mask) } : m,
      unchanged: c.changed ? 0 : 1,
    };
  });
  const keep = nms(
    cleaned.map((c) => c.m.box),
    cleaned.map((c) => c.unchanged),
    Math.max(opts.boxNmsThresh, opts.cropNmsThresh),
  );
  return keep.map((i) => cleaned[i].m).filter((m) => m.mask.w > 0);
}
