import type { BBox } from "../regions/mask.js";
import type { Region } from "../regions/region.js";
import { maskRuns } from "../regions/runs.js";
import { BoxIndex } from "./box-index.js";
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
    // Coarse cells first (fast), exact pixels if the coarse grid finds no fitting spot.
    const cell = Math.max(1, Math.floor(Math.min(lw, lh) / 4));
    let found: InsideResult = region.area > 0 ? searchInside(region, covered, placed, gap, lw, lh, cell) : {};
    // The coarse grid can miss a tight fit; settle the few candidate spots it leaves open on exact pixels.
    if (!found.box && found.blocks && found.blocks.length > 0) {
      found = {
        box: searchExact(region, placed, gap, lw, lh, cell, found.blocks, found.ref!),
        ref: found.ref,
      };
    }
    let box = found.box;
    const inside = box !== undefined;
    if (!box) {
      const [rx, ry] = found.ref ?? [
        region.bbox[0] + region.bbox[2] / 2,
        region.bbox[1] + region.bbox[3] / 2,
      ];
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
  /**
   * When the grid found no spot: top-left cells (x, y pairs) of the k×k blocks of whole free cells inside the
   * region that any pixel-exact fit would have to contain. Empty: no exact fit exists either.
   */
  blocks?: number[];
  /** The paper's anchor (distance-transform maximum of the uncovered part), image pixels. */
  ref?: [number, number];
}

/** About this many cells on the coarse grid of the quick path (resolution ~1/32 of the region's size). */
const QUICK_CELLS = 1024;

/**
 * Search label positions on a grid of `cell`-pixel cells over the region's crop. A cell counts as inside the
 * region only if all its pixels are, and as occupied if any pixel is, so a box that fits on the grid fits on
 * the pixels too. Visits only the mask's pixels (through its runs), never its whole crop.
 *
 * Quick path for regions larger than the label: on a coarse grid (~QUICK_CELLS cells, whatever the label
 * size), the distance transform of the uncovered part minus the cells that earlier labels touch, and the label
 * centred on its maximum if the box fits there, checked on the pixels (inside the mask, clear of placed labels
 * and of covered pixels). That is the deepest free spot of the uncovered part, as the full search picks, at a
 * fraction of the cells. When the uncovered part cannot take the label there, the same on the whole mask (the
 * label then sits over smaller regions, as the full search would place it too, but centred instead of at the
 * first free spot). When neither fits, the full search runs.
 */
function searchInside(
  region: Region,
  covered: Uint8Array,
  placed: BoxIndex,
  gap: number,
  lw: number,
  lh: number,
  cell: number,
): InsideResult {
  const m = region.mask;
  const coarse = Math.ceil(Math.sqrt((m.w * m.h) / QUICK_CELLS));
  if (coarse > cell) {
    // The uncovered part first (the box must then miss every covered pixel); when it cannot take the label
    // near its deepest point, the deepest free point of the whole mask.
    const g = remainderGrid(region, covered, coarse, placed, gap);
    let box =
      g.bestAt >= 0
        ? fitNear(m, g.ref, lw, lh, 2 * coarse, placed, gap, g.partial ? covered : undefined)
        : undefined;
    if (box) return { box, ref: g.ref };
    if (g.partial) {
      const whole = remainderGrid(region, undefined, coarse, placed, gap);
      box = whole.bestAt >= 0 ? fitNear(m, whole.ref, lw, lh, 2 * coarse, placed, gap) : undefined;
      if (box) return { box, ref: g.ref };
    }
  }
  const { gw, gh, inMask, remCells, dt, ref } = remainderGrid(region, covered, cell);
  const n = gw * gh;
  const full = cell * cell;
  const maskCells = new Uint8Array(n);
  for (let g = 0; g < n; g++) maskCells[g] = inMask[g] === full ? 1 : 0;
  const bw = Math.ceil(lw / cell);
  const bh = Math.ceil(lh / cell);
  if (bw > gw || bh > gh) return { ref };
  // Earlier labels (with the gap) rasterised onto the cell grid.
  const occ = new Uint8Array(n);
  rasterLabels(occ, 1, m, gw, gh, cell, placed, gap);
  const satMask = summedArea(maskCells, gw, gh);
  const satRem = summedArea(remCells, gw, gh);
  const satOcc = summedArea(occ, gw, gh);
  const need = bw * bh;
  const cx = Math.floor(bw / 2);
  const cy = Math.floor(bh / 2);
  let bestScore = -Infinity;
  let bx = -1;
  let by = -1;
  for (let ty = 0; ty + bh <= gh; ty++) {
    for (let tx = 0; tx + bw <= gw; tx++) {
      if (rectSum(satMask, gw, tx, ty, bw, bh) !== need) continue;
      if (rectSum(satOcc, gw, tx, ty, bw, bh) !== 0) continue;
      // Prefer boxes on the uncovered part, then the deepest point of it (the paper's anchor).
      const onRem = rectSum(satRem, gw, tx, ty, bw, bh) === need ? 1e12 : 0;
      const score = onRem + dt[(ty + cy) * gw + tx + cx];
      if (score > bestScore) {
        bestScore = score;
        bx = tx;
        by = ty;
      }
    }
  }
  if (bx < 0) {
    if (cell === 1) return { ref, blocks: [] };
    // A pixel-exact fit contains a block of whole cells this big, all inside the region and free.
    const kw = Math.max(1, Math.floor(lw / cell) - 1);
    const kh = Math.max(1, Math.floor(lh / cell) - 1);
    const blocks: number[] = [];
    for (let ty = 0; ty + kh <= gh; ty++) {
      for (let tx = 0; tx + kw <= gw; tx++) {
        if (rectSum(satMask, gw, tx, ty, kw, kh) === kw * kh && rectSum(satOcc, gw, tx, ty, kw, kh) === 0) {
          blocks.push(tx, ty);
        }
      }
    }
    return { ref, blocks };
  }
  // Centre the label within its cells.
  const px = m.x + bx * cell + Math.floor((bw * cell - lw) / 2);
  const py = m.y + by * cell + Math.floor((bh * cell - lh) / 2);
  return { box: [px, py, lw, lh], ref };
}

interface RemainderGrid {
  gw: number;
  gh: number;
  /** Mask pixels per cell. */
  inMask: Int32Array;
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
}

/**
 * The region's mask and the part of it not covered by smaller regions, counted on `cell`-pixel cells of its
 * crop, with the distance transform of the uncovered part (minus the cells touched by `placed` labels, when
 * given).
 */
function remainderGrid(
  region: Region,
  covered: Uint8Array | undefined,
  cell: number,
  placed?: BoxIndex,
  gap = 0,
): RemainderGrid {
  const m = region.mask;
  const W = m.width;
  const gw = Math.ceil(m.w / cell);
  const gh = Math.ceil(m.h / cell);
  const n = gw * gh;
  const inMask = new Int32Array(n);
  const inRem = new Int32Array(n);
  const { rowStart, x0, x1 } = maskRuns(m);
  let remaining = 0;
  for (let y = 0; y < m.h; y++) {
    const gRow = ((y / cell) | 0) * gw;
    const imgRow = (y + m.y) * W;
    for (let k = rowStart[y]; k < rowStart[y + 1]; k++) {
      const a = x0[k] - m.x;
      const len = x1[k] - x0[k];
      addSpan(inMask, gRow, a, a + len, cell);
      if (!covered) continue;
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
        }
        if (c >= len) break;
        const e = seg.indexOf(0, c);
        pos = e < 0 ? len : e;
      }
    }
  }
  const full = cell * cell;
  const remCells = new Uint8Array(n);
  // When smaller regions cover this one entirely (or no coverage is given), the whole mask.
  const src = remaining > 0 ? inRem : inMask;
  const partial = remaining > 0 && remaining < region.area;
  for (let g = 0; g < n; g++) remCells[g] = src[g] * 2 >= full ? 1 : 0;
  if (placed) rasterLabels(remCells, 0, m, gw, gh, cell, placed, gap);
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
      ? [region.bbox[0] + region.bbox[2] / 2, region.bbox[1] + region.bbox[3] / 2]
      : [m.x + ((bestAt % gw) + 0.5) * cell, m.y + (Math.floor(bestAt / gw) + 0.5) * cell];
  return { gw, gh, inMask, remCells, dt, best, bestAt, ref, partial };
}

/** True when every pixel of the box [px, py, w, h] (image pixels) is inside the mask. */
function boxInMask(m: Region["mask"], px: number, py: number, w: number, h: number): boolean {
  if (px < m.x || py < m.y || px + w > m.x + m.w || py + h > m.y + m.h) return false;
  const { rowStart, x0, x1 } = maskRuns(m);
  for (let y = py - m.y, end = y + h; y < end; y++) {
    let ok = false;
    for (let k = rowStart[y]; k < rowStart[y + 1] && !ok; k++) ok = x0[k] <= px && x1[k] >= px + w;
    if (!ok) return false;
  }
  return true;
}

/**
 * The label box nearest to being centred on `at` (offsets up to `reach` pixels, ring by ring, Chebyshev) that
 * lies inside the mask, clear of placed labels and, when `covered` is given, of covered pixels.
 */
function fitNear(
  m: Region["mask"],
  at: readonly [number, number],
  lw: number,
  lh: number,
  reach: number,
  placed: BoxIndex,
  gap: number,
  covered?: Uint8Array,
): BBox | undefined {
  const cx = Math.round(at[0] - lw / 2);
  const cy = Math.round(at[1] - lh / 2);
  for (let r = 0; r <= reach; r++) {
    for (let dy = -r; dy <= r; dy++) {
      const edge = dy === -r || dy === r;
      for (let dx = -r; dx <= r; dx += edge ? 1 : 2 * r) {
        const px = cx + dx;
        const py = cy + dy;
        if (!boxInMask(m, px, py, lw, lh)) continue;
        const box: BBox = [px, py, lw, lh];
        if (placed.touchesAny(box, gap)) continue;
        if (covered && !boxUncovered(covered, m.width, box)) continue;
        return box;
      }
    }
  }
  return undefined;
}

/** No pixel of the box is covered by a smaller region. */
function boxUncovered(covered: Uint8Array, width: number, box: BBox): boolean {
  for (let y = box[1]; y < box[1] + box[3]; y++) {
    const row = y * width + box[0];
    if (covered.subarray(row, row + box[2]).indexOf(1) >= 0) return false;
  }
  return true;
}

/**
 * Pixel-exact search around the candidate blocks left by the grid search: every box position that contains a
 * block, checked row by row against the mask's runs and against placed labels. Takes the spot nearest `ref`.
 */
function searchExact(
  region: Region,
  placed: BoxIndex,
  gap: number,
  lw: number,
  lh: number,
  cell: number,
  blocks: number[],
  ref: [number, number],
): BBox | undefined {
  const m = region.mask;
  const { rowStart, x0, x1 } = maskRuns(m);
  const kw = Math.max(1, Math.floor(lw / cell) - 1);
  const kh = Math.max(1, Math.floor(lh / cell) - 1);
  const rowHolds = (y: number, a: number, b: number) => {
    const cy = y - m.y;
    if (cy < 0 || cy >= m.h) return false;
    for (let k = rowStart[cy]; k < rowStart[cy + 1]; k++) if (x0[k] <= a && x1[k] >= b) return true;
    return false;
  };
  const seen = new Set<number>();
  let best: BBox | undefined;
  let bestD = Infinity;
  for (let i = 0; i < blocks.length; i += 2) {
    const bx0 = m.x + blocks[i] * cell;
    const by0 = m.y + blocks[i + 1] * cell;
    // Box positions whose extent covers the block [bx0, bx0 + kw*cell) × [by0, by0 + kh*cell).
    for (let py = by0 + kh * cell - lh; py <= by0; py++) {
      for (let px = bx0 + kw * cell - lw; px <= bx0; px++) {
        const key = py * 65536 + px;
        if (px < m.x || py < m.y || px + lw > m.x + m.w || py + lh > m.y + m.h || seen.has(key)) continue;
        seen.add(key);
        const d = Math.hypot(px + lw / 2 - ref[0], py + lh / 2 - ref[1]);
        if (d >= bestD) continue;
        const box: BBox = [px, py, lw, lh];
        if (placed.touchesAny(box, gap)) continue;
        let ok = true;
        for (let y = py; y < py + lh && ok; y++) ok = rowHolds(y, px, px + lw);
        if (ok) {
          best = box;
          bestD = d;
        }
      }
    }
  }
  return best;
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

/** Set to `value` every cell of the mask's crop grid that a placed label (grown by the gap) touches. */
function rasterLabels(
  cells: Uint8Array,
  value: number,
  m: Region["mask"],
  gw: number,
  gh: number,
  cell: number,
  placed: BoxIndex,
  gap: number,
): void {
  for (const [px, py, pw, ph] of placed.near([m.x, m.y, m.w, m.h], gap)) {
    const cx0 = Math.max(0, Math.floor((px - gap - m.x) / cell));
    const cy0 = Math.max(0, Math.floor((py - gap - m.y) / cell));
    const cx1 = Math.min(gw, Math.ceil((px + pw + gap - m.x) / cell));
    const cy1 = Math.min(gh, Math.ceil((py + ph + gap - m.y) / cell));
    for (let cy = cy0; cy < cy1; cy++) cells.fill(value, cy * gw + cx0, cy * gw + Math.max(cx0, cx1));
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

/** Summed-area table with a zero first row/column: (w+1)*(h+1) entries. */
function summedArea(a: Uint8Array, w: number, h: number): Int32Array {
  const s = new Int32Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += a[y * w + x];
      s[(y + 1) * (w + 1) + x + 1] = s[y * (w + 1) + x + 1] + row;
    }
  }
  return s;
}

function rectSum(s: Int32Array, w: number, x: number, y: number, bw: number, bh: number): number {
  const W = w + 1;
  return s[(y + bh) * W + x + bw] - s[y * W + x + bw] - s[(y + bh) * W + x] + s[y * W + x];
}
