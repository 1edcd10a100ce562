import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadImage } from "../../src/image/load.js";
import type { Detection } from "../../src/proposers/builtin/detector-model.js";
import { seedRegions } from "../../src/proposers/builtin/detector-seed.js";
import { buildHierarchy } from "../../src/proposers/builtin/hierarchy.js";
import { leafCut, leafCutContext, leafSetFit } from "../../src/proposers/builtin/leaf-cut.js";
import { MaxFlow } from "../../src/proposers/builtin/maxflow.js";
import sharp from "sharp";
import { maskFromFull, maskIoU } from "../../src/regions/mask.js";
import { cocoImage, cocoPanoptic, cocoPanopticJson } from "../helpers/datasets.js";

describe("max-flow / min-cut", () => {
  it("finds the textbook flow and cut (CLRS network, max flow 23)", () => {
    // nodes v1..v4 = 0..3; s → v1 16, s → v2 13, v3 → t 20, v4 → t 4
    const g = new MaxFlow(4);
    g.addTerminal(0, 16, 0);
    g.addTerminal(1, 13, 0);
    g.addTerminal(2, 0, 20);
    g.addTerminal(3, 0, 4);
    g.addEdge(0, 2, 12, 0);
    g.addEdge(1, 0, 4, 0);
    g.addEdge(1, 3, 14, 0);
    g.addEdge(2, 1, 9, 0);
    g.addEdge(3, 2, 7, 0);
    expect(g.maxflow()).toBeCloseTo(23);
    expect([0, 1, 2, 3].map((i) => g.isSourceSide(i))).toEqual([true, true, false, true]);
  });

  it("matches brute-force minimum energy on random small graphs", () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 30; trial++) {
      const n = 3 + (trial % 6);
      const tFg = Array.from({ length: n }, () => rand() * 10); // paid when on the source side
      const tBg = Array.from({ length: n }, () => rand() * 10); // paid when on the sink side
      const edges: [number, number, number, number][] = [];
      for (let a = 0; a < n; a++)
        for (let b = a + 1; b < n; b++) if (rand() < 0.5) edges.push([a, b, rand() * 5, rand() * 5]);
      const energy = (src: (i: number) => boolean) => {
        let e = 0;
        for (let i = 0; i < n; i++) e += src(i) ? tFg[i] : tBg[i];
        for (const [a, b, ab, ba] of edges) {
          if (src(a) && !src(b)) e += ab;
          if (src(b) && !src(a)) e += ba;
        }
        return e;
      };
      let best = Number.POSITIVE_INFINITY;
      for (let m = 0; m < 1 << n; m++)
        best = Math.min(
          best,
          energy((i) => ((m >> i) & 1) === 1),
        );
      const g = new MaxFlow(n);
      for (let i = 0; i < n; i++) g.addTerminal(i, tBg[i], tFg[i]);
      for (const [a, b, ab, ba] of edges) g.addEdge(a, b, ab, ba);
      const flow = g.maxflow();
      const constant = tFg.reduce((s, v, i) => s + Math.min(v, tBg[i]), 0);
      expect(flow + constant).toBeCloseTo(best, 6);
      expect(energy((i) => g.isSourceSide(i))).toBeCloseTo(best, 6);
    }
  });
});

describe("leaf graph cut (box → mask)", () => {
  // Photos with large objects: a bear; an oven and a fridge; a tv, a laptop and a keyboard.
  const STEMS = ["000000000285", "000000000802", "000000001503"];

  it("beats the plain leaf seed on real COCO objects given their GT boxes", { timeout: 30_000 }, async () => {
    const gt = JSON.parse(readFileSync(cocoPanopticJson(), "utf8"));
    const thing = new Set<number>(
      gt.categories.filter((c: { isthing: number }) => c.isthing).map((c: { id: number }) => c.id),
    );
    const leafIoUs: number[] = [];
    const cutIoUs: number[] = [];
    for (const stem of STEMS) {
      const image = await loadImage(cocoImage(stem));
      const ann = gt.annotations.find((a: { file_name: string }) => a.file_name === `${stem}.png`);
      const { data: png } = await sharp(cocoPanoptic(stem))
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const ids = new Int32Array(image.width * image.height);
      for (let p = 0; p < ids.length; p++)
        ids[p] = png[p * 3] + 256 * png[p * 3 + 1] + 65536 * png[p * 3 + 2];
      const h = buildHierarchy(image);
      for (const s of ann.segments_info as {
        id: number;
        category_id: number;
        bbox: [number, number, number, number];
        area: number;
        iscrowd: number;
      }[]) {
        if (!thing.has(s.category_id) || s.iscrowd || s.area < 0.01 * image.width * image.height) continue;
        const gtMask = maskFromFull(ids, image.width, image.height, s.id);
        const d: Detection = { box: s.bbox, score: 1, classId: 0, label: "object" };
        const [leaves] = seedRegions(h, image, [d], { method: "leaves" });
        const [cut] = seedRegions(h, image, [d], { method: "cut" });
        leafIoUs.push(maskIoU(leaves.mask, gtMask));
        cutIoUs.push(maskIoU(cut.mask, gtMask));
      }
    }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(cutIoUs.length).toBeGreaterThanOrEqual(4);
    expect(mean(cutIoUs)).toBeGreaterThan(mean(leafIoUs));
    // At writing: leaves 0.80, cut 0.85 (six objects).
    expect(mean(cutIoUs)).toBeGreaterThan(0.78);
    // Same pixels, same cut.
    const image = await loadImage(cocoImage(STEMS[0]));
    const h = buildHierarchy(image);
    const d: Detection = { box: [100, 100, 300, 300], score: 1, classId: 0, label: "object" };
    const a = seedRegions(h, image, [d], { method: "cut" })[0].mask;
    const b = seedRegions(h, image, [d], { method: "cut" })[0].mask;
    expect(maskIoU(a, b)).toBe(1);
  });

  it("seeds the inscribed ellipse for boxes under ellipseBelow of the image", {
    timeout: 30_000,
  }, async () => {
    const image = await loadImage(cocoImage(STEMS[0]));
    const h = buildHierarchy(image);
    const { width: W, height: H } = image;
    // A 20 × 10 box (well under 0.5 % of the photo) and a large one.
    const small: Detection = { box: [200.5, 150, 20, 10], score: 1, classId: 0, label: "object" };
    const large: Detection = { box: [100, 100, 300, 300], score: 1, classId: 0, label: "object" };
    const [e, c] = seedRegions(h, image, [small, large], { ellipseBelow: 0.005 });
    expect(e.node).toBe(-1);
    expect([e.mask.width, e.mask.height]).toEqual([W, H]);
    // π/4 of the box, inside it, centred.
    const area = e.mask.data.reduce((a, v) => a + v, 0);
    expect(Math.abs(area - (Math.PI / 4) * 200)).toBeLessThan(12);
    expect(e.mask.x).toBeGreaterThanOrEqual(200);
    expect(e.mask.x + e.mask.w).toBeLessThanOrEqual(221);
    expect(e.mask.y).toBeGreaterThanOrEqual(150);
    expect(e.mask.y + e.mask.h).toBeLessThanOrEqual(160);
    // The large box still gets its cut, the same as without the rule.
    const [c0] = seedRegions(h, image, [large], { ellipseBelow: 0 });
    expect(maskIoU(c.mask, c0.mask)).toBe(1);
  });

  it("ranks several hypotheses per box by an unsupervised fit and keeps one", {
    timeout: 30_000,
  }, async () => {
    const image = await loadImage(cocoImage(STEMS[0]));
    const h = buildHierarchy(image);
    const ctx = leafCutContext(h, image);
    const box = { x0: 60, y0: 60, x1: 200, y1: 200 };
    const plain = leafCut(ctx, box)!;
    const tight = leafCut(ctx, box, { fgBias: 0.5 });
    const count = (fg: Uint8Array | null) => (fg ? fg.reduce((a, v) => a + v, 0) : 0);
    // A bias against the fg label never adds leaves.
    expect(count(tight)).toBeLessThanOrEqual(count(plain));
    const f = leafSetFit(ctx, plain, box);
    for (const v of [f.boxFit, f.contour, f.colour]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    // The leaves inside a box fit it exactly; nothing fits nothing.
    const all = new Uint8Array(h.leafCount).fill(1);
    const whole = { x0: 0, y0: 0, x1: h.workWidth - 1, y1: h.workHeight - 1 };
    expect(leafSetFit(ctx, all, whole).boxFit).toBe(1);
    expect(leafSetFit(ctx, new Uint8Array(h.leafCount), box).boxFit).toBe(0);
    // One seed per box, equal to one of its hypotheses' seeds, and deterministic.
    const d: Detection = { box: [100, 100, 300, 300], score: 1, classId: 0, label: "object" };
    const hyp = { hypotheses: [{ fgBias: 0.5 }], fitContour: 0.5 };
    const picked = seedRegions(h, image, [d], hyp);
    expect(picked.length).toBe(1);
    const a = seedRegions(h, image, [d], { hypotheses: [] })[0].mask;
    const b = seedRegions(h, image, [d], { hypotheses: [], cut: { fgBias: 0.5 } })[0].mask;
    expect(Math.max(maskIoU(picked[0].mask, a), maskIoU(picked[0].mask, b))).toBe(1);
    expect(maskIoU(seedRegions(h, image, [d], hyp)[0].mask, picked[0].mask)).toBe(1);
  });
});
