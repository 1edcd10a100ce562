import { type Mask, bboxIoU, maskArea, maskBBox, maskIoU } from "../../regions/mask.js";
import { type Region, makeRegion } from "../../regions/region.js";
import type { RegionHierarchy } from "./hierarchy.js";

export interface SelectOptions {
  /** 0 = coarse (few large regions) … 1 = fine (many small ones); default 0.5. */
  granularity?: number;
  /** Cap on the number of regions (the most persistent are kept). */
  maxMarks?: number;
  /** Tuning: ratio of region counts between successive levels used (default 0.65). */
  levelRatio?: number;
  /** Tuning: region count of the finest level used at granularity 1 (default 250). */
  finestAt1?: number;
}

export const DEFAULT_GRANULARITY = 0.5;
/** Region count of the finest level used at granularity 0 and 1 (geometric in between). */
const FINEST_AT_0 = 5;
const FINEST_AT_1 = 250;
/** Each coarser level used has this fraction of the regions of the next finer one. */
const LEVEL_RATIO = 0.65;
/** Regions smaller than this fraction of the image are not offered as marks. */
const MIN_MARK_FRACTION = 0.0005;
/** Regions larger than this fraction are the whole image, not a useful mark. */
const MAX_MARK_FRACTION = 0.95;
/** Two regions with a higher IoU are duplicates; the less persistent one is dropped. */
const DUPLICATE_IOU = 0.9;

function clampGranularity(g: number | undefined): number {
  if (g === undefined || Number.isNaN(g)) return DEFAULT_GRANULARITY;
  return Math.min(1, Math.max(0, g));
}

/** Region count of the finest hierarchy level used at a granularity. */
export function finestLevelCount(granularity: number, finestAt1 = FINEST_AT_1): number {
  const g = clampGranularity(granularity);
  return Math.round(FINEST_AT_0 * (finestAt1 / FINEST_AT_0) ** g);
}

/** Region counts of the levels used at a granularity, finest first. */
export function levelCounts(granularity: number, ratio = LEVEL_RATIO, finestAt1 = FINEST_AT_1): number[] {
  const out: number[] = [];
  for (let c = finestLevelCount(granularity, finestAt1); c >= 2; c = Math.min(c - 1, Math.floor(c * ratio)))
    out.push(c);
  return out;
}

/**
 * Hierarchy nodes offered as marks at a granularity: every region of the chosen levels (objects and their
 * parts), minus tiny ones, the whole image and near-duplicates (a node and an ancestor covering almost the
 * same pixels). Ordered coarse to fine (then by persistence), and capped at `maxMarks`.
 */
export function selectNodes(h: RegionHierarchy, options: SelectOptions = {}): number[] {
  const g = clampGranularity(options.granularity);
  // Coarsest level each candidate appears in: coarse regions come first, so a cap keeps objects before parts.
  const coarsest = new Map<number, number>();
  for (const c of levelCounts(g, options.levelRatio, options.finestAt1))
    for (const n of h.cut(c)) coarsest.set(n, c);
  const ranked = [...coarsest.keys()]
    .filter((n) => {
      const f = h.areaFraction(n);
      return f >= MIN_MARK_FRACTION && f <= MAX_MARK_FRACTION;
    })
    .sort(
      (a, b) =>
        coarsest.get(a)! - coarsest.get(b)! ||
        h.persistence(b) - h.persistence(a) ||
        h.workArea(b) - h.workArea(a) ||
        a - b,
    );
  const kept = new Set<number>();
  const out: number[] = [];
  for (const n of ranked) {
    if (isNestedDuplicate(h, n, kept)) continue;
    kept.add(n);
    out.push(n);
  }
  return options.maxMarks !== undefined ? out.slice(0, Math.max(0, options.maxMarks)) : out;
}

/** In a tree, two nodes overlap only when nested, and then IoU = small area / large area. */
function isNestedDuplicate(h: RegionHierarchy, n: number, kept: Set<number>): boolean {
  const an = h.workArea(n);
  for (let p = h.parentOf(n); p >= 0; p = h.parentOf(p)) {
    if (an / h.workArea(p) <= DUPLICATE_IOU) break;
    if (kept.has(p)) return true;
  }
  for (const k of kept) {
    const ak = h.workArea(k);
    if (ak >= an || ak / an <= DUPLICATE_IOU) continue;
    for (let p = h.parentOf(k); p >= 0 && h.workArea(p) <= an; p = h.parentOf(p)) if (p === n) return true;
  }
  return false;
}

/**
 * The regions to mark at a granularity, as Region objects at input resolution: ids 1..n ordered by area
 * (largest first, then top-left), source "builtin", score = how persistent the region is in the hierarchy.
 */
export function hierarchyRegions(h: RegionHierarchy, options: SelectOptions = {}): Region[] {
  const nodes = selectNodes(h, { ...options, maxMarks: undefined });
  const minArea = MIN_MARK_FRACTION * h.width * h.height;
  const picked: { mask: Mask; area: number; score: number; node: number }[] = [];
  const cap = options.maxMarks ?? Number.POSITIVE_INFINITY;
  for (const node of nodes) {
    if (picked.length >= cap) break;
    const score = 1 - Math.exp(-h.persistence(node));
    for (const mask of h.nodeMasks(node)) {
      if (picked.length >= cap) break;
      const area = maskArea(mask);
      if (area < minArea) continue;
      const bb = maskBBox(mask);
      const dup = picked.some(
        (p) =>
          Math.min(area, p.area) / Math.max(area, p.area) > DUPLICATE_IOU &&
          bboxIoU(bb, maskBBox(p.mask)) > DUPLICATE_IOU &&
          maskIoU(mask, p.mask, area, p.area) > DUPLICATE_IOU,
      );
      if (!dup) picked.push({ mask, area, score, node });
    }
  }
  picked.sort((a, b) => b.area - a.area || a.mask.y - b.mask.y || a.mask.x - b.mask.x || a.node - b.node);
  return picked.map((p, i) =>
    makeRegion(i + 1, p.mask, "builtin", Math.round(p.score * 1000) / 1000, { node: p.node }),
  );
}
