import { RawImage, Tensor } from "@huggingface/transformers";
import { describe, expect, it } from "vitest";
import { buildPointGrid, generateCropBoxes } from "../../src/proposers/sam/grid.js";
import { MaskDecoder, maskGeometry } from "../../src/proposers/sam/mask-logits.js";
import { isBoxNearCropEdge, nms } from "../../src/proposers/sam/nms.js";
import {
  granularityOptions,
  OFFICIAL_DEFAULTS,
  resolveGeneratorOptions,
} from "../../src/proposers/sam/options.js";
import { loadSamRuntime } from "../../src/proposers/sam/runtime.js";
import { cleanMask, removeSmallRegions } from "../../src/proposers/sam/small-regions.js";
import { composeAxis, upscaleWindow } from "../../src/proposers/sam/upscale.js";
import { type Mask, maskFromFull, maskToFull, tightenMask } from "../../src/regions/mask.js";
import { tinyModel } from "../helpers/onnx-sam-fixtures.js";

describe("point grid and crop boxes (official build_point_grid / generate_crop_boxes)", () => {
  it("grid points are cell centres, row by row", () => {
    expect(buildPointGrid(2)).toEqual([
      [0.25, 0.25],
      [0.75, 0.25],
      [0.25, 0.75],
      [0.75, 0.75],
    ]);
    const g = buildPointGrid(32);
    expect(g).toHaveLength(1024);
    expect(g[0][0]).toBeCloseTo(1 / 64, 12);
    expect(g[1023][1]).toBeCloseTo(1 - 1 / 64, 12);
  });

  it("one crop layer on 640×426: overlap int(512/1500·426) = 145, crops 393×286", () => {
    expect(generateCropBoxes(640, 426, 1, 512 / 1500)).toEqual([
      { box: [0, 0, 640, 426], layer: 0 },
      { box: [0, 0, 393, 286], layer: 1 },
      { box: [0, 141, 393, 426], layer: 1 },
      { box: [248, 0, 640, 286], layer: 1 },
      { box: [248, 141, 640, 426], layer: 1 },
    ]);
    expect(generateCropBoxes(640, 426, 2, 512 / 1500)).toHaveLength(1 + 4 + 16);
  });
});

describe("NMS and crop-edge filter (torchvision / official conventions)", () => {
  it("suppresses when IoU > threshold (not ≥), best score first, ties in input order", () => {
    const boxes: Array<[number, number, number, number]> = [
      [0, 0, 10, 10],
      [0, 0, 10, 5], // IoU with the first = 0.5 exactly
      [20, 20, 30, 30],
      [21, 20, 31, 30], // IoU with the third = 90/110
    ];
    expect(nms(boxes, [0.9, 0.8, 0.5, 0.7], 0.5)).toEqual([0, 1, 3]);
    expect(nms(boxes, [0.9, 0.8, 0.5, 0.7], 0.49)).toEqual([0, 3]);
    expect(nms(boxes, [1, 1, 1, 1], 0.8)).toEqual([0, 1, 2]);
  });

  it("a box near a crop edge is dropped unless that edge is the image's", () => {
    const crop: [number, number, number, number] = [100, 0, 400, 300];
    const image: [number, number, number, number] = [0, 0, 640, 480];
    expect(isBoxNearCropEdge([110, 50, 200, 120], crop, image)).toBe(true); // 10 px from the crop's left edge
    expect(isBoxNearCropEdge([150, 5, 200, 120], crop, image)).toBe(false); // top edge is the image's
    expect(isBoxNearCropEdge([150, 50, 200, 120], crop, image)).toBe(false);
  });
});

describe("small-region clean-up (official remove_small_regions)", () => {
  // 12×8: a 6×6 square with a 2-pixel hole, plus a 3-pixel island.
  const rows = [
    "............",
    ".######.....",
    ".######.....",
    ".##..##.....",
    ".######...##",
    ".######....#",
    ".######.....",
    "............",
  ];
  const full = Uint8Array.from(rows.join("").split(""), (c) => (c === "#" ? 1 : 0));

  it("fills holes and removes islands under the area, 8-connected", () => {
    const holes = removeSmallRegions(full, 12, 8, 3, "holes");
    expect(holes.changed).toBe(true);
    expect(holes.full[3 * 12 + 3]).toBe(1);
    expect(holes.full[3 * 12 + 4]).toBe(1);
    const islands = removeSmallRegions(full, 12, 8, 4, "islands");
    expect(islands.changed).toBe(true);
    expect(islands.full[4 * 12 + 10]).toBe(0);
    expect(islands.full[1 * 12 + 1]).toBe(1);
    expect(removeSmallRegions(full, 12, 8, 3, "islands").changed).toBe(false); // the island has exactly 3
  });

  it("keeps the largest island when every island is small; reports unchanged masks", () => {
    const r = removeSmallRegions(full, 12, 8, 1000, "islands");
    expect(r.full.reduce((a, b) => a + b, 0)).toBe(34);
    const square = maskFromFull(
      full.map((v, i) => (v && i % 12 < 8 ? 1 : 0)),
      12,
      8,
    );
    const c = cleanMask(square, 3);
    expect(c.changed).toBe(true);
    expect(Array.from(maskToFull(c.mask)).reduce((a, b) => a + b, 0)).toBe(36);
    expect(cleanMask(c.mask, 3).changed).toBe(false);
  });

  it("cleans on the mask's box exactly as on the full image, edge cases included", () => {
    // Reference: the official algorithm on the full image.
    const reference = (m: Mask, t: number) => {
      const a = removeSmallRegions(maskToFull(m), m.width, m.height, t, "holes");
      const b = removeSmallRegions(a.full, m.width, m.height, t, "islands");
      return { full: b.full, changed: a.changed || b.changed };
    };
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const W = 23;
    const H = 17;
    const cases: Mask[] = [];
    for (let k = 0; k < 300; k++) {
      // Random blobs in a random sub-rectangle; some span the full width or height, some nearly all of it.
      const x0 = rand() < 0.3 ? 0 : Math.floor(rand() * 8);
      const x1 = rand() < 0.3 ? W : W - Math.floor(rand() * 8);
      const y0 = rand() < 0.3 ? 0 : Math.floor(rand() * 6);
      const y1 = rand() < 0.3 ? H : H - Math.floor(rand() * 6);
      const density = 0.4 + rand() * 0.55;
      const full = new Uint8Array(W * H);
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) full[y * W + x] = rand() < density ? 1 : 0;
      cases.push(maskFromFull(full, W, H));
    }
    // A mask spanning the full width with thin strips of background above and below (two small pieces).
    cases.push(
      maskFromFull(
        Uint8Array.from({ length: W * H }, (_, i) => (i >= W && i < W * (H - 1) ? 1 : 0)),
        W,
        H,
      ),
    );
    let changed = 0;
    for (const m of cases) {
      for (const t of [2, 5, 30, 400]) {
        const got = cleanMask(m, t);
        const want = reference(m, t);
        expect(Array.from(maskToFull(got.mask))).toEqual(Array.from(want.full));
        expect(got.changed).toBe(want.changed);
        if (got.changed) changed++;
      }
    }
    expect(changed).toBeGreaterThan(100); // the cases exercise the clean-up, not only the no-op path
  });
});

describe("options and granularity", () => {
  it("defaults are the official ones; explicit options beat granularity", () => {
    expect(OFFICIAL_DEFAULTS).toMatchObject({
      pointsPerSide: 32,
      pointsPerBatch: 64,
      predIouThresh: 0.88,
      stabilityScoreThresh: 0.95,
      stabilityScoreOffset: 1,
      boxNmsThresh: 0.7,
      cropNLayers: 0,
      cropNmsThresh: 0.7,
      minMaskRegionArea: 0,
    });
    expect(resolveGeneratorOptions({}, undefined, 100, 100)).toEqual(OFFICIAL_DEFAULTS);
    expect(granularityOptions(0, 1000, 1000).levels).toEqual(["whole"]);
    expect(granularityOptions(0.5, 1000, 1000).levels).toEqual(["whole", "part"]);
    expect(granularityOptions(1, 1000, 1000).levels).toEqual(["whole", "part", "subpart"]);
    const r = resolveGeneratorOptions({ pointsPerSide: 8, minMaskRegionArea: 0 }, 0, 1000, 1000);
    expect([r.pointsPerSide, r.minMaskRegionArea, r.levels]).toEqual([8, 0, ["whole"]]);
    expect(() => resolveGeneratorOptions({ pointsPerSide: 0 }, undefined, 10, 10)).toThrow(/pointsPerSide/);
    expect(() => resolveGeneratorOptions({ boxNmsThresh: 2 }, undefined, 10, 10)).toThrow(/boxNmsThresh/);
  });
});

describe("upscaling low-res logits to image pixels", () => {
  // A smooth field with features at several scales, so interpolation errors would show.
  const field = (k: number) => {
    const a = new Float32Array(256 * 256);
    for (let y = 0; y < 256; y++)
      for (let x = 0; x < 256; x++)
        a[y * 256 + x] = 3 * Math.sin(x / (7 + k)) * Math.cos(y / 11) + Math.sin((x + y) / 3) - 0.5;
    return a;
  };

  it("matches transformers.js post_process_masks (pad size → crop → original) on SAM and SAM 2 geometry", async () => {
    for (const family of ["sam", "sam2"] as const) {
      const rt = await loadSamRuntime(tinyModel({ family }));
      const proc = rt.processor as unknown as {
        (img: RawImage): Promise<{ original_sizes: number[][]; reshaped_input_sizes: number[][] }>;
        post_process_masks(m: Tensor, o: number[][], r: number[][], opt: object): Promise<Tensor[]>;
      };
      const sizes = await proc(new RawImage(new Uint8ClampedArray(640 * 426 * 3), 640, 426, 3));
      const logits = new Float32Array(3 * 256 * 256);
      for (let k = 0; k < 3; k++) logits.set(field(k), k * 256 * 256);
      const [ref] = await proc.post_process_masks(
        new Tensor("float32", logits, [1, 1, 3, 256, 256]),
        sizes.original_sizes,
        sizes.reshaped_input_sizes,
        { binarize: false },
      );
      expect(ref.dims).toEqual([1, 3, 426, 640]);
      const refData = ref.data as Float32Array;
      const reshaped = sizes.reshaped_input_sizes[0] as [number, number];
      expect(reshaped).toEqual(family === "sam" ? [681, 1024] : [1024, 1024]);
      const xMap = composeAxis(256, 1024, reshaped[1], 640);
      const yMap = composeAxis(256, 1024, reshaped[0], 426);
      const out = new Float32Array(640 * 426);
      const tmp = new Float32Array(256 * 640);
      const dec = new MaskDecoder(maskGeometry(256, 256, [1024, 1024], reshaped, 640, 426));
      for (let k = 0; k < 3; k++) {
        upscaleWindow(logits, k * 65536, 256, xMap, yMap, { x0: 0, y0: 0, w: 640, h: 426 }, out, tmp);
        let maxDiff = 0;
        let flips = 0;
        let refInside = 0;
        for (let i = 0; i < out.length; i++) {
          const r = refData[k * out.length + i];
          maxDiff = Math.max(maxDiff, Math.abs(out[i] - r));
          if (r > 0) refInside++;
        }
        expect(maxDiff).toBeLessThan(1e-4);
        // The windowed threshold gives the same mask as thresholding the full reference, and the same
        // stability score as counting on the fully upscaled map.
        const t = dec.threshold(logits, k * 65536, 0, 1);
        let inter = 0;
        let union = 0;
        for (const v of out) {
          if (v > 1) inter++;
          if (v > -1) union++;
        }
        expect(t.stability).toBeCloseTo(inter / union, 12);
        expect(tightenMask(t.mask)).toBe(t.mask); // already tight: tightenMask returns it unchanged
        const m = maskToFull(t.mask);
        for (let i = 0; i < m.length; i++) if (m[i] !== (refData[k * out.length + i] > 0 ? 1 : 0)) flips++;
        expect(refInside).toBeGreaterThan(1000);
        expect(flips).toBeLessThanOrEqual(2);
      }
    }
  });

  it("stability score is |logits > 1| / |logits > −1| over the upscaled map", () => {
    const logits = new Float32Array(256 * 256);
    for (let i = 0; i < logits.length; i++) logits[i] = i % 256 < 128 ? 2 : 0; // left half 2, right half 0
    const dec = new MaskDecoder(maskGeometry(256, 256, [1024, 1024], [1024, 1024], 512, 512));
    const t = dec.threshold(logits, 0, 0, 1);
    // > −1 everywhere; > 1 on the left half plus the half-width blend band where values exceed 1.
    expect(t.stability).toBeGreaterThan(0.49);
    expect(t.stability).toBeLessThan(0.51);
    expect(t.mask.x).toBe(0);
    expect(t.mask.w).toBeGreaterThan(255);
    expect(t.mask.w).toBeLessThan(258);
  });
});
