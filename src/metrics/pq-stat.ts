/**
 * Panoptic quality bookkeeping exactly as panopticapi's pq_compute: per-image matching of segment id
 * maps, per-category TP/FP/FN/IoU sums, and the PQ/SQ/RQ averages. Pure functions on id maps, so the
 * edge cases can be tested on hand-made arrays.
 */
import { UserError } from "../errors.js";

export const VOID = 0;
/** Combined (gt, pred) key stride: segment ids are below 256³. */
const OFFSET = 256 * 256 * 256;

export interface SegmentInfo {
  id: number;
  category_id: number | string;
  iscrowd?: number;
  area?: number;
}

export interface CategoryStat {
  iou: number;
  tp: number;
  fp: number;
  fn: number;
}

export type PqStat = Map<number | string, CategoryStat>;

export interface PqImage {
  /** Used in error messages. */
  imageId: unknown;
  gtSegments: SegmentInfo[];
  predSegments: SegmentInfo[];
  /** Segment id per pixel (R + 256·G + 65536·B), same length for both. */
  gtIds: ArrayLike<number>;
  predIds: ArrayLike<number>;
}

function stat(pq: PqStat, category: number | string): CategoryStat {
  let s = pq.get(category);
  if (!s) {
    s = { iou: 0, tp: 0, fp: 0, fn: 0 };
    pq.set(category, s);
  }
  return s;
}

/**
 * Add one image to `pq`. Prediction areas come from the PNG, ground-truth areas from the JSON; match
 * when same category, GT not crowd and IoU > 0.5 with the prediction's void pixels taken out of the
 * union; an unmatched prediction is ignored when more than half of it lies on void plus a crowd region
 * of its category (the last crowd segment of that category, as panopticapi keeps one per category).
 */
export function addImage(pq: PqStat, image: PqImage, categories: Map<number | string, unknown>): void {
  const { gtIds, predIds, imageId } = image;
  // Later entries with the same id replace earlier ones, as Python's dict comprehension does.
  const gtSegms = new Map<number, SegmentInfo>();
  for (const s of image.gtSegments) gtSegms.set(s.id, s);
  const predSegms = new Map<number, SegmentInfo>();
  for (const s of image.predSegments) predSegms.set(s.id, s);

  // Pixel counts of each (gt, pred) pair, accumulated over runs of equal pairs for speed.
  const pairs = new Map<number, number>();
  const predArea = new Map<number, number>();
  let run = 0;
  let key = -1;
  const flush = () => {
    if (run === 0) return;
    pairs.set(key, (pairs.get(key) ?? 0) + run);
    const p = key % OFFSET;
    predArea.set(p, (predArea.get(p) ?? 0) + run);
  };
  for (let i = 0; i < gtIds.length; i++) {
    const k = gtIds[i] * OFFSET + predIds[i];
    if (k === key) {
      run++;
    } else {
      flush();
      key = k;
      run = 1;
    }
  }
  flush();

  // Sanity checks, in panopticapi's order (ascending PNG label).
  const remaining = new Set(predSegms.keys());
  for (const label of [...predArea.keys()].sort((a, b) => a - b)) {
    const seg = predSegms.get(label);
    if (!seg) {
      if (label === VOID) continue;
      throw new UserError(
        `image ${String(imageId)}: segment id ${label} is in the prediction PNG but not in the prediction JSON`,
      );
    }
    remaining.delete(label);
    if (!categories.has(seg.category_id)) {
      throw new UserError(
        `image ${String(imageId)}: segment id ${label} has unknown category_id ${String(seg.category_id)}`,
      );
    }
  }
  if (remaining.size > 0) {
    throw new UserError(
      `image ${String(imageId)}: segment ids ${[...remaining].join(", ")} are in the prediction JSON but not in its PNG`,
    );
  }

  const gtMatched = new Set<number>();
  const predMatched = new Set<number>();
  const sortedKeys = [...pairs.keys()].sort((a, b) => a - b);
  for (const k of sortedKeys) {
    const gtLabel = Math.floor(k / OFFSET);
    const predLabel = k % OFFSET;
    const g = gtSegms.get(gtLabel);
    const p = predSegms.get(predLabel);
    if (!g || !p) continue;
    if (g.iscrowd === 1) continue;
    if (g.category_id !== p.category_id) continue;
    const intersection = pairs.get(k)!;
    if (typeof g.area !== "number") {
      throw new UserError(`image ${String(imageId)}: ground-truth segment ${gtLabel} has no area`);
    }
    const union =
      predArea.get(predLabel)! + g.area - intersection - (pairs.get(VOID * OFFSET + predLabel) ?? 0);
    const iou = intersection / union;
    if (iou > 0.5) {
      const s = stat(pq, g.category_id);
      s.tp += 1;
      s.iou += iou;
      gtMatched.add(gtLabel);
      predMatched.add(predLabel);
    }
  }

  const crowdByCategory = new Map<number | string, number>();
  for (const [label, g] of gtSegms) {
    if (gtMatched.has(label)) continue;
    if (g.iscrowd === 1) {
      crowdByCategory.set(g.category_id, label);
      continue;
    }
    stat(pq, g.category_id).fn += 1;
  }

  for (const [label, p] of predSegms) {
    if (predMatched.has(label)) continue;
    let ignored = pairs.get(VOID * OFFSET + label) ?? 0;
    const crowd = crowdByCategory.get(p.category_id);
    if (crowd !== undefined) ignored += pairs.get(crowd * OFFSET + label) ?? 0;
    if (ignored / predArea.get(label)! > 0.5) continue;
    stat(pq, p.category_id).fp += 1;
  }
}

export interface PqGroup {
  pq: number;
  sq: number;
  rq: number;
  n: number;
}

export interface PqClass {
  pq: number;
  sq: number;
  rq: number;
}

export interface CategoryInfo {
  id: number | string;
  isthing?: number;
}

/**
 * PQ/SQ/RQ averaged over the categories of a group (isthing true/false, or all when undefined).
 * Categories with no TP, FP or FN leave the average (and read 0 in per_class); a group left with no
 * category is null, where panopticapi would divide by zero.
 */
export function pqAverage(
  pq: PqStat,
  categories: CategoryInfo[],
  isthing: boolean | undefined,
): { group: PqGroup | null; perClass: Map<number | string, PqClass> } {
  let sumPq = 0;
  let sumSq = 0;
  let sumRq = 0;
  let n = 0;
  const perClass = new Map<number | string, PqClass>();
  for (const cat of categories) {
    if (isthing !== undefined && (cat.isthing === 1) !== isthing) continue;
    const s = pq.get(cat.id) ?? { iou: 0, tp: 0, fp: 0, fn: 0 };
    if (s.tp + s.fp + s.fn === 0) {
      perClass.set(cat.id, { pq: 0, sq: 0, rq: 0 });
      continue;
    }
    n += 1;
    const pqClass = s.iou / (s.tp + 0.5 * s.fp + 0.5 * s.fn);
    const sqClass = s.tp !== 0 ? s.iou / s.tp : 0;
    const rqClass = s.tp / (s.tp + 0.5 * s.fp + 0.5 * s.fn);
    perClass.set(cat.id, { pq: pqClass, sq: sqClass, rq: rqClass });
    sumPq += pqClass;
    sumSq += sqClass;
    sumRq += rqClass;
  }
  const group = n === 0 ? null : { pq: sumPq / n, sq: sumSq / n, rq: sumRq / n, n };
  return { group, perClass };
}
