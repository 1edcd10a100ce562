import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { fitImageSize, IMAGE_LIMITS } from "../../src/providers/image-limits.js";
import { makeRegion } from "../../src/regions/region.js";
import { markForProvider, splitGroups } from "../../src/tasks/marked-view.js";
import { scaleMask } from "../../src/tasks/scale-regions.js";
import { cocoMarks } from "./coco.js";

describe("fitImageSize", () => {
  it("applies each provider's limits", () => {
    expect(fitImageSize(4000, 3000, IMAGE_LIMITS.openai)).toEqual({ width: 1024, height: 768, scale: 0.256 });
    const a = fitImageSize(4000, 3000, IMAGE_LIMITS.anthropic);
    expect(a.width * a.height).toBeLessThanOrEqual(1_150_000);
    expect(Math.max(a.width, a.height)).toBeLessThanOrEqual(1568);
    expect(fitImageSize(640, 480, IMAGE_LIMITS.google)).toEqual({ width: 640, height: 480, scale: 1 });
  });
});

describe("markForProvider", () => {
  it("draws marks on the resized image, keeps full-size regions and global ids per group", async () => {
    const { image, regions } = await cocoMarks("000000000139");
    const style = { labels: "numeric" as const, marks: ["number", "mask"] as const, alpha: 0.3 };
    const view = await markForProvider(
      image,
      regions,
      { maxLongSide: 320 },
      { ...style, marks: [...style.marks] },
      12,
    );
    expect(view.sent).toEqual({ width: 320, height: 213 });
    expect(view.groups.map((g) => g.regions.map((r) => r.id))).toEqual(
      splitGroups(
        regions.map((r) => r.id),
        12,
      ),
    );
    for (const g of view.groups) {
      const meta = await sharp(g.png).metadata();
      expect([meta.width, meta.height]).toEqual([320, 213]);
      expect(g.regions[0].mask.width).toBe(640);
    }
    expect(view.groups[0].png.equals(view.groups[1].png)).toBe(false);
  });

  it("keeps a region too small for the resize as one pixel, so its mark is still drawn", () => {
    const tiny = makeRegion(
      1,
      { width: 100, height: 100, x: 55, y: 55, w: 1, h: 1, data: new Uint8Array([1]) },
      "user",
    );
    const m = scaleMask(tiny.mask, 10, 10);
    expect([m.x, m.y, m.w, m.h]).toEqual([5, 5, 1, 1]);
    const big = scaleMask(
      { width: 100, height: 100, x: 10, y: 20, w: 40, h: 30, data: new Uint8Array(1200).fill(1) },
      50,
      50,
    );
    expect([big.x, big.y, big.w, big.h]).toEqual([5, 10, 20, 15]);
  });
});
