/**
 * Referring expression comprehension: accuracy = fraction of expressions whose predicted box has IoU ≥
 * 0.5 with the ground-truth box. Boxes are [x, y, w, h] in pixels, areas w·h (no +1).
 */
import { UserError } from "../errors.js";
import { readJsonFile } from "./json-input.js";

export interface RecEntry {
  id: string | number;
  bbox: [number, number, number, number];
}

export interface RecReport {
  accuracy: number;
}

/**
 * IoU of two [x, y, w, h] boxes, computed on corners (x + w, y + h) as torchvision's box_iou does after
 * the usual xywh → xyxy conversion; 0 when the union is empty.
 */
export function xywhIoU(a: readonly number[], b: readonly number[]): number {
  const [ax1, ay1, ax2, ay2] = [a[0], a[1], a[0] + a[2], a[1] + a[3]];
  const [bx1, by1, bx2, by2] = [b[0], b[1], b[0] + b[2], b[1] + b[3]];
  const inter =
    Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1)) *
    Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  return union > 0 ? inter / union : 0;
}

export function recScores(
  gt: RecEntry[],
  pred: RecEntry[],
  files = { gt: "ground truth", pred: "predictions" },
): RecReport {
  const predById = new Map<string, RecEntry>();
  for (const p of pred) {
    const key = String(p.id);
    if (predById.has(key)) throw new UserError(`${files.pred}: id ${key} appears twice`);
    predById.set(key, p);
  }
  const gtIds = new Set<string>();
  let correct = 0;
  for (const g of gt) {
    const key = String(g.id);
    if (gtIds.has(key)) throw new UserError(`${files.gt}: id ${key} appears twice`);
    gtIds.add(key);
    const p = predById.get(key);
    if (!p) throw new UserError(`${files.pred}: no prediction for id ${key}`);
    if (xywhIoU(g.bbox, p.bbox) >= 0.5) correct++;
  }
  for (const key of predById.keys()) {
    if (!gtIds.has(key)) throw new UserError(`${files.pred}: id ${key} is not in ${files.gt}`);
  }
  if (gt.length === 0) throw new UserError(`${files.gt}: no entries`);
  return { accuracy: correct / gt.length };
}

export async function evaluateRec(options: { gt: string; pred: string }): Promise<RecReport> {
  const gt = checkEntries(await readJsonFile(options.gt), options.gt);
  const pred = checkEntries(await readJsonFile(options.pred), options.pred);
  return recScores(gt, pred, options);
}

function checkEntries(value: unknown, file: string): RecEntry[] {
  if (!Array.isArray(value))
    throw new UserError(`${file}: expected a JSON array of {id, bbox: [x, y, w, h]}`);
  value.forEach((e, k) => {
    if (typeof e !== "object" || e === null || (typeof e.id !== "string" && typeof e.id !== "number")) {
      throw new UserError(`${file}: entry ${k} has no id`);
    }
    const b = e.bbox;
    if (
      !Array.isArray(b) ||
      b.length !== 4 ||
      !b.every((v: unknown) => typeof v === "number" && Number.isFinite(v))
    ) {
      throw new UserError(`${file}: id ${String(e.id)} needs bbox [x, y, w, h] of 4 numbers`);
    }
  });
  return value as RecEntry[];
}
