import { describe, expect, it } from "vitest";
import { loadImage } from "../../src/image/load.js";
import type { RasterImage } from "../../src/image/raster.js";
import { maskArea, maskIoU } from "../../src/regions/mask.js";
import { buildHierarchy, createBuiltinProposer, levelCounts } from "../../src/proposers/builtin/index.js";
import { cocoImage } from "../helpers/datasets.js";

const STEMS = ["000000000139", "000000000785"];
const images = new Map<string, RasterImage>();
async function image(stem: string): Promise<RasterImage> {
  let im = images.get(stem);
  if (!im) {
    im = await loadImage(cocoImage(stem));
    images.set(stem, im);
  }
  return im;
}

/** Node of the level with `count` regions for every working pixel. */
function levelMap(h: ReturnType<typeof buildHierarchy>, count: number): Int32Array {
  const nodeOfLeaf = new Int32Array(h.leafCount).fill(-1);
  for (const n of h.cut(count)) for (const l of h.leavesOf(n)) nodeOfLeaf[l] = n;
  return h.leafLabels.map((l) => nodeOfLeaf[l]);
}

describe("region hierarchy on real photos", () => {
  it("each level is a partition with the asked number of regions, and finer levels nest in coarser ones", async () => {
    for (const stem of STEMS) {
      const h = buildHierarchy(await image(stem));
      expect(h.leafCount).toBeGreaterThan(100);
      const counts = [2, 5, 12, 30, 80];
      const maps = counts.map((c) => levelMap(h, c));
      counts.forEach((c, i) => {
        expect(h.cut(c)).toHaveLength(c);
        expect(maps[i].every((v) => v >= 0)).toBe(true); // every pixel covered exactly once
      });
      // Every region of a finer level lies inside exactly one region of each coarser level.
      for (let f = 1; f < counts.length; f++) {
        for (let c = 0; c < f; c++) {
          const parentOf = new Map<number, number>();
          let conflicts = 0;
          for (let p = 0; p < maps[f].length; p++) {
            const seen = parentOf.get(maps[f][p]);
            if (seen === undefined) parentOf.set(maps[f][p], maps[c][p]);
            else if (seen !== maps[c][p]) conflicts++;
          }
          expect(conflicts).toBe(0);
          expect(parentOf.size).toBe(counts[f]);
        }
      }
      // Tree links agree with the levels: a node's parent is larger and contains its leaves.
      const n = h.cut(30)[0];
      const p = h.parentOf(n);
      expect(h.workArea(p)).toBeGreaterThan(h.workArea(n));
      expect(h.childrenOf(p)).toContain(n);
      // nodeAt finds the region under a point, and the parent chain refines/coarsens it.
      const at = h.nodeAt(h.width / 2, h.height / 2, 12);
      expect(h.cut(12)).toContain(at);
    }
  });

  it("granularity is monotone in region count, from a few regions to many", async () => {
    const proposer = createBuiltinProposer();
    for (const stem of STEMS) {
      const im = await image(stem);
      const counts: number[] = [];
      for (let g = 0; g <= 1.0001; g += 0.1)
        counts.push((await proposer.propose(im, { granularity: g })).length);
      for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]);
      expect(counts[0]).toBeLessThanOrEqual(12);
      expect(counts[counts.length - 1]).toBeGreaterThan(3 * counts[5]);
    }
    expect(levelCounts(0.2).length).toBeLessThan(levelCounts(0.8).length);
  });

  it("returns valid, deduplicated builtin regions and honours maxMarks", async () => {
    const im = await image(STEMS[0]);
    const regions = await createBuiltinProposer().propose(im);
    expect(regions.length).toBeGreaterThan(10);
    expect(regions.length).toBeLessThanOrEqual(80);
    regions.forEach((r, i) => {
      expect(r.id).toBe(i + 1);
      expect(r.source).toBe("builtin");
      expect(r.mask.width).toBe(im.width);
      expect(r.mask.height).toBe(im.height);
      expect(r.area).toBe(maskArea(r.mask));
      expect(r.area).toBeGreaterThan(0.0004 * im.width * im.height);
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
    });
    for (let i = 0; i < regions.length; i++) {
      for (let j = i + 1; j < regions.length; j++) {
        expect(maskIoU(regions[i].mask, regions[j].mask)).toBeLessThanOrEqual(0.9);
      }
    }
    const capped = await createBuiltinProposer().propose(im, { maxMarks: 7 });
    expect(capped).toHaveLength(7);
    // The cap keeps the coarse regions first: the capped set is mostly large regions.
    const meanArea = (rs: typeof regions) => rs.reduce((a, r) => a + r.area, 0) / rs.length;
    expect(meanArea(capped)).toBeGreaterThan(meanArea(regions));
  });

  it("is deterministic: same input, same regions, ids and pixels", async () => {
    const im = await image(STEMS[1]);
    const a = await createBuiltinProposer().propose(im, { granularity: 0.6 });
    const b = await createBuiltinProposer().propose({ ...im, data: im.data.slice() }, { granularity: 0.6 });
    expect(b.length).toBe(a.length);
    a.forEach((r, i) => {
      expect(b[i].id).toBe(r.id);
      expect(b[i].bbox).toEqual(r.bbox);
      expect(Buffer.from(b[i].mask.data).equals(Buffer.from(r.mask.data))).toBe(true);
    });
  });
});
