import { describe, expect, it } from "vitest";
import { type CropMask, fillHoles, splitThinBridges } from "../../src/proposers/builtin/postprocess.js";

function crop(rows: string[]): CropMask {
  const h = rows.length;
  const w = rows[0].length;
  const data = new Uint8Array(w * h);
  rows.forEach((r, y) => {
    for (let x = 0; x < w; x++) data[y * w + x] = r[x] === "#" ? 1 : 0;
  });
  return { x: 3, y: 5, w, h, data };
}
const count = (m: CropMask) => m.data.reduce((a, v) => a + v, 0);

describe("region clean-up", () => {
  it("splits two blobs joined by a one-pixel bridge, and keeps every pixel", () => {
    const m = crop(["####....####", "####....####", "############", "####....####", "####....####"]);
    const parts = splitThinBridges(m, 6);
    expect(parts).toHaveLength(2);
    expect(parts.reduce((a, p) => a + count(p), 0)).toBe(count(m));
    expect(parts.map((p) => p.x).sort((a, b) => a - b)).toEqual([3, 3 + 6]);
  });

  it("splits blobs touching only at a corner, but not a solid blob", () => {
    const diag = crop(["###...", "###...", "###...", "...###", "...###", "...###"]);
    expect(splitThinBridges(diag, 4)).toHaveLength(2);
    const solid = crop(["#####", "#####", "#####", "#####"]);
    expect(splitThinBridges(solid, 4)).toEqual([solid]);
  });

  it("fills small enclosed holes only", () => {
    const m = crop(["#######", "#.#####", "#######", "##...##", "##...##", "#######"]);
    fillHoles(m, 3);
    expect(m.data[1 * 7 + 1]).toBe(1); // 1-pixel hole filled
    expect(m.data[3 * 7 + 3]).toBe(0); // 6-pixel hole kept
    const open = crop(["###", "...", "###"]);
    fillHoles(open, 10);
    expect(count(open)).toBe(6); // background reaching the border is not a hole
  });
});
