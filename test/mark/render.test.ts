import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { createRaster } from "../../src/image/raster.js";
import { markImage } from "../../src/pipeline/mark.js";
import { maskFromFull } from "../../src/regions/mask.js";
import { makeRegion, type Region } from "../../src/regions/region.js";
import { markColor, textColorFor } from "../../src/render/colors.js";

const W = 200;
const H = 120;

function flatImage(v: number) {
  return createRaster(
    W,
    H,
    new Uint8Array(W * H * 4).map((_, i) => (i % 4 === 3 ? 255 : v)),
  );
}

function rectRegion(id: number, x: number, y: number, w: number, h: number): Region {
  const full = new Uint8Array(W * H);
  for (let yy = y; yy < y + h; yy++) full.fill(1, yy * W + x, yy * W + x + w);
  return makeRegion(id, maskFromFull(full, W, H), "test");
}

async function decode(png: Buffer) {
  const { data } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return data;
}

describe("rendering", () => {
  const regions = [rectRegion(1, 10, 10, 80, 60), rectRegion(2, 110, 20, 70, 80)];

  it("draws label digits in the shipped font: text pixels of the contrasting colour inside each label box", async () => {
    const r = await markImage(flatImage(128), { regions, marks: ["number"], fontSize: 24 });
    const px = await decode(r.png);
    for (const m of r.marks) {
      const bg = markColor(m.id);
      const fg = textColorFor(bg);
      const [x, y, w, h] = m.labelBox;
      let text = 0;
      let back = 0;
      for (let yy = y; yy < y + h; yy++) {
        for (let xx = x; xx < x + w; xx++) {
          const p = (yy * W + xx) * 3;
          const c = [px[p], px[p + 1], px[p + 2]];
          if (c.every((v, i) => Math.abs(v - fg[i]) < 40)) text++;
          if (c.every((v, i) => Math.abs(v - bg[i]) < 8)) back++;
        }
      }
      // A glyph covers a real share of the box; the rest is the mark colour.
      expect(text / (w * h)).toBeGreaterThan(0.08);
      expect(back / (w * h)).toBeGreaterThan(0.4);
    }
  });

  it("different label text draws different pixels in the same label box", async () => {
    const digit = await markImage(flatImage(128), { regions: [regions[0]], marks: ["number"] });
    const letter = await markImage(flatImage(128), {
      regions: [regions[0]],
      marks: ["number"],
      labels: "alpha",
    });
    expect(digit.marks[0].label).toBe("1");
    expect(letter.marks[0].label).toBe("a");
    expect(Buffer.compare(await decode(digit.png), await decode(letter.png))).not.toBe(0);
  });

  it("tints, outlines and boxes only where asked, leaving other pixels untouched", async () => {
    const plain = await decode(
      (await markImage(flatImage(100), { regions, marks: ["mask"], alpha: 0.5 })).png,
    );
    const p = (x: number, y: number) => [
      plain[(y * W + x) * 3],
      plain[(y * W + x) * 3 + 1],
      plain[(y * W + x) * 3 + 2],
    ];
    expect(p(100, 5)).toEqual([100, 100, 100]); // outside every region
    const c = markColor(1);
    expect(p(50, 40)).toEqual(c.map((v) => (100 * 128 + v * 128) >> 8)); // inside region 1, half tint
    const contour = await decode(
      (await markImage(flatImage(100), { regions, marks: ["contour"], lineWidth: 2 })).png,
    );
    const q = (x: number, y: number) => [
      contour[(y * W + x) * 3],
      contour[(y * W + x) * 3 + 1],
      contour[(y * W + x) * 3 + 2],
    ];
    expect(q(10, 40)).toEqual(c); // left edge of region 1
    expect(q(11, 40)).toEqual(c); // 2 px wide
    expect(q(12, 40)).toEqual([100, 100, 100]);
    expect(q(50, 40)).toEqual([100, 100, 100]); // interior untouched
  });

  it("is deterministic: same input and settings give the same bytes", async () => {
    const a = await markImage(flatImage(90), { regions });
    const b = await markImage(flatImage(90), { regions });
    expect(Buffer.compare(a.png, b.png)).toBe(0);
  });
});
