import { beforeAll, describe, expect, it } from "vitest";
import { loadImage } from "../../src/image/load.js";
import type { PlacedMark } from "../../src/marks/allocate.js";
import { placeMarks } from "../../src/marks/place.js";
import { loadMaskRegions } from "../../src/proposers/masks/index.js";
import { maskToFull } from "../../src/regions/mask.js";
import type { Region } from "../../src/regions/region.js";
import { defaultFontSize } from "../../src/render/font.js";
import { cocoImage, cocoPanoptic } from "../helpers/datasets.js";
import { anyFreeSpotInside } from "./brute-force.js";

const STEMS = ["000000000139", "000000000285", "000000000632", "000000000724"];

interface Case {
  stem: string;
  width: number;
  height: number;
  regions: Region[];
  marks: PlacedMark[];
}
const cases: Case[] = [];

beforeAll(async () => {
  for (const stem of STEMS) {
    const image = await loadImage(cocoImage(stem));
    const regions = await loadMaskRegions(cocoPanoptic(stem), image);
    const { marks } = placeMarks(regions, image.width, image.height, {
      labels: "numeric",
      fontSize: defaultFontSize(image.width, image.height),
    });
    cases.push({ stem, width: image.width, height: image.height, regions, marks });
  }
});

const overlap = (a: number[], b: number[]) =>
  a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];

describe("mark allocation on COCO panoptic masks", () => {
  it("every region gets exactly one label, labels never overlap and stay inside the image", () => {
    for (const c of cases) {
      expect(c.marks.map((m) => m.id)).toEqual(c.regions.map((r) => r.id));
      for (const [i, a] of c.marks.entries()) {
        const [x, y, w, h] = a.labelBox;
        expect(x).toBeGreaterThanOrEqual(0);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(x + w).toBeLessThanOrEqual(c.width);
        expect(y + h).toBeLessThanOrEqual(c.height);
        for (const b of c.marks.slice(i + 1))
          expect(overlap(a.labelBox, b.labelBox), `${c.stem} ${a.id}/${b.id}`).toBe(false);
      }
    }
  });

  it("a label lies inside its region whenever the region has room for it beside earlier labels", () => {
    let inside = 0;
    let total = 0;
    for (const c of cases) {
      // Allocation order: ascending area, ties by id.
      const order = [...c.marks].sort((a, b) => a.region.area - b.region.area || a.id - b.id);
      for (const [k, m] of order.entries()) {
        total++;
        const full = maskToFull(m.region.mask);
        const [x, y, w, h] = m.labelBox;
        if (m.inside) {
          inside++;
          for (let yy = y; yy < y + h; yy++)
            for (let xx = x; xx < x + w; xx++) expect(full[yy * c.width + xx]).toBe(1);
          continue;
        }
        const earlier = order.slice(0, k).map((e) => e.labelBox);
        expect(anyFreeSpotInside(full, c.width, c.height, w, h, earlier), `${c.stem} mark ${m.id}`).toBe(
          false,
        );
      }
    }
    // About half of COCO panoptic segments (thin stuff, small things) cannot hold a label; the rest must.
    expect(inside / total).toBeGreaterThan(0.4);
  });

  it("labels of regions too small for them sit next to the region", () => {
    for (const c of cases) {
      for (const m of c.marks.filter((mk) => !mk.inside)) {
        const [bx, by, bw, bh] = m.region.bbox;
        const [lx, ly, lw, lh] = m.labelBox;
        const dx = Math.max(0, bx - (lx + lw), lx - (bx + bw));
        const dy = Math.max(0, by - (ly + lh), ly - (by + bh));
        expect(Math.hypot(dx, dy), `${c.stem} mark ${m.id}`).toBeLessThan(Math.max(c.width, c.height) / 4);
      }
    }
  });

  it("is deterministic", () => {
    const c = cases[0];
    const again = placeMarks(c.regions, c.width, c.height, {
      labels: "numeric",
      fontSize: defaultFontSize(c.width, c.height),
    });
    expect(again.marks.map((m) => m.labelBox)).toEqual(c.marks.map((m) => m.labelBox));
  });

  it("shrinks the font rather than overlap labels on a crowded image", () => {
    // 400 one-pixel regions on a 120×90 image cannot all get 20 px labels.
    const W = 120;
    const H = 90;
    const regions: Region[] = [];
    for (let i = 0; i < 400; i++) {
      const x = (i * 37) % W;
      const y = (i * 53) % H;
      regions.push({
        id: i + 1,
        mask: { width: W, height: H, x, y, w: 1, h: 1, data: new Uint8Array([1]) },
        bbox: [x, y, 1, 1],
        area: 1,
        score: 1,
        source: "test",
      });
    }
    const placed = placeMarks(regions, W, H, { labels: "numeric", fontSize: 20 });
    expect(placed.fontSize).toBeLessThan(20);
    expect(placed.marks).toHaveLength(400);
  });
});
