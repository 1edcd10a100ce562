import type { RasterImage } from "../../image/raster.js";
import { type Mask, emptyMask, tightenMask } from "../../regions/mask.js";
import { makeWorkImage } from "./features.js";
import { buildMergeTree, type MergeOptions, type MergeTree } from "./merge.js";
import { oversegment } from "./oversegment.js";
import { type CropMask, fillHoles, splitThinBridges } from "./postprocess.js";

export interface HierarchyOptions {
  /** Long side of the working image in pixels (the input is box-filtered down to it). */
  maxSide: number;
  sigma: number;
  gradSigma: number;
  /** Felzenszwalb k for the over-segmentation, per 320-pixel long side (scaled with the working size). */
  k: number;
  /** Smallest over-segment, as a fraction of the working image. */
  minLeaf: number;
  merge: Omit<MergeOptions, "minArea">;
  /** Tiny-fragment threshold, as a fraction of the image: smaller regions merge before any level is cut. */
  minRegion: number;
  /** Detector boxes ([x, y, w, h] in input pixels, score 0..1) guiding the merges (box-guide.ts); none by default. */
  guideBoxes?: readonly { box: readonly [number, number, number, number]; score: number }[];
}

export const DEFAULT_HIERARCHY_OPTIONS: HierarchyOptions = {
  maxSide: 400,
  sigma: 0.8,
  gradSigma: 1.2,
  k: 15,
  minLeaf: 0.0001,
  merge: {
    wBoundary: 1,
    wColour: 0.5,
    wHist: 0.5,
    wTexture: 0.3,
    wFill: 0,
    sizePow: 0.45,
    wContact: 0.5,
  },
  minRegion: 0.0005,
};

/**
 * A region hierarchy of one image, computed once: an over-segmentation (leaves) and a binary tree of
 * merges. Each "level" is the partition left when `count` regions remain; every region of a finer level
 * lies inside exactly one region of any coarser level. Node ids: 0..leafCount-1 leaves, then merges.
 */
export class RegionHierarchy {
  /** Input image size (masks are returned at this size). */
  readonly width: number;
  readonly height: number;
  /** Working grid size and the leaf label of each working pixel. */
  readonly workWidth: number;
  readonly workHeight: number;
  readonly leafLabels: Int32Array;
  readonly tree: MergeTree;

  constructor(
    width: number,
    height: number,
    workWidth: number,
    workHeight: number,
    labels: Int32Array,
    tree: MergeTree,
  ) {
    this.width = width;
    this.height = height;
    this.workWidth = workWidth;
    this.workHeight = workHeight;
    this.leafLabels = labels;
    this.tree = tree;
  }

  get leafCount(): number {
    return this.tree.leafCount;
  }
  get nodeCount(): number {
    return this.tree.nodeCount;
  }
  get root(): number {
    return this.tree.nodeCount - 1;
  }

  /** Merge step that created a node (0 for leaves). */
  private born(n: number): number {
    return n < this.tree.leafCount ? 0 : n - this.tree.leafCount + 1;
  }
  /** Merge step that absorbed a node into its parent (∞ for the root). */
  private died(n: number): number {
    const p = this.tree.parent[n];
    return p < 0 ? Number.POSITIVE_INFINITY : p - this.tree.leafCount + 1;
  }

  parentOf(node: number): number {
    return this.tree.parent[node];
  }
  /** The two nodes merged into `node`, or [] for a leaf. */
  childrenOf(node: number): number[] {
    const l = this.tree.left[node];
    return l < 0 ? [] : [l, this.tree.right[node]];
  }
  /** Area of a node in working pixels. */
  workArea(node: number): number {
    return this.tree.area[node];
  }
  /** Fraction of the image a node covers. */
  areaFraction(node: number): number {
    return this.tree.area[node] / (this.workWidth * this.workHeight);
  }

  /** Whether `node` is one of the regions of the level with `count` regions. */
  aliveAt(node: number, count: number): boolean {
    const step = this.tree.leafCount - Math.max(1, Math.min(this.tree.leafCount, Math.round(count)));
    return this.born(node) <= step && step < this.died(node);
  }

  /** The partition with `count` regions (clamped to 1..leafCount), node ids ascending. */
  cut(count: number): number[] {
    const out: number[] = [];
    for (let n = 0; n < this.tree.nodeCount; n++) if (this.aliveAt(n, count)) out.push(n);
    return out;
  }

  /**
   * How many levels a node survives, on a log scale of region counts: ln(count when formed / count when
   * merged away). Regions that persist across many levels are the salient ones.
   */
  persistence(node: number): number {
    const L = this.tree.leafCount;
    const atBirth = L - this.born(node);
    const d = this.died(node);
    const atDeath = Number.isFinite(d) ? L - d : 0.5;
    return Math.log(atBirth / atDeath);
  }

  /**
   * Boundary contrast of a node: mean boundary strength along its outline over the mean strength of the
   * boundaries inside it. Objects have a strong outline and a weak interior.
   */
  contrast(node: number): number {
    const t = this.tree;
    const outer = t.outerLen[node] > 0 ? t.outerSum[node] / t.outerLen[node] : 0;
    const inner = t.innerLen[node] > 0 ? t.innerSum[node] / t.innerLen[node] : 0;
    return outer / (inner + 0.5 * t.gradMean);
  }

  /** The node of the level with `count` regions that holds input pixel (x, y). */
  nodeAt(x: number, y: number, count: number): number {
    const wx = Math.min(this.workWidth - 1, Math.max(0, Math.floor((x * this.workWidth) / this.width)));
    const wy = Math.min(this.workHeight - 1, Math.max(0, Math.floor((y * this.workHeight) / this.height)));
    let n = this.leafLabels[wy * this.workWidth + wx];
    while (!this.aliveAt(n, count) && this.tree.parent[n] >= 0) n = this.tree.parent[n];
    return n;
  }

  /** All leaves under a node. */
  leavesOf(node: number): number[] {
    const out: number[] = [];
    const stack = [node];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n < this.tree.leafCount) out.push(n);
      else stack.push(this.tree.left[n], this.tree.right[n]);
    }
    return out;
  }

  /** A node's pixels on the working grid, cropped to its bounding box. */
  workMask(node: number): CropMask {
    const t = this.tree;
    const x0 = t.bbox[node * 4];
    const y0 = t.bbox[node * 4 + 1];
    const w = t.bbox[node * 4 + 2] - x0 + 1;
    const h = t.bbox[node * 4 + 3] - y0 + 1;
    const inside = new Uint8Array(t.leafCount);
    for (const l of this.leavesOf(node)) inside[l] = 1;
    const data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      const row = (y + y0) * this.workWidth + x0;
      for (let x = 0; x < w; x++) data[y * w + x] = inside[this.leafLabels[row + x]];
    }
    return { x: x0, y: y0, w, h, data };
  }

  /**
   * A node's mask at input resolution, after clean-up (small holes filled). A node split by a thin bridge
   * gives several masks; `splitParts` false keeps it whole. Remembered per node: neighbouring granularities
   * (the web app's slider) share most nodes, and this is the costly part of picking regions. The masks are
   * shared, so callers treat them as read-only.
   */
  nodeMasks(node: number, splitParts = true): Mask[] {
    const key = splitParts ? node : -1 - node;
    let masks = this.maskMemo.get(key);
    if (!masks) {
      masks = this.computeNodeMasks(node, splitParts);
      this.maskMemo.set(key, masks);
      for (const m of masks) this.memoBytes += m.data.byteLength + 64;
    }
    return masks;
  }

  /** Bytes held by remembered node masks (for callers that budget memory). */
  get maskCacheBytes(): number {
    return this.memoBytes;
  }

  private readonly maskMemo = new Map<number, Mask[]>();
  private memoBytes = 0;

  private computeNodeMasks(node: number, splitParts: boolean): Mask[] {
    const wm = this.workMask(node);
    const imgArea = this.workWidth * this.workHeight;
    const minPart = Math.max(4, Math.round(imgArea * 0.0005));
    fillHoles(wm, Math.max(minPart, Math.round(this.tree.area[node] * 0.02)));
    const parts = splitParts ? splitThinBridges(wm, minPart) : [wm];
    return parts.map((p) => this.upsample(p));
  }

  /** Nearest-neighbour upsampling of a working-grid crop to an input-resolution Mask. */
  upsample(m: CropMask): Mask {
    const { width: W, height: H, workWidth: w, workHeight: h } = this;
    // Input pixel range covered by the crop: pixel X maps to working column floor(X*w/W).
    const X0 = Math.ceil((m.x * W) / w);
    const Y0 = Math.ceil((m.y * H) / h);
    const X1 = Math.min(W, Math.ceil(((m.x + m.w) * W) / w));
    const Y1 = Math.min(H, Math.ceil(((m.y + m.h) * H) / h));
    const cw = X1 - X0;
    const ch = Y1 - Y0;
    if (cw <= 0 || ch <= 0) return emptyMask(W, H);
    const colMap = new Int32Array(cw);
    for (let X = 0; X < cw; X++) colMap[X] = Math.min(w - 1, Math.floor(((X + X0) * w) / W)) - m.x;
    const data = new Uint8Array(cw * ch);
    for (let Y = 0; Y < ch; Y++) {
      const sy = Math.min(h - 1, Math.floor(((Y + Y0) * h) / H)) - m.y;
      if (sy < 0 || sy >= m.h) continue;
      const srow = sy * m.w;
      const drow = Y * cw;
      for (let X = 0; X < cw; X++) {
        const sx = colMap[X];
        if (sx >= 0 && sx < m.w && m.data[srow + sx]) data[drow + X] = 1;
      }
    }
    return tightenMask({ width: W, height: H, x: X0, y: Y0, w: cw, h: ch, data });
  }
}

/** Build the hierarchy of one image. Deterministic: the same pixels always give the same tree. */
export function buildHierarchy(image: RasterImage, options: Partial<HierarchyOptions> = {}): RegionHierarchy {
  const o = {
    ...DEFAULT_HIERARCHY_OPTIONS,
    ...options,
    merge: { ...DEFAULT_HIERARCHY_OPTIONS.merge, ...options.merge },
  };
  const work = makeWorkImage(image, { maxSide: o.maxSide, sigma: o.sigma, gradSigma: o.gradSigma });
  const n = work.width * work.height;
  const side = Math.max(work.width, work.height);
  const { labels, count } = oversegment(work, {
    k: (o.k * side) / 320,
    minSize: Math.max(2, Math.round(n * o.minLeaf)),
  });
  const fx = work.width / image.width;
  const fy = work.height / image.height;
  const guides = o.guideBoxes?.map(({ box: [x, y, w, h], score }) => ({
    x0: Math.round(x * fx),
    y0: Math.round(y * fy),
    x1: Math.round((x + w) * fx) - 1,
    y1: Math.round((y + h) * fy) - 1,
    score,
  }));
  const tree = buildMergeTree(work, labels, count, {
    ...o.merge,
    minArea: Math.max(4, Math.round(n * o.minRegion)),
    guides: guides ?? o.merge.guides,
  });
  return new RegionHierarchy(image.width, image.height, work.width, work.height, labels, tree);
}
