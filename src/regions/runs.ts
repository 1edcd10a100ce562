import type { Mask } from "./mask.js";

/**
 * A mask's horizontal runs, row by row: the form every drawing and allocation loop wants, since it visits only
 * pixels inside the mask and needs no per-pixel test. Computed once per mask and cached.
 */
export interface MaskRuns {
  /** Runs of crop row y are entries rowStart[y] .. rowStart[y+1]-1. */
  readonly rowStart: Int32Array;
  /** Run start x, image pixels (inclusive). */
  readonly x0: Int32Array;
  /** Run end x, image pixels (exclusive). */
  readonly x1: Int32Array;
}

const cache = new WeakMap<Mask, MaskRuns>();

export function maskRuns(m: Mask): MaskRuns {
  let runs = cache.get(m);
  if (!runs) {
    runs = computeRuns(m);
    cache.set(m, runs);
  }
  return runs;
}

function computeRuns(m: Mask): MaskRuns {
  const { w, h, data } = m;
  const rowStart = new Int32Array(h + 1);
  let cap = Math.max(16, h * 2);
  let x0 = new Int32Array(cap);
  let x1 = new Int32Array(cap);
  let n = 0;
  let row = 0; // next row whose start index is not yet recorded
  const push = (y: number, a: number, b: number) => {
    while (row <= y) rowStart[row++] = n;
    if (n === cap) {
      cap *= 2;
      const nx0 = new Int32Array(cap);
      nx0.set(x0);
      x0 = nx0;
      const nx1 = new Int32Array(cap);
      nx1.set(x1);
      x1 = nx1;
    }
    x0[n] = a + m.x;
    x1[n] = b + m.x;
    n++;
  };
  // Masks hold only 0 and 1: native indexOf (memchr) finds run ends far faster than a byte loop. A run in the
  // flat crop may wrap over several rows; split it at row ends.
  const len = w * h;
  let pos = 0;
  while (pos < len) {
    const s = data.indexOf(1, pos);
    if (s < 0) break;
    let e = data.indexOf(0, s);
    if (e < 0) e = len;
    let y = (s / w) | 0;
    let a = s - y * w;
    for (let rowEnd = (y + 1) * w; rowEnd < e; rowEnd += w, y++, a = 0) push(y, a, w);
    push(y, a, e - y * w);
    pos = e;
  }
  while (row <= h) rowStart[row++] = n;
  return { rowStart, x0: x0.subarray(0, n), x1: x1.subarray(0, n) };
}
