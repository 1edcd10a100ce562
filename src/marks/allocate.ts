import type { BBox } from "../regions/mask.js";
import type { Region } from "../regions/region.js";
import { maskRuns } from "../regions/runs.js";
import { BoxIndex } from "./box-index.js";
import { intersectIntervals, subtractInterval } from "./intervals.js";
import { squaredDistanceTransform } from "./distance-transform.js";
import { type LabelStyle, labelText } from "./labels.js";

export interface LabelSize {
  w: number;
  h: number;
}

/** A region with its label placed. */
export interface PlacedMark {
  id: number;
  label: string;
  region: Region;
  /** Label centre, image pixels. */
  anchor: [number, number];
  /** Label rectangle [x, y, w, h], integer image pixels, always inside the image. */
  labelBox: BBox;
  /** True when the label box lies entirely inside the region's mask. */
  inside: boolean;
}

export interface AllocateOptions {
  labels: LabelStyle;
  /** Size of the drawn label rectangle for a text, in pixels. */
  measure: (text: string) => LabelSize;
  /** Free pixels kept between two label boxes. Default 1. */
  gap?: number;
  /**
   * Farthest a label may sit from its region's anchor when the region cannot hold it, in pixels. Default: no
   * limit. A label that finds no free spot within it counts as an overlap.
   */
  maxDistance?: number;
  /** Stop at the first label that cannot be placed (the caller will retry with a smaller font). */
  stopAtOverlap?: boolean;
  /** Shared by calls on the same regions (placeMarks' retries): label-size-independent work per region. */
  cache?: AllocationCache;
}

export interface Allocation {
  marks: PlacedMark[];
  /** Labels that could not be placed without overlapping another label (then the caller shrinks the font). */
  overlaps: number;
}

/**
 * The paper's Algorithm 1 with stronger guarantees. Regions go by ascending area; each region's label goes at
 * the distance-transform maximum of the part not covered by smaller regions, chosen among the positions where
 * the whole label box fits inside the region and touches no earlier label. A region that cannot hold its
 * label gets it at the nearest free spot just outside. Labels never overlap and always lie inside the image
 * (overlaps > 0 reports the rare case where the image is too crowded for the requested font size).
 */
export function allocateMarks(
  regions: readonly Region[],
  width: number,
  height: number,
  options: AllocateOptions,
): Allocation {
  const gap = options.gap ?? 1;
  const cache = options.cache ?? new Map();
  const covered = new Uint8Array(width * height);
  const placed = new BoxIndex(width, height);
  const order = [...regions].sort((a, b) => a.area - b.area || a.id - b.id);
  const byId = new Map<number, PlacedMark>();
  let overlaps = 0;

  for (const region of order) {
    const text = labelText(region.id, options.labels);
    const size = options.measure(text);
    const lw = Math.min(Math.ceil(size.w), width);
    const lh = Math.min(Math.ceil(size.h), height);
    const found: InsideResult =
      region.area > 0
        ? searchInside(region, covered, placed, gap, lw, lh, cache)
        : { ref: bboxCentre(region) };
    let box = found.box;
    const inside = box !== undefined;
    if (!box) {
      const [rx, ry] = found.ref;
      box = searchOutside(rx, ry, lw, lh, width, height, placed, gap, options.maxDistance);
      if (!box) {
        overlaps++;
        if (options.stopAtOverlap) return { marks: [], overlaps };
        box = clampBox(Math.round(rx - lw / 2), Math.round(ry - lh / 2), lw, lh, width, height);
      }
    }
    placed.add(box);
    markCovered(covered, width, region);
    byId.set(region.id, {
      id: region.id,
      label: text,
      region,
      anchor: [box[0] + box[2] / 2, box[1] + box[3] / 2],
      labelBox: box,
      inside,
    });
  }
  const marks = regions.map((r) => byId.get(r.id)!);
  return { marks, overlaps };
}

interface InsideResult {
  box?: BBox;
  /** The paper's anchor (distance-transform maximum of the uncovered part), image pixels. */
  ref: [number, number];
}

/** About this many cells on the grid of the anchor's distance transform (~1/32 of the region's size). */
const ANCHOR_CELLS = 1024;

/**
 * The label spot inside the region. The anchor is the paper's: the maximum of the distance transform of the
 * part not covered by smaller regions (minus the cells earlier labels touch, so it lands on free space),
 * on a grid of about ANCHOR_CELLS cells whatever the label size. The label box then goes to the position
 * nearest that anchor where it lies entirely inside the uncovered part and clear of earlier labels; if there
 * is none, entirely inside the region (over smaller regions) and clear of labels. Both searches are exact on
 * the pixels (the mask's row runs), so a label that fits anywhere is never missed; they look at rows
 * outward from the anchor and stop as soon as no nearer spot can exist, so a fit near the anchor costs
 * a few rows, not the whole crop.
 */
function searchInside(
  region: Region,
  covered: Uint8Array,
  placed: BoxIndex,
  gap: number,
  lw: number,
  lh: number,
  cache: AllocationCache,
): InsideResult {
  const m = region.mask;
  let a = cache.get(region);
  if (!a) {
    a = anchorsOf(region, covered);
    cache.set(region, a);
  }
  // The deepest cell of the uncovered part that no earlier label touches (else the paper's anchor).
  let ref = a.ref;
  for (let i = 0; i < a.deepest.length; i++) {
    const g = a.deepest[i];
    const cellBox: BBox = [m.x + (g % a.gw) * a.cell, m.y + Math.floor(g / a.gw) * a.cell, a.cell, a.cell];
    if (!placed.touchesAny(cellBox, gap)) {
      ref = [cellBox[0] + a.cell / 2, cellBox[1] + a.cell / 2];
      break;
    }
  }
  if (lw > m.w || lh > m.h) return { ref: a.ref };
  const labels = placed.near([m.x - lw, m.y - lh, m.w + 2 * lw, m.h + 2 * lh], gap);
  if (a.uncovered) {
    const box = nearestFit(m, a.uncovered, ref, lw, lh, labels, gap);
    if (box) return { box, ref: a.ref };
  }
  const { rowStart, x0, x1 } = maskRuns(m);
  const maskRow = (y: number): number[] => {
    const out: number[] = [];
    for (let k = rowStart[y]; k < rowStart[y + 1]; k++) out.push(x0[k], x1[k]);
    return out;
  };
  const box = nearestFit(m, maskRow, ref, lw, lh, labels, gap);
  return box ? { box, ref: a.ref } : { ref: a.ref };
}

/**
 * What the label search needs of a region that does not depend on the label size: the paper's anchor, the
 * cells of the uncovered part deepest first, and the uncovered part's row intervals. It depends only on the
 * region and the smaller regions (allocation order), so the font-shrinking retries of placeMarks share it.
 */
export type AllocationCache = Map<Region, RegionAnchors>;

interface RegionAnchors {
  /** The paper's anchor (distance-transform maximum of the uncovered part), image pixels. */
  ref: [number, number];
  cell: number;
  gw: number;
  /** The deepest cells of the uncovered part (up to ANCHOR_CANDIDATES), deepest first, ties by index. */
  deepest: number[];
  /** Row intervals of the uncovered part, crop row → [x0, x1, …]; undefined when it is the whole mask. */
  uncovered?: (cropRow: number) => number[];
}

/** Candidate anchor cells kept per region: the deepest ones; the rest fall back to the paper's anchor. */
const ANCHOR_CANDIDATES = 16;

function anchorsOf(region: Region, covered: Uint8Array): RegionAnchors {
  const m = region.mask;
  const cell = Math.max(1, Math.ceil(Math.sqrt((m.w * m.h) / ANCHOR_CELLS)));
  const g = remainderGrid(region, covered, cell);
  // The deepest cells, deepest first (ties: lower index), by insertion into a short sorted list.
  const top: number[] = [];
  const { dt } = g;
  for (let i = 0; i < dt.length; i++) {
    const v = dt[i];
    if (v <= 0) continue;
    if (top.length === ANCHOR_CANDIDATES && v <= dt[top[top.length - 1]]) continue;
    let j = top.length;
    while (j > 0 && dt[top[j - 1]] < v) j--;
    top.splice(j, 0, i);
    if (top.length > ANCHOR_CANDIDATES) top.pop();
  }
  const u = g.uncovered;
  return {
    ref: g.ref,
    cell,
    gw: g.gw,
    deepest: top,
    uncovered: u ? (y) => u.free.slice(u.freeStart[y], u.freeStart[y + 1]) : undefined,
  };
}

/**
 * The lw×lh box position nearest `ref` (box centre to ref, Euclidean; ties: upper rows, then left) whose every
 * row lies inside one interval of `rowIntervals` (crop row → sorted [x0, x1, …] image-pixel intervals,
 * half-open) and which touches none of `labels`. Exact on pixels. Rows are visited outward from the row that
 * would centre the box on ref; the search stops once the vertical offset alone is no better than the best.
 */
function nearestFit(
  m: Region["mask"],
  rowIntervals: (cropRow: number) => number[],
  ref: readonly [number, number],
  lw: number,
  lh: number,
  labels: readonly BBox[],
  gap: number,
): BBox | undefined {
  const rows = m.h - lh + 1;
  if (rows <= 0) return undefined;
  // Left positions px where the box fits in row r: [a, b - lw + 1) for each interval [a, b) at least lw long.
  const fits: (number[] | undefined)[] = new Array(m.h);
  const fitsOf = (r: number): number[] => {
    let f = fits[r];
    if (!f) {
      f = [];
      const iv = rowIntervals(r);
      for (let i = 0; i < iv.length; i += 2) if (iv[i + 1] - iv[i] >= lw) f.push(iv[i], iv[i + 1] - lw + 1);
      fits[r] = f;
    }
    return f;
  };
  // Labels by top edge, so each row looks only at those whose rows (with the gap) can meet the box's.
  const byTop = [...labels].sort((p, q) => p[1] - q[1]);
  let tallest = 0;
  for (const b of byTop) tallest = Math.max(tallest, b[3]);
  const wantX = ref[0] - lw / 2;
  const wantY = ref[1] - lh / 2;
  const c0 = Math.min(rows - 1, Math.max(0, Math.round(wantY) - m.y));
  let best: BBox | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (let d = 0; d < rows; d++) {
    for (const top of d === 0 ? [c0] : [c0 - d, c0 + d]) {
      if (top < 0 || top >= rows) continue;
      const py = m.y + top;
      const dy = py - wantY;
      if (Math.abs(dy) >= bestD) continue;
      // Intersect the rows of the box (an empty row ends it at once).
      let span = fitsOf(top);
      for (let r = top + 1; r < top + lh && span.length > 0; r++) span = intersectIntervals(span, fitsOf(r));
      if (span.length === 0) continue;
      // Remove positions blocked by labels whose rows (with the gap) meet the box's rows.
      let lo = 0;
      let hi = byTop.length;
      const from = py - gap - tallest;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (byTop[mid][1] <= from) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < byTop.length && span.length > 0; i++) {
        const [bx, by, bw, bh] = byTop[i];
        if (by >= py + lh + gap) break;
        if (py < by + bh + gap) span = subtractInterval(span, bx - lw - gap + 1, bx + bw + gap);
      }
      if (span.length === 0) continue;
      for (let i = 0; i < span.length; i += 2) {
        const px = Math.min(span[i + 1] - 1, Math.max(span[i], Math.round(wantX)));
        const dd = Math.hypot(px - wantX, dy);
        if (dd < bestD) {
          bestD = dd;
          best = [px, py, lw, lh];
        }
      }
    }
    if (d >= bestD) break;
  }
  return best;
}

function bboxCentre(region: Region): [number, number] {
  return [region.bbox[0] + region.bbox[2] / 2, region.bbox[1] + region.bbox[3] / 2];
}

interface RemainderGrid {
  gw: number;
  gh: number;
  /** Cells at least half of whose pixels are in the uncovered part (the whole mask when nothing is left). */
  remCells: Uint8Array;
  /** Squared distance transform of remCells, in cells. */
  dt: Float32Array;
  best: number;
  bestAt: number;
  /** Centre of the deepest cell (the paper's anchor), image pixels; the bbox centre when there is none. */
  ref: [number, number];
  /** Smaller regions cover some but not all of the mask (the uncovered part differs from the mask). */
  partial: boolean;
  /** When partial: the uncovered part's intervals, crop row y at free[freeStart[y] .. freeStart[y + 1]). */
  uncovered?: { free: number[]; freeStart: Int32Array };
}

/**
 * The region's mask and the part of it not covered by smaller regions, counted on `cell`-pixel cells of its
 * crop, with the distance transform of the uncovered part.
 */
function remainderGrid(region: Region, covered: Uint8Array, cell: number): RemainderGrid {
  const m = region.mask;
  const W = m.width;
  const gw = Math.ceil(m.w / cell);
  const gh = Math.ceil(m.h / cell);
  const n = gw * gh;
  const inMask = new Int32Array(n);
  const inRem = new Int32Array(n);
  const { rowStart, x0, x1 } = maskRuns(m);
  let remaining = 0;
  // Uncovered intervals of all rows in one flat list (few objects: this runs for every region).
  const free: number[] = [];
  const freeStart = new Int32Array(m.h + 1);
  for (let y = 0; y < m.h; y++) {
    const gRow = ((y / cell) | 0) * gw;
    const imgRow = (y + m.y) * W;
    freeStart[y] = free.length;
    for (let k = rowStart[y]; k < rowStart[y + 1]; k++) {
      const a = x0[k] - m.x;
      const len = x1[k] - x0[k];
      addSpan(inMask, gRow, a, a + len, cell);
      // Uncovered stretches of the run, found with native byte searches over the run only: a run that no
      // smaller region touches costs one search, not one read per pixel.
      const seg = covered.subarray(imgRow + x0[k], imgRow + x1[k]);
      let pos = 0;
      while (pos < len) {
        let c = seg.indexOf(1, pos);
        if (c < 0) c = len;
        if (c > pos) {
          addSpan(inRem, gRow, a + pos, a + c, cell);
          remaining += c - pos;
          free.push(x0[k] + pos, x0[k] + c);
        }
        if (c >= len) break;
        const e = seg.indexOf(0, c);
        pos = e < 0 ? len : e;
      }
    }
  }
  freeStart[m.h] = free.length;
  const full = cell * cell;
  const remCells = new Uint8Array(n);
  // When smaller regions cover this one entirely, the whole mask.
  const src = remaining > 0 ? inRem : inMask;
  const partial = remaining > 0 && remaining < region.area;
  for (let g = 0; g < n; g++) remCells[g] = src[g] * 2 >= full ? 1 : 0;
  const dt = squaredDistanceTransform(remCells, gw, gh);
  let best = 0;
  let bestAt = -1;
  for (let g = 0; g < n; g++) {
    if (dt[g] > best) {
      best = dt[g];
      bestAt = g;
    }
  }
  const ref: [number, number] =
    bestAt < 0
      ? bboxCentre(region)
      : [m.x + ((bestAt % gw) + 0.5) * cell, m.y + (Math.floor(bestAt / gw) + 0.5) * cell];
  return {
    gw,
    gh,
    remCells,
    dt,
    best,
    bestAt,
    ref,
    partial,
    uncovered: partial ? { free, freeStart } : undefined,
  };
}

/** Nearest free spot to (rx, ry), searched on rings of growing radius; undefined when the image is full. */
function searchOutside(
  rx: number,
  ry: number,
  lw: number,
  lh: number,
  width: number,
  height: number,
  placed: BoxIndex,
  gap: number,
  maxDistance = Number.POSITIVE_INFINITY,
): BBox | undefined {
  const step = Math.max(2, Math.floor(Math.min(lw, lh) / 3));
  const maxR = Math.min(maxDistance, Math.hypot(width, height));
  for (let r = 0; r <= maxR; r += step) {
    const count = r === 0 ? 1 : Math.max(8, Math.ceil((2 * Math.PI * r) / step));
    for (let k = 0; k < count; k++) {
      // Start straight above the point (labels above objects read naturally), then sweep.
      const a = -Math.PI / 2 + (2 * Math.PI * k) / count;
      const x = Math.round(rx + r * Math.cos(a) - lw / 2);
      const y = Math.round(ry + r * Math.sin(a) - lh / 2);
      const box = clampBox(x, y, lw, lh, width, height);
      if (!placed.touchesAny(box, gap)) return box;
    }
  }
  return undefined;
}

function clampBox(x: number, y: number, w: number, h: number, width: number, height: number): BBox {
  return [Math.max(0, Math.min(width - w, x)), Math.max(0, Math.min(height - h, y)), w, h];
}

function markCovered(covered: Uint8Array, width: number, region: Region) {
  const m = region.mask;
  const { rowStart, x0, x1 } = maskRuns(m);
  for (let y = 0; y < m.h; y++) {
    const row = (y + m.y) * width;
    for (let k = rowStart[y]; k < rowStart[y + 1]; k++) covered.fill(1, row + x0[k], row + x1[k]);
  }
}

/** Add the pixels of crop columns [a, b) to the cells of one cell row: partial first cell, whole cells, rest. */
function addSpan(cells: Int32Array, gRow: number, a: number, b: number, cell: number): void {
  let c = (a / cell) | 0;
  let next = (c + 1) * cell;
  if (b <= next) {
    cells[gRow + c] += b - a;
    return;
  }
  cells[gRow + c] += next - a;
  for (c++, next += cell; next <= b; c++, next += cell) cells[gRow + c] += cell;
  if (next - cell < b) cells[gRow + c] += b - (next - cell);
}
