import { describe, expect, it } from "vitest";
import { squaredDistanceTransform } from "../../src/marks/distance-transform.js";

/** Brute force: squared distance to the nearest background pixel, the grid's outside counting as background. */
function bruteForce(mask: Uint8Array, w: number, h: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) {
        out.push(0);
        continue;
      }
      let best = Infinity;
      for (let yy = -1; yy <= h; yy++) {
        for (let xx = -1; xx <= w; xx++) {
          const inside = xx >= 0 && yy >= 0 && xx < w && yy < h && mask[yy * w + xx];
          if (!inside) best = Math.min(best, (xx - x) ** 2 + (yy - y) ** 2);
        }
      }
      out.push(best);
    }
  }
  return out;
}

describe("squaredDistanceTransform", () => {
  it("matches brute force on random masks", () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let t = 0; t < 60; t++) {
      const w = 1 + Math.floor(rnd() * 14);
      const h = 1 + Math.floor(rnd() * 14);
      const density = rnd();
      const mask = new Uint8Array(w * h).map(() => (rnd() < density ? 1 : 0));
      expect(Array.from(squaredDistanceTransform(mask, w, h))).toEqual(bruteForce(mask, w, h));
    }
  });

  it("peaks at the centre of a filled square", () => {
    const mask = new Uint8Array(9 * 9).fill(1);
    const dt = squaredDistanceTransform(mask, 9, 9);
    expect(dt[4 * 9 + 4]).toBe(25);
    expect(Math.max(...dt)).toBe(25);
  });
});
