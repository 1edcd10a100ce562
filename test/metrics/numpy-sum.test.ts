import { describe, expect, it } from "vitest";
import { npMean, npSum } from "../../src/metrics/numpy-sum.js";

// Expected values printed by NumPy 2.4 (`repr(float(np.sum(np.array(x))))`); a left-to-right loop gives
// the second number, so these cases tell pairwise summation from a plain loop.
const CASES: { values: number[]; sum: number; naive: number; mean: number }[] = [
  {
    values: Array.from({ length: 10 }, (_, i) => 0.1 * (i % 7) + 1e-3 * i),
    sum: 2.4450000000000003,
    naive: 2.4450000000000007,
    mean: 0.24450000000000002,
  },
  {
    values: Array.from({ length: 200 }, (_, i) => 1 / (i + 1)),
    sum: 5.878030948121444,
    naive: 5.878030948121446,
    mean: 0.029390154740607223,
  },
  {
    values: [0.7, 0.1, 0.2, 0.3, 0.9, 0.6, 0.8, 0.5, 0.4, 0.3, 0.2],
    sum: 5.0,
    naive: 5.000000000000001,
    mean: 0.45454545454545453,
  },
];

describe("NumPy-order sums", () => {
  it("equal np.sum / np.mean bit for bit where a plain loop does not", () => {
    for (const c of CASES) {
      let naive = 0;
      for (const v of c.values) naive += v;
      expect(naive).toBe(c.naive);
      expect(npSum(c.values)).toBe(c.sum);
      expect(npMean(c.values)).toBe(c.mean);
    }
  });

  it("gives NaN for the mean of nothing, as NumPy does", () => {
    expect(npSum([])).toBe(0);
    expect(npMean([])).toBeNaN();
  });
});
