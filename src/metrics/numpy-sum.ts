/**
 * Sums and means that round exactly as NumPy's do. `np.sum`/`np.mean` on a float64 array use pairwise
 * summation (8 running partial sums, blocks of 128), not a left-to-right loop, so a plain loop can
 * differ from the official evaluators in the last bits. Reproducing the order makes our figures equal
 * theirs bit for bit.
 */

const BLOCK = 128;

function pairwise(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    // NumPy starts this loop from -0.0 (the additive identity); the reduction adds 0.0 first.
    let res = -0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= BLOCK) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = a[start + j];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    }
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, start, n2) + pairwise(a, start + n2, n - n2);
}

/** `np.sum(np.asarray(values, dtype=float64))` for arrays that fit in one inner loop (< 8192 items). */
export function npSum(values: ArrayLike<number>): number {
  return 0 + pairwise(values, 0, values.length);
}

/** `np.mean`: pairwise sum divided by the count; NaN for an empty array, as NumPy gives. */
export function npMean(values: ArrayLike<number>): number {
  return npSum(values) / values.length;
}
