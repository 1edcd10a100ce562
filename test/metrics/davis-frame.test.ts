import { describe, expect, it } from "vitest";
import { boundaryF, boundaryMap, boundaryRadius, jaccard } from "../../src/metrics/davis-frame.js";
import { dbStatistics } from "../../src/metrics/davis-stats.js";

/** Full-frame mask from a list of [x, y] pixels. */
function mask(width: number, height: number, pixels: [number, number][]): Uint8Array {
  const m = new Uint8Array(width * height);
  for (const [x, y] of pixels) m[y * width + x] = 1;
  return m;
}

function rect(width: number, height: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) m[y * width + x] = 1;
  return m;
}

describe("J (region similarity)", () => {
  it("is 1 when both masks are empty and 0 for an empty prediction", () => {
    const empty = new Uint8Array(12);
    expect(jaccard(empty, empty)).toBe(1);
    expect(jaccard(rect(4, 3, 1, 1, 2, 2), empty)).toBe(0);
    expect(jaccard(rect(4, 3, 0, 0, 1, 0), rect(4, 3, 0, 0, 3, 0))).toBe(0.5);
  });
});

describe("boundary map (seg2bmap rule)", () => {
  it("marks pixels that differ from their E, S or SE neighbour, with the last row/column rules", () => {
    const seg = rect(4, 3, 1, 1, 2, 2);
    const rows = [
      [1, 1, 1, 0],
      [1, 0, 1, 0],
      [1, 0, 1, 0],
    ];
    expect(Array.from(boundaryMap(seg, 4, 3))).toEqual(rows.flat());
  });

  it("never marks the image border: a full-frame mask has no boundary", () => {
    const full = new Uint8Array(20).fill(1);
    expect(Array.from(boundaryMap(full, 5, 4)).every((v) => v === 0)).toBe(true);
  });
});

describe("F (boundary measure)", () => {
  it("uses a disk of ceil(0.008 · diagonal) pixels", () => {
    expect(boundaryRadius(854, 480)).toBe(8);
    expect(boundaryRadius(100, 100)).toBe(2);
    expect(boundaryRadius(6, 5)).toBe(1);
  });

  it("counts boundary pixels within the disk (dx² + dy² ≤ r²), not the square", () => {
    // 100×100 → r = 2. GT pixel (10,10) has boundary {(9,9),(10,9),(9,10),(10,10)}; prediction
    // pixel (12,11) has {(11,10),(12,10),(11,11),(12,11)}. Only (12,11)↔(10,10) and (9,9)↔(11,10)-type
    // pairs at offset (2,1) fall outside the disk: precision = recall = 3/4.
    const gt = mask(100, 100, [[10, 10]]);
    const pred = mask(100, 100, [[12, 11]]);
    expect(jaccard(gt, pred)).toBe(0);
    expect(boundaryF(gt, pred, 100, 100)).toBe(0.75);
  });

  it("accepts an edge shifted by exactly r and rejects r + 1", () => {
    const gt = rect(100, 100, 0, 0, 49, 99);
    expect(boundaryF(gt, rect(100, 100, 0, 0, 51, 99), 100, 100)).toBe(1);
    expect(boundaryF(gt, rect(100, 100, 0, 0, 52, 99), 100, 100)).toBe(0);
  });

  it("follows the official empty-boundary conventions", () => {
    const empty = new Uint8Array(100 * 100);
    const obj = rect(100, 100, 20, 20, 40, 40);
    expect(boundaryF(empty, empty, 100, 100)).toBe(1); // both empty
    expect(boundaryF(obj, empty, 100, 100)).toBe(0); // empty prediction: precision 1, recall 0
    expect(boundaryF(empty, obj, 100, 100)).toBe(0); // empty GT: precision 0, recall 1
    // A full-frame GT has no boundary, so an empty prediction still gets F = 1 (J = 0).
    const full = new Uint8Array(100 * 100).fill(1);
    expect(boundaryF(full, empty, 100, 100)).toBe(1);
    expect(jaccard(full, empty)).toBe(0);
  });
});

describe("db_statistics (mean, recall, decay)", () => {
  it("uses recall > 0.5 strictly and decay over 4 quantised bins", () => {
    const v = [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
    const s = dbStatistics(v);
    expect(s.mean).toBeCloseTo(0.55, 15);
    expect(s.recall).toBe(0.5); // 0.5 itself is not counted
    // n = 10: ids = [0, 2, 5, 7, 9]; first bin v[0..2], last bin v[7..9]
    expect(s.decay).toBeCloseTo(0.9 - 0.2, 15);
  });

  it("handles very short sequences as the official rounding does", () => {
    expect(dbStatistics([0.3]).decay).toBe(0);
    // n = 3: linspace(1,3,5)+1e-10 rounds to [1,2,2,3,3] → ids [0,1,1,2,2]: bins v[0..1] and v[2..2]
    expect(dbStatistics([1, 0.5, 0]).decay).toBe(0.75);
    // n = 5: ids [0,1,2,3,4]
    expect(dbStatistics([1, 1, 0, 0, 0]).decay).toBe(1);
  });

  it("wraps bin ids past 255 frames like the official uint8 cast (decay becomes NaN)", () => {
    const v = Array.from({ length: 300 }, (_, i) => i / 300);
    const s = dbStatistics(v);
    expect(s.mean).toBeCloseTo(299 / 600, 12);
    expect(s.decay).toBeNaN();
  });
});
