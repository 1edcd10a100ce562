import { describe, expect, it } from "vitest";
import { BoxGuide } from "../../src/proposers/builtin/box-guide.js";

// A 4×4 image of four 2×2 regions: 0 1 / 2 3.
const W = 4;
const H = 4;
const labels = Int32Array.from({ length: W * H }, (_, p) => {
  const x = p % W;
  const y = Math.floor(p / W);
  return (y < 2 ? 0 : 2) + (x < 2 ? 0 : 1);
});

describe("box guidance of the merge cost", () => {
  // One confident box over the top half: regions 0 and 1 are one object, 2 and 3 background.
  const guide = new BoxGuide(
    [{ x0: 0, y0: 0, x1: 3, y1: 1, score: 0.9 }],
    { inside: 0.7, across: 0.5 },
    labels,
    W,
    H,
    7,
  );

  it("makes merges inside one box cheaper and merges across its edge dearer", () => {
    expect(guide.factor(0, 1, 4, 4)).toBeCloseTo(1 - 0.7 * 0.9);
    expect(guide.factor(0, 2, 4, 4)).toBeCloseTo(1 + 0.5 * 0.9);
    // Two regions outside every box: cost unchanged.
    expect(guide.factor(2, 3, 4, 4)).toBe(1);
  });

  it("keeps counts for merged regions", () => {
    guide.merge(4, 0, 1);
    expect(guide.factor(4, 2, 8, 4)).toBeCloseTo(1 + 0.5 * 0.9);
    guide.merge(5, 2, 3);
    // The whole image inside vs the bottom half: the top half (4) is all inside, the bottom (5) none.
    guide.merge(6, 4, 5);
    expect(guide.factor(6, 4, 16, 8)).toBeGreaterThan(1);
  });

  it("discounts a box that fills the whole image (every region lies inside it)", () => {
    const whole = new BoxGuide(
      [{ x0: 0, y0: 0, x1: 3, y1: 3, score: 1 }],
      { inside: 0.7, across: 0.5 },
      labels,
      W,
      H,
      7,
    );
    expect(whole.factor(0, 1, 4, 4)).toBe(1);
  });

  it("counts only the part of a box inside the image, and keeps costs positive for any weights", () => {
    // The same top-half box, reaching far outside the image: same factors as the clipped one.
    const wide = new BoxGuide(
      [{ x0: -10, y0: -10, x1: 13, y1: 1, score: 0.9 }],
      { inside: 0.7, across: 0.5 },
      labels,
      W,
      H,
      7,
    );
    expect(wide.factor(0, 1, 4, 4)).toBeCloseTo(1 - 0.7 * 0.9);
    expect(wide.factor(0, 2, 4, 4)).toBeCloseTo(1 + 0.5 * 0.9);
    const box = [{ x0: 0, y0: 0, x1: 3, y1: 1, score: 1 }];
    const strong = new BoxGuide(box, { inside: 5, across: -1 }, labels, W, H, 7);
    expect(strong.factor(0, 1, 4, 4)).toBeGreaterThan(0);
    expect(strong.factor(0, 2, 4, 4)).toBe(1);
    const partial = new BoxGuide(box, { inside: Number.NaN } as never, labels, W, H, 7);
    expect(partial.factor(0, 2, 4, 4)).toBeCloseTo(1.5);
  });
});
