/**
 * Box → object mask by a graph cut over the hierarchy's leaves (GrabCut at leaf level). For one detector
 * box, every leaf lying partly in the box is a node; leaves outside it (or only grazing it) are background.
 * The energy is GrabCut's, with each leaf's pixels sharing one label:
 *   unary   Σ over a leaf's pixels of −log p(colour | fg or bg) and a location prior (objects fill the
 *           middle of their box; pixels outside the box are background);
 *   pairwise γ · Σ over the pixel pairs across two leaves' shared boundary of exp(−β‖Δ Lab‖²).
 * The colour models (Lab histograms, smoothed towards the image's own histogram) start from the box
 * (foreground, weighted by the centre prior) and its surround (background), and are re-estimated from the
 * current cut a few times, as GrabCut does. Each cut is exact (max-flow, maxflow.ts). Deterministic.
 */
import type { RasterImage } from "../../image/raster.js";
import { makeWorkImage } from "./features.js";
import { DEFAULT_HIERARCHY_OPTIONS, type RegionHierarchy } from "./hierarchy.js";
import { MaxFlow } from "./maxflow.js";

export interface LeafCutOptions {
  /** Surround that models the background, as a fraction of the box's longer side. */
  ringFraction: number;
  /** Leaves with less than this share of their area inside the box are background (hard). */
  minInside: number;
  /** Pairwise weight γ (per boundary pixel pair), in the unit of the per-pixel log-likelihoods. */
  smoothness: number;
  /**
   * Box side (√area, working pixels) below which γ shrinks in proportion: a small object's outline is
   * long against its area, so the same γ would cut it away entirely (0 = off).
   */
  smoothnessSide: number;
  /**
   * Tree coupling: adjacent leaves also pay treeSmoothness × (shared boundary length) × (1 − u)^treePow,
   * u = the quantile of the merge height at which the hierarchy joins them (early merge = same object).
   */
  treeSmoothness: number;
  treePow: number;
  /** Weight of the location prior (box-centre weight → prior fg probability). */
  location: number;
  /** Prior fg probability at the box centre and at its corners (linear in the centre weight between). */
  priorCentre: number;
  priorCorner: number;
  /** Prior fg probability of a pixel outside the box (of a leaf that is mostly inside). */
  priorOutside: number;
  /** Initial bg model: box pixels also count with this weight × (1 − centre weight) (box corners). */
  bgInside: number;
  /** GrabCut iterations (colour models re-estimated from the cut). */
  iterations: number;
  /** Histogram bins per Lab channel. */
  bins: number;
  /**
   * Per-pixel cost of the fg label (nats; 0 = none): a bias towards background that makes the cut tighter
   * (one of the seed hypotheses, detector-seed.ts).
   */
  fgBias: number;
  /** Pseudo-count weight of the image histogram in each colour model (smoothing), in pixels. */
  smoothing: number;
}

export const DEFAULT_LEAF_CUT_OPTIONS: LeafCutOptions = {
  ringFraction: 0.3,
  minInside: 0.3,
  smoothness: 20,
  smoothnessSide: 100,
  treeSmoothness: 20,
  treePow: 2,
  location: 1,
  priorCentre: 0.8,
  priorCorner: 0.1,
  priorOutside: 0.1,
  bgInside: 0,
  iterations: 4,
  bins: 10,
  smoothing: 50,
  fgBias: 0,
};

/** Per-image data the cuts share: colour bins of the working pixels, leaf adjacency with its weights. */
export interface LeafCutContext {
  h: RegionHierarchy;
  /** Colour bin of each working pixel. */
  bin: Int32Array;
  binCount: number;
  /** Image colour histogram (normalised). */
  imageHist: Float64Array;
  /** Leaf adjacency: per leaf, neighbour leaves and the summed pixel-pair weight exp(−β‖Δ‖²). */
  nbr: Int32Array[];
  nbrWeight: Float64Array[];
  /** Per leaf and neighbour: shared boundary length (pixel pairs) and the join height's quantile. */
  nbrLen: Float64Array[];
  nbrJoin: Float64Array[];
}

export function leafCutContext(
  h: RegionHierarchy,
  image: RasterImage,
  options: Partial<LeafCutOptions> = {},
): LeafCutContext {
  const o = { ...DEFAULT_LEAF_CUT_OPTIONS, ...options };
  const { workWidth: w, workHeight: wh, leafLabels: lab } = h;
  // The hierarchy's own working colours (same size and smoothing), rebuilt once per image: the hierarchy
  // does not keep them, to stay small in caches.
  const { sigma, gradSigma } = DEFAULT_HIERARCHY_OPTIONS;
  const work = makeWorkImage(image, { maxSide: Math.max(w, wh), sigma, gradSigma });
  if (work.width !== w || work.height !== wh) throw new Error("leaf cut: working grid size mismatch");
  const { L, A, B } = work;
  const N = w * wh;
  const nb = o.bins;
  const binCount = nb * nb * nb;
  const bin = new Int32Array(N);
  const imageHist = new Float64Array(binCount);
  const q = (v: number, lo: number, hi: number) =>
    Math.min(nb - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * nb)));
  for (let p = 0; p < N; p++) {
    const b = (q(L[p], 0, 100) * nb + q(A[p], -60, 60)) * nb + q(B[p], -60, 60);
    bin[p] = b;
    imageHist[b]++;
  }
  for (let b = 0; b < binCount; b++) imageHist[b] /= N;
  // β = 1 / (2 · mean ‖Δ Lab‖²) over 4-neighbour pairs (GrabCut's contrast normalisation).
  let dsum = 0;
  let dn = 0;
  const d2 = (p: number, q2: number) => {
    const dl = L[p] - L[q2];
    const da = A[p] - A[q2];
    const db = B[p] - B[q2];
    return dl * dl + da * da + db * db;
  };
  for (let y = 0; y < wh; y++)
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (x + 1 < w) {
        dsum += d2(p, p + 1);
        dn++;
      }
      if (y + 1 < wh) {
        dsum += d2(p, p + w);
        dn++;
      }
    }
  const beta = 1 / (2 * Math.max(1e-6, dsum / Math.max(1, dn)));
  const Lc = h.leafCount;
  // Per leaf and neighbour: summed pixel-pair weight and shared boundary length, in one pass.
  const maps: Map<number, number>[] = Array.from({ length: Lc }, () => new Map());
  const lens: Map<number, number>[] = Array.from({ length: Lc }, () => new Map());
  const add = (a: number, b: number, v: number) => {
    maps[a].set(b, (maps[a].get(b) ?? 0) + v);
    maps[b].set(a, (maps[b].get(a) ?? 0) + v);
    lens[a].set(b, (lens[a].get(b) ?? 0) + 1);
    lens[b].set(a, (lens[b].get(a) ?? 0) + 1);
  };
  for (let y = 0; y < wh; y++)
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const a = lab[p];
      if (x + 1 < w && lab[p + 1] !== a) add(a, lab[p + 1], Math.exp(-beta * d2(p, p + 1)));
      if (y + 1 < wh && lab[p + w] !== a) add(a, lab[p + w], Math.exp(-beta * d2(p, p + w)));
    }
  // Join height of two leaves = height of their lowest common ancestor (ultrametric contour strength).
  const t = h.tree;
  const depth = new Int32Array(t.nodeCount);
  for (let v = t.nodeCount - 1; v >= 0; v--) depth[v] = t.parent[v] < 0 ? 0 : depth[t.parent[v]] + 1;
  const join = (a: number, b: number) => {
    while (a !== b) {
      if (depth[a] >= depth[b]) a = t.parent[a];
      else b = t.parent[b];
    }
    return t.height[a];
  };
  const nbr: Int32Array[] = [];
  const nbrWeight: Float64Array[] = [];
  const nbrLen: Float64Array[] = [];
  const nbrJoin: Float64Array[] = [];
  const heights: number[] = [];
  for (let l = 0; l < Lc; l++) {
    const keys = [...maps[l].keys()].sort((a, b) => a - b);
    nbr.push(Int32Array.from(keys));
    nbrWeight.push(Float64Array.from(keys.map((k) => maps[l].get(k)!)));
    nbrLen.push(Float64Array.from(keys.map((k) => lens[l].get(k) ?? 0)));
    const j = Float64Array.from(keys.map((k) => join(l, k)));
    nbrJoin.push(j);
    for (let i = 0; i < keys.length; i++) if (keys[i] > l) heights.push(j[i]);
  }
  // Heights → quantiles among all adjacent pairs.
  const sorted = Float64Array.from(heights).sort();
  const quantile = (v: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return sorted.length > 0 ? lo / sorted.length : 0;
  };
  for (const j of nbrJoin) for (let i = 0; i < j.length; i++) j[i] = quantile(j[i]);
  return { h, bin, binCount, imageHist, nbr, nbrWeight, nbrLen, nbrJoin };
}

/** Working-grid box, inclusive. */
export interface WorkBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The leaves the cut puts in the foreground for one box (1 per leaf), or null when none is left. */
export function leafCut(
  ctx: LeafCutContext,
  box: WorkBox,
  options: Partial<LeafCutOptions> = {},
): Uint8Array | null {
  const o = { ...DEFAULT_LEAF_CUT_OPTIONS, ...options };
  const { h, bin, binCount, imageHist, nbr, nbrWeight, nbrLen, nbrJoin } = ctx;
  const { workWidth: w, workHeight: wh, leafLabels: lab } = h;
  const area = h.tree.area;
  const Lc = h.leafCount;
  const { x0: bx0, y0: by0, x1: bx1, y1: by1 } = box;
  const margin = Math.max(2, Math.round(o.ringFraction * Math.max(bx1 - bx0 + 1, by1 - by0 + 1)));
  const rx0 = Math.max(0, bx0 - margin);
  const ry0 = Math.max(0, by0 - margin);
  const rx1 = Math.min(w - 1, bx1 + margin);
  const ry1 = Math.min(wh - 1, by1 + margin);
  const cx = (bx0 + bx1) / 2;
  const cy = (by0 + by1) / 2;
  const hw = Math.max(1, (bx1 - bx0 + 1) / 2);
  const hh = Math.max(1, (by1 - by0 + 1) / 2);
  const rw = rx1 - rx0 + 1;
  const rh = ry1 - ry0 + 1;
  // Per ring-rectangle pixel: centre weight (−1 outside the box).
  const cw = new Float32Array(rw * rh);
  const inside = new Int32Array(Lc);
  for (let y = ry0; y <= ry1; y++)
    for (let x = rx0; x <= rx1; x++) {
      const i = (y - ry0) * rw + (x - rx0);
      if (x >= bx0 && x <= bx1 && y >= by0 && y <= by1) {
        const dx = (x - cx) / hw;
        const dy = (y - cy) / hh;
        cw[i] = Math.max(0, 1 - (dx * dx + dy * dy) / 2);
        inside[lab[y * w + x]]++;
      } else cw[i] = -1;
    }
  // Free nodes: leaves mostly enough inside the box.
  const node = new Int32Array(Lc).fill(-1);
  const free: number[] = [];
  for (let l = 0; l < Lc; l++)
    if (inside[l] > 0 && inside[l] >= o.minInside * area[l]) {
      node[l] = free.length;
      free.push(l);
    }
  if (free.length === 0) return null;
  const n = free.length;
  const side = Math.sqrt((bx1 - bx0 + 1) * (by1 - by0 + 1));
  const shrink = o.smoothnessSide > 0 ? Math.min(1, side / o.smoothnessSide) : 1;
  const gamma = o.smoothness * shrink;
  const treeGamma = o.treeSmoothness * shrink;
  // Location prior per pixel → −log terms, summed per node (pixels in the ring rectangle only).
  const locFg = new Float64Array(n);
  const locBg = new Float64Array(n);
  const prior = (c: number) =>
    c < 0 ? o.priorOutside : o.priorCorner + (o.priorCentre - o.priorCorner) * Math.min(1, c);
  // Initial colour models: fg = box pixels weighted by the centre weight; bg = ring pixels outside the box.
  const fgH = new Float64Array(binCount);
  const bgH = new Float64Array(binCount);
  for (let y = ry0; y <= ry1; y++)
    for (let x = rx0; x <= rx1; x++) {
      const p = y * w + x;
      const c = cw[(y - ry0) * rw + (x - rx0)];
      const k = node[lab[p]];
      if (k >= 0) {
        const pr = prior(c);
        locFg[k] -= Math.log(pr);
        locBg[k] -= Math.log(1 - pr);
      }
      if (c >= 0) {
        fgH[bin[p]] += c;
        bgH[bin[p]] += o.bgInside * (1 - c);
      } else bgH[bin[p]] += 1;
    }
  // Pixels of each node inside the ring rectangle (the unit of the fg bias).
  const inRect = new Float64Array(n);
  for (let y = ry0; y <= ry1; y++)
    for (let x = rx0; x <= rx1; x++) {
      const k = node[lab[y * w + x]];
      if (k >= 0) inRect[k]++;
    }
  let fg = new Uint8Array(n);
  const uFg = new Float64Array(n);
  const uBg = new Float64Array(n);
  const logP = (hist: Float64Array) => {
    let tot = 0;
    for (let b = 0; b < binCount; b++) tot += hist[b];
    const out = new Float64Array(binCount);
    for (let b = 0; b < binCount; b++)
      out[b] = -Math.log(
        (hist[b] + o.smoothing * imageHist[b] + 1e-9) / (tot + o.smoothing + 1e-9 * binCount),
      );
    return out;
  };
  for (let iter = 0; iter < o.iterations; iter++) {
    const nlFg = logP(fgH);
    const nlBg = logP(bgH);
    uFg.fill(0);
    uBg.fill(0);
    for (let y = ry0; y <= ry1; y++)
      for (let x = rx0; x <= rx1; x++) {
        const p = y * w + x;
        const k = node[lab[p]];
        if (k < 0) continue;
        uFg[k] += nlFg[bin[p]];
        uBg[k] += nlBg[bin[p]];
      }
    const g = new MaxFlow(n);
    for (let k = 0; k < n; k++) {
      const l = free[k];
      let toBg = 0; // pairwise cost of fg against hard-background neighbours
      const nb = nbr[l];
      const nw = nbrWeight[l];
      const nl = nbrLen[l];
      const nj = nbrJoin[l];
      for (let j = 0; j < nb.length; j++) {
        const m = node[nb[j]];
        const wgt = gamma * nw[j] + (o.treeSmoothness > 0 ? treeGamma * nl[j] * (1 - nj[j]) ** o.treePow : 0);
        if (m < 0) toBg += wgt;
        else if (m > k) g.addEdge(k, m, wgt);
      }
      const costFg = uFg[k] + o.location * locFg[k] + toBg + o.fgBias * inRect[k];
      const costBg = uBg[k] + o.location * locBg[k];
      g.addTerminal(k, costBg, costFg);
    }
    g.maxflow();
    const next = new Uint8Array(n);
    let changed = false;
    for (let k = 0; k < n; k++) {
      next[k] = g.isSourceSide(k) ? 1 : 0;
      if (next[k] !== fg[k]) changed = true;
    }
    fg = next;
    if (!changed && iter > 0) break;
    if (iter + 1 === o.iterations) break;
    // Re-estimate: fg from the fg leaves' pixels, bg from everything else in the ring rectangle.
    fgH.fill(0);
    bgH.fill(0);
    for (let y = ry0; y <= ry1; y++)
      for (let x = rx0; x <= rx1; x++) {
        const p = y * w + x;
        const k = node[lab[p]];
        if (k >= 0 && fg[k]) fgH[bin[p]]++;
        else bgH[bin[p]]++;
      }
  }
  const out = new Uint8Array(Lc);
  let any = false;
  for (let k = 0; k < n; k++)
    if (fg[k]) {
      out[free[k]] = 1;
      any = true;
    }
  return any ? out : null;
}

/** Unsupervised fit of a leaf set (1 per leaf) to a detector box; no ground truth involved. */
export interface LeafSetFit {
  /** IoU of the set's bounding box with the box: a whole object fills its box, and stays inside it. */
  boxFit: number;
  /** Mean join-height quantile along the set's outline (image border excluded): 1 = the tree's strongest
   * contours, i.e. the set's outline follows boundaries the hierarchy keeps longest. */
  contour: number;
  /** Mean colour contrast along the outline: 1 − mean exp(−β‖Δ Lab‖²) over its pixel pairs. */
  colour: number;
}

export function leafSetFit(ctx: LeafCutContext, fg: Uint8Array, box: WorkBox): LeafSetFit {
  const { h, nbr, nbrWeight, nbrLen, nbrJoin } = ctx;
  const t = h.tree;
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = -1;
  let y1 = -1;
  let len = 0;
  let join = 0;
  let sim = 0;
  for (let l = 0; l < h.leafCount; l++) {
    if (!fg[l]) continue;
    x0 = Math.min(x0, t.bbox[l * 4]);
    y0 = Math.min(y0, t.bbox[l * 4 + 1]);
    x1 = Math.max(x1, t.bbox[l * 4 + 2]);
    y1 = Math.max(y1, t.bbox[l * 4 + 3]);
    const nb = nbr[l];
    for (let j = 0; j < nb.length; j++) {
      if (fg[nb[j]]) continue;
      len += nbrLen[l][j];
      join += nbrLen[l][j] * nbrJoin[l][j];
      sim += nbrWeight[l][j];
    }
  }
  if (x1 < 0) return { boxFit: 0, contour: 0, colour: 0 };
  const ix = Math.max(0, Math.min(x1, box.x1) - Math.max(x0, box.x0) + 1);
  const iy = Math.max(0, Math.min(y1, box.y1) - Math.max(y0, box.y0) + 1);
  const i = ix * iy;
  const a = (x1 - x0 + 1) * (y1 - y0 + 1);
  const b = (box.x1 - box.x0 + 1) * (box.y1 - box.y0 + 1);
  return {
    boxFit: i / (a + b - i),
    contour: len > 0 ? join / len : 0,
    colour: len > 0 ? 1 - sim / len : 0,
  };
}
