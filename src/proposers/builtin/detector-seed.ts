/**
 * Detector boxes → object regions built from the region hierarchy. A box says "one object here" but not
 * which pixels; the hierarchy's leaves give pixel-accurate pieces. With `method: "cut"` a graph cut over the
 * leaves picks them, with colour models of the box and its surround (leaf-cut.ts); `"leaves"` (default)
 * takes the leaves lying mostly inside the box, and not only in its corners (optionally minus those whose
 * colour matches the box's surround; off by default). The union is cleaned up (largest piece, holes
 * filled), then snapped to the hierarchy node that best matches it when that node is nearly as good, so
 * seeded regions stay nested with the rest.
 */
import type { RasterImage } from "../../image/raster.js";
import { type Mask, maskFromFull } from "../../regions/mask.js";
import type { Detection } from "./detector-model.js";
import { rgbToLab } from "./features.js";
import type { RegionHierarchy } from "./hierarchy.js";
import {
  type LeafCutContext,
  type LeafCutOptions,
  leafCut,
  leafCutContext,
  leafSetFit,
  type WorkBox,
} from "./leaf-cut.js";
import { type CropMask, components, fillHoles } from "./postprocess.js";

export interface SeedOptions {
  /** Leaves with at least this share of their area inside the box are candidates; several values give
   * several candidate regions per box (tight and loose). */
  minInside: number | number[];
  /** Ring around the box that models the background, as a fraction of the box's longer side. */
  ringFraction: number;
  /** A candidate leaf within this Lab distance of a surround colour is background (0 = off, the default:
   * on COCO it removed object parts more often than background, e.g. 10 → oracle mIoU −0.07). */
  backgroundDistance: number;
  /** Surround colours that count: leaves holding at least this share of the ring's pixels. */
  minRingShare: number;
  /** Snap to the best-matching hierarchy node when its IoU with the leaf union is at least this. */
  snapIoU: number;
  /**
   * Objects fill the middle of their box more than its corners: a candidate leaf needs a box-centre
   * weighted share of at least this (weight 1 at the centre, ½ at the middle of an edge, 0 at a corner;
   * 0 = off). 0.3 drops background leaves in box corners: oracle mIoU +0.005 on COCO.
   */
  centreShare: number;
  /**
   * How a box picks its leaves: "cut" (default) = a graph cut over the leaves with colour models of the box
   * and its surround (leaf-cut.ts; seed IoU 0.55 → 0.59–0.61 on box-matched COCO things; it falls back to
   * "leaves" when it keeps nothing); "leaves" = the inside/centre-share rules above.
   */
  method: "leaves" | "cut";
  /** Options of the graph cut (method "cut"). */
  cut: Partial<LeafCutOptions>;
  /**
   * Method "cut": boxes covering less than this share of the image seed the ellipse inscribed in them
   * instead (at full resolution): the working grid's leaves are too coarse for them (0 = off). 0.005: seed
   * IoU of box-matched COCO things < 0.3 % 0.51 → 0.55, oracle mIoU +0.002 / +0.004 on COCO 1–20 / 21–100.
   */
  ellipseBelow: number;
  /**
   * Method "cut": more hypotheses per box, each a change to `cut` (e.g. a stronger location prior or a
   * bias towards background), plus optionally the leaf-rule set and the hierarchy node that best matches
   * the cut. One per box is kept, the best by an unsupervised fit score (no ground truth):
   * boxFit + fitContour · contour + fitColour · colour (leafSetFit in leaf-cut.ts). Empty = the cut alone.
   * Default: the cut and the cut with a bias of 0.3 nats per pixel against fg, fitContour 0.5 (seed IoU of
   * box-matched COCO 1–20 things 0.615 → 0.618; oracle mIoU +0.002 / +0.001 on COCO 1–20 / 21–100, recall
   * +0.000 / +0.007). Wider sets (stronger location prior, more biases, leaf rules, nearest tree node) and
   * other score weights picked worse (0.598–0.611), though a perfect pick among them would reach 0.649.
   */
  hypotheses: Partial<LeafCutOptions>[];
  hypothesisLeaves: boolean;
  hypothesisNode: boolean;
  fitContour: number;
  fitColour: number;
}

export const DEFAULT_SEED_OPTIONS: SeedOptions = {
  minInside: 0.5,
  ringFraction: 0.1,
  backgroundDistance: 0,
  minRingShare: 0.03,
  snapIoU: 0.85,
  centreShare: 0.3,
  method: "cut",
  cut: {},
  ellipseBelow: 0.005,
  hypotheses: [{ fgBias: 0.3 }],
  hypothesisLeaves: false,
  hypothesisNode: false,
  fitContour: 0.5,
  fitColour: 0,
};

export interface SeededRegion {
  mask: Mask;
  detection: Detection;
  /** The hierarchy node it was snapped to, or -1 for a leaf union. */
  node: number;
}

/** Mean Lab colour of each leaf, sampled at the working-pixel centres. */
export function leafColours(h: RegionHierarchy, image: RasterImage): Float32Array[] {
  const L = h.leafCount;
  const sum = new Float64Array(L * 3);
  const cnt = new Float64Array(L);
  const { workWidth: w, workHeight: wh, width: W, height: H } = h;
  for (let y = 0; y < wh; y++) {
    const Y = Math.min(H - 1, Math.floor(((y + 0.5) * H) / wh));
    for (let x = 0; x < w; x++) {
      const X = Math.min(W - 1, Math.floor(((x + 0.5) * W) / w));
      const l = h.leafLabels[y * w + x];
      const o = (Y * W + X) * 4;
      sum[l * 3] += image.data[o];
      sum[l * 3 + 1] += image.data[o + 1];
      sum[l * 3 + 2] += image.data[o + 2];
      cnt[l]++;
    }
  }
  const rgb = new Float32Array(L * 3);
  for (let l = 0; l < L; l++)
    for (let k = 0; k < 3; k++) rgb[l * 3 + k] = sum[l * 3 + k] / Math.max(1, cnt[l]);
  return rgbToLab(rgb, L);
}

/** Seeded regions for the detections (one at most per detection, in detection order). */
export function seedRegions(
  h: RegionHierarchy,
  image: RasterImage,
  detections: readonly Detection[],
  options: Partial<SeedOptions> = {},
): SeededRegion[] {
  const o = { ...DEFAULT_SEED_OPTIONS, ...options };
  if (detections.length === 0) return [];
  const out: SeededRegion[] = [];
  if (o.method === "cut") {
    const ctx = leafCutContext(h, image, o.cut);
    let lab: Float32Array[] | undefined;
    const minInside = Array.isArray(o.minInside) ? o.minInside[0] : o.minInside;
    for (const d of detections) {
      if (d.box[2] * d.box[3] < o.ellipseBelow * image.width * image.height) {
        const e = ellipseSeed(image.width, image.height, d);
        if (e) out.push(e);
        continue;
      }
      // A cut that leaves nothing (a small box whose outline costs more than its colours gain) falls
      // back to the leaf rules, so every box still seeds a region.
      const multi = o.hypotheses.length > 0 || o.hypothesisLeaves || o.hypothesisNode;
      const colours = () => {
        lab ??= leafColours(h, image);
        return lab;
      };
      let s = multi ? seedByBestHypothesis(h, ctx, colours, d, o) : seedByCut(h, ctx, d, o);
      if (!s) {
        lab ??= leafColours(h, image);
        s = seedOne(h, lab, d, { ...o, minInside });
      }
      if (s) out.push(s);
    }
    return out;
  }
  const lab = leafColours(h, image);
  const levels = Array.isArray(o.minInside) ? o.minInside : [o.minInside];
  for (const d of detections)
    for (const minInside of levels) {
      const s = seedOne(h, lab, d, { ...o, minInside });
      if (s) out.push(s);
    }
  return out;
}

/** A detection's box on the working grid (inclusive pixel bounds). */
export function workBox(h: RegionHierarchy, d: Detection): WorkBox {
  const { workWidth: w, workHeight: wh } = h;
  const sx = w / h.width;
  const sy = wh / h.height;
  const x0 = clamp(Math.round(d.box[0] * sx), 0, w - 1);
  const y0 = clamp(Math.round(d.box[1] * sy), 0, wh - 1);
  const x1 = clamp(Math.round((d.box[0] + d.box[2]) * sx) - 1, x0, w - 1);
  const y1 = clamp(Math.round((d.box[1] + d.box[3]) * sy) - 1, y0, wh - 1);
  return { x0, y0, x1, y1 };
}

function seedByCut(
  h: RegionHierarchy,
  ctx: LeafCutContext,
  d: Detection,
  o: SeedOptions,
): SeededRegion | null {
  const fg = leafCut(ctx, workBox(h, d), o.cut);
  if (!fg) return null;
  return finishSeed(h, fg, d, o);
}

/**
 * Several leaf sets for one box (cuts of different strengths, the leaf rules, the tree node nearest the
 * cut), ranked by how well each fits the box without ground truth; the best one becomes the seed.
 */
function seedByBestHypothesis(
  h: RegionHierarchy,
  ctx: LeafCutContext,
  colours: () => Float32Array[],
  d: Detection,
  o: SeedOptions,
): SeededRegion | null {
  const box = workBox(h, d);
  const sets: Uint8Array[] = [];
  const first = leafCut(ctx, box, o.cut);
  if (first) sets.push(first);
  for (const hyp of o.hypotheses) {
    const fg = leafCut(ctx, box, { ...o.cut, ...hyp });
    if (fg) sets.push(fg);
  }
  if (o.hypothesisLeaves) {
    const minInside = Array.isArray(o.minInside) ? o.minInside[0] : o.minInside;
    const r = leafRuleSet(h, colours(), d, { ...o, minInside });
    if (r) sets.push(r.fg);
  }
  if (o.hypothesisNode && first) {
    const n = bestNode(h, first);
    if (n >= 0) {
      const fg = new Uint8Array(h.leafCount);
      for (const l of h.leavesOf(n)) fg[l] = 1;
      sets.push(fg);
    }
  }
  let best: Uint8Array | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const fg of sets) {
    const f = leafSetFit(ctx, fg, box);
    const score = f.boxFit + o.fitContour * f.contour + o.fitColour * f.colour;
    if (score > bestScore) {
      bestScore = score;
      best = fg;
    }
  }
  return best ? finishSeed(h, best, d, o) : null;
}

/** The hierarchy node with the highest IoU with a leaf set (-1 when the set is empty). */
function bestNode(h: RegionHierarchy, fg: Uint8Array): number {
  const t = h.tree;
  const inter = new Float64Array(t.nodeCount);
  let a = 0;
  for (let l = 0; l < h.leafCount; l++)
    if (fg[l]) {
      inter[l] = t.area[l];
      a += t.area[l];
    }
  return bestNodeOf(h, inter, a).node;
}

/**
 * The hierarchy node with the highest IoU with a pixel set, given the set's pixels per leaf in `inter`
 * (overwritten with the per-node sums, children before parents) and its area.
 */
function bestNodeOf(h: RegionHierarchy, inter: Float64Array, a: number): { node: number; iou: number } {
  const t = h.tree;
  const L = h.leafCount;
  let best = -1;
  let bestIoU = 0;
  for (let n = 0; n < t.nodeCount; n++) {
    if (n >= L) inter[n] = inter[t.left[n]] + inter[t.right[n]];
    if (inter[n] === 0) continue;
    const iou = inter[n] / (t.area[n] + a - inter[n]);
    if (iou > bestIoU) {
      bestIoU = iou;
      best = n;
    }
  }
  return { node: best, iou: bestIoU };
}

function seedOne(
  h: RegionHierarchy,
  lab: Float32Array[],
  d: Detection,
  o: SeedOptions & { minInside: number },
): SeededRegion | null {
  const r = leafRuleSet(h, lab, d, o);
  return r ? finishSeed(h, r.fg, d, o, r.clip) : null;
}

/** The leaf rules' set for one box (leaves mostly inside, not only in its corners) and its clip rectangle. */
function leafRuleSet(
  h: RegionHierarchy,
  lab: Float32Array[],
  d: Detection,
  o: SeedOptions & { minInside: number },
): { fg: Uint8Array; clip: WorkBox } | null {
  const { workWidth: w, workHeight: wh, leafLabels } = h;
  const t = h.tree;
  const L = h.leafCount;
  const { x0: bx0, y0: by0, x1: bx1, y1: by1 } = workBox(h, d);
  const margin = Math.max(2, Math.round(o.ringFraction * Math.max(bx1 - bx0 + 1, by1 - by0 + 1)));
  const rx0 = Math.max(0, bx0 - margin);
  const ry0 = Math.max(0, by0 - margin);
  const rx1 = Math.min(w - 1, bx1 + margin);
  const ry1 = Math.min(wh - 1, by1 + margin);
  const inside = new Int32Array(L);
  const centre = new Float64Array(L);
  const cx = (bx0 + bx1) / 2;
  const cy = (by0 + by1) / 2;
  const hw = Math.max(1, (bx1 - bx0 + 1) / 2);
  const hh = Math.max(1, (by1 - by0 + 1) / 2);
  const ring = new Int32Array(L);
  let ringTotal = 0;
  for (let y = ry0; y <= ry1; y++) {
    for (let x = rx0; x <= rx1; x++) {
      const l = leafLabels[y * w + x];
      if (x >= bx0 && x <= bx1 && y >= by0 && y <= by1) {
        inside[l]++;
        const dx = (x - cx) / hw;
        const dy = (y - cy) / hh;
        centre[l] += Math.max(0, 1 - (dx * dx + dy * dy) / 2);
      } else {
        ring[l]++;
        ringTotal++;
      }
    }
  }
  // Surround colours: leaves that fill a fair share of the ring.
  const surround: number[] = [];
  for (let l = 0; l < L; l++) if (ring[l] >= o.minRingShare * ringTotal && ring[l] > 0) surround.push(l);
  const [LL, AA, BB] = lab;
  // A leaf spread evenly over the image lies inside the box by the box's share of the image: in a box that
  // fills most of the photo, "mostly inside" must mean more than that, or the background comes along.
  const boxShare = ((bx1 - bx0 + 1) * (by1 - by0 + 1)) / (w * wh);
  const minInside = Math.max(o.minInside, (1 + boxShare) / 2);
  const fg = new Uint8Array(L);
  let fgArea = 0;
  for (let l = 0; l < L; l++) {
    if (inside[l] === 0 || inside[l] < minInside * t.area[l]) continue;
    if (centre[l] < o.centreShare * t.area[l]) continue;
    let dmin = Number.POSITIVE_INFINITY;
    for (const s of surround) {
      const dl = LL[l] - LL[s];
      const da = AA[l] - AA[s];
      const db = BB[l] - BB[s];
      dmin = Math.min(dmin, Math.sqrt(dl * dl + da * da + db * db));
    }
    if (o.backgroundDistance > 0 && dmin < o.backgroundDistance) continue;
    fg[l] = 1;
    fgArea += t.area[l];
  }
  if (fgArea === 0) return null;
  return { fg, clip: { x0: rx0, y0: ry0, x1: rx1, y1: ry1 } };
}

/**
 * The chosen leaves (1 per leaf) → a seeded region: largest 4-connected piece, small holes filled, snapped
 * to the best-matching hierarchy node when it is nearly as good.
 */
function finishSeed(
  h: RegionHierarchy,
  fg: Uint8Array,
  d: Detection,
  o: SeedOptions,
  clip?: WorkBox,
): SeededRegion | null {
  const { workWidth: w, leafLabels } = h;
  const t = h.tree;
  const L = h.leafCount;
  // Leaf union on the working grid, cropped to the chosen leaves' bounding box.
  let rx0 = Number.POSITIVE_INFINITY;
  let ry0 = Number.POSITIVE_INFINITY;
  let rx1 = -1;
  let ry1 = -1;
  for (let l = 0; l < L; l++)
    if (fg[l]) {
      rx0 = Math.min(rx0, t.bbox[l * 4]);
      ry0 = Math.min(ry0, t.bbox[l * 4 + 1]);
      rx1 = Math.max(rx1, t.bbox[l * 4 + 2]);
      ry1 = Math.max(ry1, t.bbox[l * 4 + 3]);
    }
  if (clip) {
    rx0 = Math.max(rx0, clip.x0);
    ry0 = Math.max(ry0, clip.y0);
    rx1 = Math.min(rx1, clip.x1);
    ry1 = Math.min(ry1, clip.y1);
  }
  if (rx1 < rx0 || ry1 < ry0) return null;
  const crop: CropMask = { x: rx0, y: ry0, w: rx1 - rx0 + 1, h: ry1 - ry0 + 1, data: new Uint8Array(0) };
  crop.data = new Uint8Array(crop.w * crop.h);
  for (let y = 0; y < crop.h; y++)
    for (let x = 0; x < crop.w; x++) crop.data[y * crop.w + x] = fg[leafLabels[(y + ry0) * w + x + rx0]];
  const area = keepLargestPiece(crop);
  fillHoles(crop, Math.round(area * 0.1));
  // Snap: the hierarchy node with the highest IoU with the union (per-node sums, children before parents).
  const inter = new Float64Array(t.nodeCount);
  let unionArea = 0;
  for (let y = 0; y < crop.h; y++)
    for (let x = 0; x < crop.w; x++)
      if (crop.data[y * crop.w + x]) {
        inter[leafLabels[(y + ry0) * w + x + rx0]]++;
        unionArea++;
      }
  const { node: best, iou: bestIoU } = bestNodeOf(h, inter, unionArea);
  if (best >= 0 && bestIoU >= o.snapIoU) {
    const masks = h.nodeMasks(best, false);
    if (masks.length > 0) return { mask: masks[0], detection: d, node: best };
  }
  return { mask: h.upsample(crop), detection: d, node: -1 };
}

/** Keep only the largest 4-connected piece of a crop; returns its area. */
function keepLargestPiece(m: CropMask): number {
  const { lab, n, sizes } = components(m.data, m.w, m.h);
  let bestLabel = 0;
  for (let k = 1; k <= n; k++) if (sizes[k] > sizes[bestLabel]) bestLabel = k;
  for (let p = 0; p < m.data.length; p++) m.data[p] = lab[p] === bestLabel && bestLabel > 0 ? 1 : 0;
  return sizes[bestLabel];
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** The ellipse inscribed in a detection's box, at full resolution (null when it covers no pixel centre). */
function ellipseSeed(W: number, H: number, d: Detection): SeededRegion | null {
  const [bx, by, bw, bh] = d.box;
  const x0 = Math.max(0, Math.floor(bx));
  const y0 = Math.max(0, Math.floor(by));
  const x1 = Math.min(W, Math.ceil(bx + bw));
  const y1 = Math.min(H, Math.ceil(by + bh));
  if (x1 <= x0 || y1 <= y0 || bw <= 0 || bh <= 0) return null;
  const cw = x1 - x0;
  const crop = new Uint8Array(cw * (y1 - y0));
  let any = false;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const dx = (x + 0.5 - (bx + bw / 2)) / (bw / 2);
      const dy = (y + 0.5 - (by + bh / 2)) / (bh / 2);
      if (dx * dx + dy * dy <= 1) {
        crop[(y - y0) * cw + x - x0] = 1;
        any = true;
      }
    }
  if (!any) return null;
  const m = maskFromFull(crop, cw, y1 - y0);
  return { mask: { ...m, width: W, height: H, x: m.x + x0, y: m.y + y0 }, detection: d, node: -1 };
}
