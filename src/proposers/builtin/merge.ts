import { BoxGuide, type BoxGuideWeights, DEFAULT_BOX_GUIDE_WEIGHTS, type GuideBox } from "./box-guide.js";
import type { WorkImage } from "./features.js";

/** Weights of the merge cost (see `mergeCost`). All tuned on COCO panoptic val photos. */
export interface MergeOptions {
  /** Mean gradient along the shared boundary, relative to the image's mean gradient. */
  wBoundary: number;
  /** Distance of mean Lab colours, per 20 Lab units. */
  wColour: number;
  /** 1 − intersection of Lab colour histograms. */
  wHist: number;
  /** 1 − intersection of gradient orientation/magnitude histograms. */
  wTexture: number;
  /** Empty bounding-box area the union would add, as a fraction of the image. */
  wFill: number;
  /** Cost multiplier exponent on the smaller region's area fraction: small regions merge first. */
  sizePow: number;
  /** Extra cost when the shared boundary is short relative to the smaller region's perimeter. */
  wContact: number;
  /** Regions below this many working pixels merge before anything else (tiny fragments). */
  minArea: number;
  /** Detector boxes (working pixels) that bend merging towards objects; none by default (box-guide.ts). */
  guides?: readonly GuideBox[];
  guideWeights?: BoxGuideWeights;
}

/** A binary merge tree over the leaves: nodes 0..leafCount-1 are leaves, node leafCount+k is merge k. */
export interface MergeTree {
  leafCount: number;
  /** Node count (2·leafCount − 1 when the image is one connected piece, which the grid always is). */
  nodeCount: number;
  parent: Int32Array;
  left: Int32Array;
  right: Int32Array;
  /** Working-pixel area of each node. */
  area: Int32Array;
  /** Bounding box in working pixels, inclusive: x0,y0,x1,y1 per node. */
  bbox: Int32Array;
  /** Summed boundary strength and length along each node's outline (image border excluded). */
  outerSum: Float64Array;
  outerLen: Float64Array;
  /** Summed boundary strength and length of the boundaries inside each node (between its leaves). */
  innerSum: Float64Array;
  innerLen: Float64Array;
  /** Mean colour gradient of the working image (the unit of the sums above). */
  gradMean: number;
  /** Cost of the merge that created the node (0 for leaves), made non-decreasing up the tree. */
  height: Float32Array;
}

const COL_BINS = 12; // per Lab channel
const TEX_BINS = 32; // 8 orientations × 4 magnitudes

export function buildMergeTree(
  img: WorkImage,
  labels: Int32Array,
  leafCount: number,
  opts: MergeOptions,
): MergeTree {
  const { width: W, height: H, L, A, B, grad, orient } = img;
  const N = W * H;
  const maxNodes = 2 * leafCount - 1;
  const area = new Int32Array(maxNodes);
  const sum = new Float64Array(maxNodes * 3);
  const bbox = new Int32Array(maxNodes * 4);
  const perim = new Float64Array(maxNodes);
  const outerSum = new Float64Array(maxNodes);
  const outerLen = new Float64Array(maxNodes);
  const innerSum = new Float64Array(maxNodes);
  const innerLen = new Float64Array(maxNodes);
  const colH = new Float32Array(maxNodes * COL_BINS * 3);
  const texH = new Float32Array(maxNodes * TEX_BINS);
  for (let i = 0; i < leafCount; i++) {
    bbox[i * 4] = W;
    bbox[i * 4 + 1] = H;
    bbox[i * 4 + 2] = -1;
    bbox[i * 4 + 3] = -1;
  }
  const guide =
    opts.guides && opts.guides.length > 0
      ? new BoxGuide(opts.guides, opts.guideWeights ?? DEFAULT_BOX_GUIDE_WEIGHTS, labels, W, H, maxNodes)
      : undefined;
  let gradMean = 0;
  for (let i = 0; i < N; i++) gradMean += grad[i];
  gradMean = gradMean / N + 1e-3;
  // Magnitude bins on a log-ish scale of the image's own gradient statistics.
  const magEdges = [0.5 * gradMean, gradMean, 2 * gradMean];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const r = labels[p];
      area[r]++;
      sum[r * 3] += L[p];
      sum[r * 3 + 1] += A[p];
      sum[r * 3 + 2] += B[p];
      const bb = r * 4;
      if (x < bbox[bb]) bbox[bb] = x;
      if (y < bbox[bb + 1]) bbox[bb + 1] = y;
      if (x > bbox[bb + 2]) bbox[bb + 2] = x;
      if (y > bbox[bb + 3]) bbox[bb + 3] = y;
      const cb = r * COL_BINS * 3;
      colH[cb + Math.min(COL_BINS - 1, Math.max(0, Math.floor((L[p] / 100) * COL_BINS)))]++;
      colH[cb + COL_BINS + Math.min(COL_BINS - 1, Math.max(0, Math.floor(((A[p] + 60) / 120) * COL_BINS)))]++;
      colH[
        cb + 2 * COL_BINS + Math.min(COL_BINS - 1, Math.max(0, Math.floor(((B[p] + 60) / 120) * COL_BINS)))
      ]++;
      const g = grad[p];
      const mb = g < magEdges[0] ? 0 : g < magEdges[1] ? 1 : g < magEdges[2] ? 2 : 3;
      const ob = mb === 0 ? 0 : Math.min(7, Math.floor((orient[p] / Math.PI) * 8));
      texH[r * TEX_BINS + mb * 8 + ob]++;
      if (x === 0 || x === W - 1) perim[r]++;
      if (y === 0 || y === H - 1) perim[r]++;
    }
  }

  // Edges of the region adjacency graph: shared boundary length and summed boundary strength.
  const nbr: Map<number, number>[] = [];
  for (let i = 0; i < maxNodes; i++) nbr.push(new Map());
  let eLen: number[] = [];
  let eSum: number[] = [];
  const touch = (p: number, q: number) => {
    const a = labels[p];
    const b = labels[q];
    if (a === b) return;
    const s = Math.max(grad[p], grad[q]);
    let e = nbr[a].get(b);
    if (e === undefined) {
      e = eLen.length;
      eLen.push(0);
      eSum.push(0);
      nbr[a].set(b, e);
      nbr[b].set(a, e);
    }
    eLen[e]++;
    eSum[e] += s;
    perim[a]++;
    perim[b]++;
    outerSum[a] += s;
    outerSum[b] += s;
    outerLen[a]++;
    outerLen[b]++;
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      if (x + 1 < W) touch(p, p + 1);
      if (y + 1 < H) touch(p, p + W);
    }
  }

  const histInter = (
    arr: Float32Array,
    a: number,
    b: number,
    bins: number,
    na: number,
    nb: number,
  ): number => {
    let s = 0;
    const oa = a * bins;
    const ob = b * bins;
    for (let i = 0; i < bins; i++) {
      const va = arr[oa + i] / na;
      const vb = arr[ob + i] / nb;
      s += Math.min(va, vb);
    }
    return s;
  };

  const cost = (a: number, b: number, e: number): number => {
    const na = area[a];
    const nb = area[b];
    const bnd = eSum[e] / eLen[e] / gradMean;
    const dl = (sum[a * 3] / na - sum[b * 3] / nb) / 20;
    const da = (sum[a * 3 + 1] / na - sum[b * 3 + 1] / nb) / 20;
    const db = (sum[a * 3 + 2] / na - sum[b * 3 + 2] / nb) / 20;
    const col = Math.sqrt(dl * dl + da * da + db * db);
    const hist = 1 - histInter(colH, a, b, COL_BINS * 3, na * 3, nb * 3);
    const tex = 1 - histInter(texH, a, b, TEX_BINS, na, nb);
    const bx0 = Math.min(bbox[a * 4], bbox[b * 4]);
    const by0 = Math.min(bbox[a * 4 + 1], bbox[b * 4 + 1]);
    const bx1 = Math.max(bbox[a * 4 + 2], bbox[b * 4 + 2]);
    const by1 = Math.max(bbox[a * 4 + 3], bbox[b * 4 + 3]);
    const fillGap = Math.max(0, ((bx1 - bx0 + 1) * (by1 - by0 + 1) - na - nb) / N);
    let d =
      opts.wBoundary * bnd +
      opts.wColour * col +
      opts.wHist * hist +
      opts.wTexture * tex +
      opts.wFill * fillGap;
    if (guide) d *= guide.factor(a, b, na, nb);
    const small = Math.min(na, nb);
    const contact = Math.min(1, eLen[e] / Math.max(1, Math.min(perim[a], perim[b])));
    d *= 1 + opts.wContact * (1 - Math.min(1, 4 * contact));
    d *= (small / N) ** opts.sizePow;
    if (small < opts.minArea) d *= 1e-3;
    return d;
  };

  // Binary min-heap of candidate merges (lazy deletion: stale entries name a dead node).
  let hc: number[] = [];
  let ha: number[] = [];
  let hb: number[] = [];
  const less = (i: number, j: number) =>
    hc[i] < hc[j] || (hc[i] === hc[j] && (ha[i] < ha[j] || (ha[i] === ha[j] && hb[i] < hb[j])));
  const swap = (i: number, j: number) => {
    [hc[i], hc[j]] = [hc[j], hc[i]];
    [ha[i], ha[j]] = [ha[j], ha[i]];
    [hb[i], hb[j]] = [hb[j], hb[i]];
  };
  const push = (c: number, a: number, b: number) => {
    if (a > b) [a, b] = [b, a];
    hc.push(c);
    ha.push(a);
    hb.push(b);
    let i = hc.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(i, p)) break;
      swap(i, p);
      i = p;
    }
  };
  const pop = () => {
    const last = hc.length - 1;
    swap(0, last);
    const top = [hc.pop()!, ha.pop()!, hb.pop()!] as const;
    let i = 0;
    const n = hc.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && less(l, m)) m = l;
      if (r < n && less(r, m)) m = r;
      if (m === i) break;
      swap(i, m);
      i = m;
    }
    return top;
  };

  for (let a = 0; a < leafCount; a++) {
    for (const [b, e] of nbr[a]) if (a < b) push(cost(a, b, e), a, b);
  }

  const parent = new Int32Array(maxNodes).fill(-1);
  const left = new Int32Array(maxNodes).fill(-1);
  const right = new Int32Array(maxNodes).fill(-1);
  const height = new Float32Array(maxNodes);
  const alive = new Uint8Array(maxNodes);
  alive.fill(1, 0, leafCount);
  let next = leafCount;

  const merge = (a: number, b: number, c: number) => {
    const n = next++;
    parent[a] = n;
    parent[b] = n;
    left[n] = a;
    right[n] = b;
    height[n] = Math.max(c, height[a], height[b]);
    alive[a] = 0;
    alive[b] = 0;
    alive[n] = 1;
    area[n] = area[a] + area[b];
    for (let k = 0; k < 3; k++) sum[n * 3 + k] = sum[a * 3 + k] + sum[b * 3 + k];
    bbox[n * 4] = Math.min(bbox[a * 4], bbox[b * 4]);
    bbox[n * 4 + 1] = Math.min(bbox[a * 4 + 1], bbox[b * 4 + 1]);
    bbox[n * 4 + 2] = Math.max(bbox[a * 4 + 2], bbox[b * 4 + 2]);
    bbox[n * 4 + 3] = Math.max(bbox[a * 4 + 3], bbox[b * 4 + 3]);
    const shared = nbr[a].get(b);
    perim[n] = perim[a] + perim[b] - (shared === undefined ? 0 : 2 * eLen[shared]);
    const sl = shared === undefined ? 0 : eLen[shared];
    const ss = shared === undefined ? 0 : eSum[shared];
    outerSum[n] = outerSum[a] + outerSum[b] - 2 * ss;
    outerLen[n] = outerLen[a] + outerLen[b] - 2 * sl;
    innerSum[n] = innerSum[a] + innerSum[b] + ss;
    innerLen[n] = innerLen[a] + innerLen[b] + sl;
    for (let i = 0; i < COL_BINS * 3; i++)
      colH[n * COL_BINS * 3 + i] = colH[a * COL_BINS * 3 + i] + colH[b * COL_BINS * 3 + i];
    guide?.merge(n, a, b);
    for (let i = 0; i < TEX_BINS; i++)
      texH[n * TEX_BINS + i] = texH[a * TEX_BINS + i] + texH[b * TEX_BINS + i];
    // Combine adjacency: neighbours of a and b become neighbours of n (shared edges summed).
    const nn = nbr[n];
    for (const src of [a, b]) {
      for (const [m, e] of nbr[src]) {
        if (m === a || m === b) continue;
        nbr[m].delete(src);
        const have = nn.get(m);
        if (have === undefined) {
          nn.set(m, e);
          nbr[m].set(n, e);
        } else {
          eLen[have] += eLen[e];
          eSum[have] += eSum[e];
        }
      }
      nbr[src].clear();
    }
    // Deterministic order: neighbours by id.
    const ms = [...nn.keys()].sort((x, y) => x - y);
    for (const m of ms) push(cost(n, m, nn.get(m)!), m, n);
  };

  while (hc.length > 0) {
    const [c, a, b] = pop();
    if (!alive[a] || !alive[b]) continue;
    merge(a, b, c);
    // Keep the heap from growing without bound on large leaf counts.
    if (hc.length > 8 * maxNodes + 1024) {
      const keep: number[] = [];
      for (let i = 0; i < hc.length; i++) if (alive[ha[i]] && alive[hb[i]]) keep.push(i);
      const c2 = keep.map((i) => hc[i]);
      const a2 = keep.map((i) => ha[i]);
      const b2 = keep.map((i) => hb[i]);
      hc = [];
      ha = [];
      hb = [];
      for (let i = 0; i < c2.length; i++) push(c2[i], a2[i], b2[i]);
    }
  }
  // Disconnected pieces (not possible on a pixel grid, but cheap to guard): join roots in id order.
  let roots: number[] = [];
  for (let i = 0; i < next; i++) if (alive[i]) roots.push(i);
  while (roots.length > 1) {
    const [a, b] = roots;
    merge(a, b, Number.MAX_VALUE);
    roots = [...roots.slice(2), next - 1];
  }
  eLen = [];
  eSum = [];
  return {
    leafCount,
    nodeCount: next,
    parent,
    left,
    right,
    area,
    bbox,
    height,
    outerSum,
    outerLen,
    innerSum,
    innerLen,
    gradMean,
  };
}
