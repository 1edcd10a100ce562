/**
 * Referring segmentation scores with LAVT's conventions: mIoU is the mean of per-expression IoUs (0
 * when the union is empty), cIoU is ΣI/ΣU over all expressions, precision@t counts IoU ≥ t.
 * `som metrics refer` scores two folders of binary PNG masks matched by file name.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { decodePng } from "../image/png-index.js";
import { npMean } from "./numpy-sum.js";

/** Thresholds as LAVT writes them (the literals, not i/10, so 0.6 and 0.7 compare identically). */
export const REFER_THRESHOLDS = ["0.5", "0.6", "0.7", "0.8", "0.9"] as const;

export interface ReferReport {
  mIoU: number;
  cIoU: number;
  precision: Record<(typeof REFER_THRESHOLDS)[number], number>;
}

export interface ReferSample {
  intersection: number;
  union: number;
}

export function referScores(samples: ReferSample[]): ReferReport {
  const ious = samples.map((s) => (s.union === 0 ? 0 : s.intersection / s.union));
  let cumI = 0;
  let cumU = 0;
  for (const s of samples) {
    cumI += s.intersection;
    cumU += s.union;
  }
  const precision = {} as ReferReport["precision"];
  for (const t of REFER_THRESHOLDS) {
    const threshold = Number(t);
    precision[t] = ious.filter((iou) => iou >= threshold).length / samples.length;
  }
  return { mIoU: npMean(ious), cIoU: cumI / cumU, precision };
}

/** Intersection and union of two same-size binary masks (non-zero = foreground). */
export function maskOverlap(gt: Uint8Array, pred: Uint8Array): ReferSample {
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < gt.length; i++) {
    if (gt[i] && pred[i]) intersection++;
    if (gt[i] || pred[i]) union++;
  }
  return { intersection, union };
}

export interface ReferOptions {
  gtMasks: string;
  predMasks: string;
}

/** Score every `*.png` of the ground-truth folder against the same-named file of the prediction folder. */
export async function evaluateRefer(options: ReferOptions): Promise<ReferReport> {
  let names: string[];
  try {
    names = (await readdir(options.gtMasks)).filter((n) => n.toLowerCase().endsWith(".png")).sort();
  } catch {
    throw new UserError(`${options.gtMasks}: ground-truth mask folder not found`, "not_found");
  }
  if (names.length === 0) throw new UserError(`${options.gtMasks}: no PNG masks in the ground-truth folder`);
  const samples: ReferSample[] = [];
  for (const name of names) {
    const gt = await readBinaryMask(join(options.gtMasks, name), "ground-truth mask");
    const predFile = join(options.predMasks, name);
    const pred = await readBinaryMask(predFile, `prediction for ${name}`);
    if (pred.width !== gt.width || pred.height !== gt.height) {
      throw new UserError(
        `${predFile}: ${pred.width}x${pred.height}, ground truth ${name} is ${gt.width}x${gt.height}`,
      );
    }
    samples.push(maskOverlap(gt.mask, pred.mask));
  }
  return referScores(samples);
}

/**
 * A PNG as a binary mask: palette index or grey value non-zero; for colour images any colour channel
 * non-zero (alpha is ignored).
 */
export async function readBinaryMask(
  file: string,
  what: string,
): Promise<{ width: number; height: number; mask: Uint8Array }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw new UserError(`${file}: missing ${what}`, "not_found");
  }
  let png: ReturnType<typeof decodePng>;
  try {
    png = decodePng(bytes);
  } catch (err) {
    throw new UserError(`${file}: ${(err as Error).message}`);
  }
  const n = png.width * png.height;
  const colour = png.colorType === 2 || png.colorType === 6 ? 3 : 1;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < colour; c++) if (png.data[i * png.channels + c] !== 0) mask[i] = 1;
  }
  return { width: png.width, height: png.height, mask };
}
