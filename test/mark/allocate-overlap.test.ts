import { beforeAll, describe, expect, it } from "vitest";
import { loadImage } from "../../src/image/load.js";
import type { PlacedMark } from "../../src/marks/allocate.js";
import { BoxIndex, touches } from "../../src/marks/box-index.js";
import { placeMarks } from "../../src/marks/place.js";
import { markImage } from "../../src/pipeline/mark.js";
import { loadMaskRegions } from "../../src/proposers/masks/index.js";
import type { BBox } from "../../src/regions/mask.js";
import { maskFromFull, maskToFull } from "../../src/regions/mask.js";
import { makeRegion, type Region } from "../../src/regions/region.js";
import { defaultFontSize } from "../../src/render/font.js";
import { cocoImage, cocoPanoptic } from "../helpers/datasets.js";
import { anyFreeSpotInside } from "./brute-force.js";

// Overlapping masks as proposers give them (nested unions, near-duplicates, random blobs over everything):
// the case the quick path of the label search (coarse distance transform, exact check) is for.
const STEM = "000000000139";
let W = 0;
let H = 0;
let regions: Region[] = [];
let marks: PlacedMark[] = [];

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

beforeAll(async () => {
  const image = await loadImage(cocoImage(STEM));
  W = image.width;
  H = image.height;
  const pan = await loadMaskRegions(cocoPanoptic(STEM), image);
  const fulls = pan.map((r) => maskToFull(r.mask));
  // Unions of neighbouring segments (nested hierarchy levels).
  for (let i = 0; i + 1 < pan.length; i += 2) fulls.push(fulls[i].map((v, k) => v | fulls[i + 1][k]));
  const rnd = rng(11);
  for (let e = 0; e < 70; e++) {
    const cx = rnd() * W;
    const cy = rnd() * H;
    const rx = 6 + rnd() * 90;
    const ry = 6 + rnd() * 90;
    const full = new Uint8Array(W * H);
    for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(H, cy + ry); y++)
      for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(W, cx + rx); x++)
        if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) full[y * W + x] = 1;
    fulls.push(full);
  }
  regions = fulls.map((f, i) => makeRegion(i + 1, maskFromFull(f, W, H), "test")).filter((r) => r.area > 0);
  marks = placeMarks(regions, W, H, { labels: "numeric", fontSize: defaultFontSize(W, H) }).marks;
});

describe("mark allocation on overlapping masks", () => {
  it("keeps every guarantee: one label each, no overlaps, inside the image, inside the region when it has room", () => {
    expect(regions.length).toBeGreaterThan(80);
    expect(marks.map((m) => m.id)).toEqual(regions.map((r) => r.id));
    for (const [i, a] of marks.entries()) {
      const [x, y, w, h] = a.labelBox;
      expect(x >= 0 && y >= 0 && x + w <= W && y + h <= H).toBe(true);
      for (const b of marks.slice(i + 1))
        expect(touches(a.labelBox, b.labelBox, 0), `${a.id}/${b.id}`).toBe(false);
    }
    const order = [...marks].sort((a, b) => a.region.area - b.region.area || a.id - b.id);
    let inside = 0;
    for (const [k, m] of order.entries()) {
      const full = maskToFull(m.region.mask);
      const [x, y, w, h] = m.labelBox;
      if (m.inside) {
        inside++;
        for (let yy = y; yy < y + h; yy++)
          for (let xx = x; xx < x + w; xx++) expect(full[yy * W + xx]).toBe(1);
        continue;
      }
      const earlier = order.slice(0, k).map((e) => e.labelBox);
      expect(anyFreeSpotInside(full, W, H, w, h, earlier), `mark ${m.id}`).toBe(false);
    }
    expect(inside / marks.length).toBeGreaterThan(0.5);
  });

  it("is deterministic", () => {
    const again = placeMarks(regions, W, H, { labels: "numeric", fontSize: defaultFontSize(W, H) });
    expect(again.marks.map((m) => m.labelBox)).toEqual(marks.map((m) => m.labelBox));
  });

  it("says in the manifest which labels lie outside their region (labelInside)", async () => {
    const image = await loadImage(cocoImage(STEM));
    const r = await markImage(image, { regions });
    const byId = new Map(r.marks.map((m) => [m.id, m]));
    let outside = 0;
    for (const mm of r.manifest.marks) {
      const m = byId.get(mm.id)!;
      expect(mm.labelInside).toBe(m.inside);
      const full = maskToFull(m.region.mask);
      const [x, y, w, h] = mm.labelBox;
      let all = true;
      for (let yy = y; yy < y + h && all; yy++)
        for (let xx = x; xx < x + w && all; xx++) all = full[yy * W + xx] === 1;
      expect(mm.labelInside, `mark ${mm.id}`).toBe(all);
      if (!mm.labelInside) outside++;
    }
    expect(outside).toBeGreaterThan(0);
  });
});

function randomBox(rnd: () => number): BBox {
  const x = Math.floor(rnd() * 340) - 20;
  const y = Math.floor(rnd() * 240) - 20;
  return [x, y, 1 + Math.floor(rnd() * 40), 1 + Math.floor(rnd() * 30)];
}

describe("BoxIndex", () => {
  it("answers touchesAny and near as a brute-force scan does, boxes reaching outside the image included", () => {
    const rnd = rng(5);
    const index = new BoxIndex(300, 200, 32);
    const boxes: BBox[] = [];
    for (let i = 0; i < 150; i++) {
      const b = randomBox(rnd);
      boxes.push(b);
      index.add(b);
    }
    for (let q = 0; q < 500; q++) {
      const b = randomBox(rnd);
      const gap = q % 3;
      const want = boxes.filter((o) => touches(o, b, gap));
      expect(index.touchesAny(b, gap)).toBe(want.length > 0);
      expect(new Set(index.near(b, gap))).toEqual(new Set(want));
    }
  });
});
