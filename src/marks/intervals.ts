/** Sorted, disjoint lists of half-open integer intervals [a0, b0, a1, b1, …]: mask rows, label positions. */

/** Intersection of two interval lists. */
export function intersectIntervals(p: readonly number[], q: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < p.length && j < q.length) {
    const a = Math.max(p[i], q[j]);
    const b = Math.min(p[i + 1], q[j + 1]);
    if (a < b) out.push(a, b);
    if (p[i + 1] < q[j + 1]) i += 2;
    else j += 2;
  }
  return out;
}

/** An interval list minus the interval [lo, hi). */
export function subtractInterval(p: readonly number[], lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < p.length; i += 2) {
    const a = p[i];
    const b = p[i + 1];
    if (b <= lo || a >= hi) {
      out.push(a, b);
      continue;
    }
    if (a < lo) out.push(a, lo);
    if (b > hi) out.push(hi, b);
  }
  return out;
}
