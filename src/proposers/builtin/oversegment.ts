import type { WorkImage } from "./features.js";

/** Union-find over pixel indices, with component sizes and Felzenszwalb's internal difference. */
class DisjointSets {
  readonly parent: Int32Array;
  readonly size: Int32Array;
  readonly internal: Float32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    this.internal = new Float32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(i: number): number {
    const p = this.parent;
    let r = i;
    while (p[r] !== r) r = p[r];
    while (p[i] !== r) {
      const next = p[i];
      p[i] = r;
      i = next;
    }
    return r;
  }
  union(a: number, b: number, w: number): number {
    if (this.size[a] < this.size[b]) [a, b] = [b, a];
    this.parent[b] = a;
    this.size[a] += this.size[b];
    this.internal[a] = w;
    return a;
  }
}

/** Graph edges of the 8-connected pixel grid, sorted by Lab distance (counting sort on quantised weights). */
function sortedGridEdges(img: WorkImage): { a: Int32Array; b: Int32Array; w: Float32Array } {
  const { width: W, height: H, L, A, B } = img;
  const max = W * H * 4;
  const ea = new Int32Array(max);
  const eb = new Int32Array(max);
  const ew = new Float32Array(max);
  let m = 0;
  const add = (p: number, q: number) => {
    const dl = L[p] - L[q];
    const da = A[p] - A[q];
    const db = B[p] - B[q];
    ea[m] = p;
    eb[m] = q;
    ew[m] = Math.sqrt(dl * dl + da * da + db * db);
    m++;
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      if (x + 1 < W) add(p, p + 1);
      if (y + 1 < H) {
        add(p, p + W);
        if (x + 1 < W) add(p, p + W + 1);
        if (x > 0) add(p, p + W - 1);
      }
    }
  }
  const BINS = 4096;
  const SCALE = 16; // 1/16 Lab unit resolution, up to 256 units
  const count = new Int32Array(BINS + 1);
  const bin = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const k = Math.min(BINS - 1, Math.floor(ew[i] * SCALE));
    bin[i] = k;
    count[k + 1]++;
  }
  for (let k = 0; k < BINS; k++) count[k + 1] += count[k];
  const a = new Int32Array(m);
  const b = new Int32Array(m);
  const w = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    const j = count[bin[i]]++;
    a[j] = ea[i];
    b[j] = eb[i];
    w[j] = ew[i];
  }
  return { a, b, w };
}

export interface OversegmentOptions {
  /** Felzenszwalb's k (Lab units × pixels): larger gives bigger segments. */
  k: number;
  /** Segments smaller than this (working pixels) are merged into a neighbour. */
  minSize: number;
}

/**
 * Felzenszwalb–Huttenlocher graph segmentation of the working image. Returns a label per pixel, 0..n-1,
 * numbered in raster order of first appearance (deterministic).
 */
export function oversegment(img: WorkImage, opts: OversegmentOptions): { labels: Int32Array; count: number } {
  const n = img.width * img.height;
  const { a, b, w } = sortedGridEdges(img);
  const ds = new DisjointSets(n);
  const m = a.length;
  for (let i = 0; i < m; i++) {
    const ra = ds.find(a[i]);
    const rb = ds.find(b[i]);
    if (ra === rb) continue;
    const wi = w[i];
    if (wi <= ds.internal[ra] + opts.k / ds.size[ra] && wi <= ds.internal[rb] + opts.k / ds.size[rb]) {
      ds.union(ra, rb, wi);
    }
  }
  // Small segments join their most similar neighbour (edges are sorted, so the first one found).
  for (let i = 0; i < m; i++) {
    const ra = ds.find(a[i]);
    const rb = ds.find(b[i]);
    if (ra !== rb && (ds.size[ra] < opts.minSize || ds.size[rb] < opts.minSize)) ds.union(ra, rb, w[i]);
  }
  const labels = new Int32Array(n);
  const map = new Int32Array(n).fill(-1);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = ds.find(i);
    if (map[r] < 0) map[r] = count++;
    labels[i] = map[r];
  }
  return { labels, count };
}
