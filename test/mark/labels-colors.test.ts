import { describe, expect, it } from "vitest";
import { labelNumber, labelText } from "../../src/marks/labels.js";
import { contrastRatio, markColor, textColorFor, toHex } from "../../src/render/colors.js";

describe("label text", () => {
  it("numbers and letters", () => {
    expect([1, 2, 10, 123].map((n) => labelText(n, "numeric"))).toEqual(["1", "2", "10", "123"]);
    expect([1, 2, 26, 27, 28, 52, 53, 702, 703].map((n) => labelText(n, "alpha"))).toEqual([
      "a",
      "b",
      "z",
      "aa",
      "ab",
      "az",
      "ba",
      "zz",
      "aaa",
    ]);
  });
  it("round-trips and rejects non-labels", () => {
    for (let n = 1; n < 2000; n++) {
      expect(labelNumber(labelText(n, "alpha"), "alpha")).toBe(n);
      expect(labelNumber(labelText(n, "numeric"), "numeric")).toBe(n);
    }
    expect(labelNumber("0", "numeric")).toBeUndefined();
    expect(labelNumber("a1", "alpha")).toBeUndefined();
    expect(() => labelText(0, "numeric")).toThrow();
  });
});

describe("mark colours", () => {
  it("are deterministic and distinct for neighbouring ids", () => {
    expect(toHex(markColor(7))).toBe(toHex(markColor(7)));
    const hexes = new Set(Array.from({ length: 300 }, (_, i) => toHex(markColor(i + 1))));
    expect(hexes.size).toBe(300);
    for (let id = 1; id < 300; id++) {
      const [a, b] = [markColor(id), markColor(id + 1)];
      const dist = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
      expect(dist).toBeGreaterThan(60);
    }
  });
  it("label text contrast is at least 4.5:1 for every mark colour and any background", () => {
    for (let id = 1; id <= 1000; id++) {
      const bg = markColor(id);
      expect(contrastRatio(bg, textColorFor(bg))).toBeGreaterThanOrEqual(4.5);
    }
    // The worst case over all colours: a sweep of greys and primaries.
    for (let v = 0; v < 256; v += 1) {
      for (const bg of [
        [v, v, v],
        [v, 0, 0],
        [0, v, 0],
        [0, 0, v],
      ] as [number, number, number][]) {
        expect(contrastRatio(bg, textColorFor(bg))).toBeGreaterThanOrEqual(4.5);
      }
    }
  });
});
