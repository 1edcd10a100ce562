import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { type Mask, maskArea, maskFromFull, tightenMask } from "../../src/regions/mask.js";
import {
  countsFromString,
  countsToString,
  decodeRle,
  encodeRle,
  maskToCounts,
  mergeCounts,
  polygonsToMask,
  polygonToCounts,
  rleArea,
  rleToBbox,
} from "../../src/regions/rle.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const panopticDir = path.resolve(here, "../../../shared/datasets/coco-panoptic-val2017");

/** Straightforward reference: column-major runs over a full row-major image. */
function referenceCounts(full: Uint8Array, width: number, height: number): number[] {
  const counts: number[] = [];
  let p = 0;
  let c = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const v = full[y * width + x];
      if (v !== p) {
        counts.push(c);
        c = 0;
        p = v;
      }
      c++;
    }
  }
  counts.push(c);
  return counts;
}

function expectSameMask(a: Mask, b: Mask): void {
  expect([a.width, a.height, a.x, a.y, a.w, a.h]).toEqual([b.width, b.height, b.x, b.y, b.w, b.h]);
  expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
}

function squareMask(size: number, lo: number, hi: number, width = size): Mask {
  const full = new Uint8Array(width * size);
  for (let y = lo; y < hi; y++) for (let x = lo; x < hi; x++) full[y * width + x] = 1;
  return maskFromFull(full, width, size);
}

/** Deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("pycocotools vectors", () => {
  // Strings produced by pycocotools (mask.encode / frPyObjects / merge), as asserted against pycocotools
  // in the public test suite of twsl/pytorchcocotools (tests/mask/test_encode.py, test_fr_py_objects.py,
  // test_merge.py). Masks: 25×25 zeros with [lo:hi, lo:hi] = 1.
  it.each([
    [0, 5, "05d00000000d?"],
    [5, 10, "R45d00000000b;"],
    [20, 25, "X`05d00000000"],
    [0, 25, "0ac0"],
  ])("encodes square [%i:%i] as pycocotools does", (lo, hi, counts) => {
    const m = squareMask(25, lo, hi);
    expect(encodeRle(m)).toEqual({ size: [25, 25], counts });
    const back = decodeRle({ size: [25, 25], counts });
    expect(back).toEqual(m);
    expect(rleArea({ size: [25, 25], counts })).toBe((hi - lo) ** 2);
    expect(rleToBbox({ size: [25, 25], counts })).toEqual([lo, lo, hi - lo, hi - lo]);
  });

  it("accepts uncompressed counts and compresses them like frPyObjects", () => {
    const counts = [130, 5, 20, 5, 20, 5, 20, 5, 20, 5, 390];
    const m = decodeRle({ size: [25, 25], counts });
    expect(m).toEqual(squareMask(25, 5, 10));
    expect(countsToString(counts)).toBe("R45d00000000b;");
  });

  it("toBbox on a non-square image (pycocotools: [10,10,20,15])", () => {
    const full = new Uint8Array(25 * 35);
    for (let y = 10; y < 25; y++) for (let x = 10; x < 30; x++) full[y * 35 + x] = 1;
    const rle = encodeRle(maskFromFull(full, 35, 25));
    expect(rle.size).toEqual([25, 35]);
    expect(rleToBbox(rle)).toEqual([10, 10, 20, 15]);
  });

  it("rasterises polygons exactly as frPoly", () => {
    expect(countsToString(polygonToCounts([10, 10, 20, 10, 20, 20, 21, 21, 10, 20], 25, 25))).toBe(
      "T8:?00000000001O00000:F`2",
    );
    // A real COCO annotation (two polygons, 427×640 image).
    const p1 = [
      266.83, 189.37, 267.79, 175.29, 269.46, 170.04, 271.37, 165.98, 270.89, 163.12, 269.12, 159.54, 272.8,
      156.44, 287.36, 156.44, 293.33, 157.87, 296.91, 160.49, 296.91, 161.21, 291.89, 161.92, 289.98, 165.03,
      291.42, 169.56, 285.16, 196.54,
    ];
    const p2 = [
      266.35, 214.44, 270.41, 217.3, 276.38, 218.97, 282.11, 218.97, 285.93, 217.3, 286.88, 207.28, 267.07,
      201.07,
    ];
    expect(countsToString(polygonToCounts(p1, 427, 640))).toBe(
      "\\`_3;j<6B@nCc0Q<@kCc0S<;01N10001O001O00001O001O0000O1L4K6K4L4B]COh<O<O001O0O2Omk^4",
    );
    expect(countsToString(polygonToCounts(p2, 427, 640))).toBe(
      "RT_32n<<O100O0010O000010O0001O00001O000O101O0ISPc4",
    );
    // The union (as COCO.annToRLE merges the parts) decodes to the same pixels as the merged counts.
    const merged = polygonsToMask([p1, p2], 427, 640);
    const viaCounts = decodeRle({
      size: [427, 640],
      counts: countsToString(mergeCounts([polygonToCounts(p1, 427, 640), polygonToCounts(p2, 427, 640)])),
    });
    expect(merged).toEqual(viaCounts);
    expect(maskArea(merged)).toBe(
      rleArea({ size: [427, 640], counts: countsToString(polygonToCounts(p1, 427, 640)) }) +
        rleArea({ size: [427, 640], counts: countsToString(polygonToCounts(p2, 427, 640)) }),
    );
  });

  it("merges like rleMerge (union of two overlapping real masks)", () => {
    const a = countsFromString(
      "\\`_3;j<6M3E_OjCd0T<:O1O2O001O00001O00001O001O0000O1K6J5J6A^C0g<N=O001O0O2Omk^4",
    );
    const b = countsFromString("RT_32n<<O100O0010O000010O0001O00001O000O101O0ISPc4");
    expect(countsToString(mergeCounts([a, b]))).toBe(
      "RT_32X<9SD3f;3ZDNb;5_DKU;DeDd05HU;b0kD_OS;b0nD]OQ;e0nD[OR;e0nD[OR;f0nDZOQ;f0oDZOQ;f0oDZOQ;g0oDXOQ;h0oDXOQ;h0oDXOQ;i0oDVOQ;j0oDVOQ;k0nDTOS;l0mDTOS;l0nDSOR;l0oDmNX;n0f0J5J6A^C0g<N=O001O0O2Omk^4",
    );
    // Decoding then re-encoding a pycocotools string gives the identical string back.
    const s = "\\`_3;j<6M3E_OjCd0T<:O1O2O001O00001O00001O001O0000O1K6J5J6A^C0g<N=O001O0O2Omk^4";
    const m = decodeRle({ size: [427, 640], counts: s });
    expect(encodeRle(m).counts).toBe(s);
  });
  it("re-encodes a longer pycocotools string byte for byte (armengot/COCOtoolsFORK README, 50×70)", () => {
    const s =
      "0g05b08J4M2N2NA^O1`0OCO=0E090H080IO68DH;>@C>a0_O_O`0j0OWOF<:CM72I24NL43JM92FN;1ENKO72L0LO91J0MO92INO0NO122OO0M031O000NO31OO11MO40N011MO41MO21L06OL021L06OL021L06OL021L060J040L060J040L060J040L060J040L060J040L060J040L060KO31L060KO31L06OL021L06OL021L06OL021MO41MO21MO40N100NO310O00M0310O00NO1220NO92IONO91KOMO72M0<1EO:2GN63KM34OLM73JF<;=1G_O_Ob0=AC`07EH=1IO71H090F0:1DO>1_O1b0>2N2N3L6H]O";
    const m = decodeRle({ size: [50, 70], counts: s });
    expect(encodeRle(m)).toEqual({ size: [50, 70], counts: s });
    // The picture is a ring-shaped logo: the corners are set, the area is a fraction of the image.
    expect(m.data[0]).toBe(1);
    expect(maskArea(m)).toBeGreaterThan(1000);
    expect(maskArea(m)).toBeLessThan(3500);
  });
});

describe("hand-computed string coding", () => {
  it("codes small counts, delta from the 4th count on, and negative deltas", () => {
    // 0 → '0'; 20 = 0b10100: low group has bit 0x10 set, so a continuation is needed even though the rest is
    // 0 → 'd','0'; 40 → (8|0x20)+48 'X', 1 → '1'; then deltas: 10-20 = -10 → 22+48 'F' (sign bit, rest -1);
    // 72-40 = 32 → 'P','1'; 6-10 = -4 → 28+48 'L'.
    const counts = [0, 20, 40, 10, 72, 6];
    expect(countsToString(counts)).toBe("0d0X1FP1L");
    expect(countsFromString("0d0X1FP1L")).toEqual(counts);
  });

  it("codes large counts over several characters", () => {
    // 1_000_000 = 0 + 18·32 + 16·32² + 30·32³: groups 0,18,16,30 (+ a final 0 because 30 has bit 0x10).
    expect(countsToString([1_000_000])).toBe("Pb`n0");
    expect(countsFromString("Pb`n0")).toEqual([1_000_000]);
    // A full-HD mask with one run starting far in: large counts and large negative deltas.
    const counts = [1_500_000, 3, 400_000, 1, 170_000 - 4 + 600];
    const sum = counts.reduce((a, b) => a + b, 0);
    const s = countsToString(counts);
    expect(countsFromString(s)).toEqual(counts);
    expect(rleArea({ size: [1, sum], counts: s })).toBe(4);
  });

  it("codes values at the 32-bit edges", () => {
    const counts = [2 ** 31 + 5, 7, 1, 2 ** 31 - 1, 3];
    expect(countsFromString(countsToString(counts))).toEqual(counts);
  });
});

describe("round trips", () => {
  it("random masks at random places equal the reference runs and decode back exactly", () => {
    const r = rng(42);
    for (let t = 0; t < 300; t++) {
      const width = 1 + Math.floor(r() * 40);
      const height = 1 + Math.floor(r() * 40);
      const density = r();
      const full = new Uint8Array(width * height);
      // A random sub-rectangle of random pixels, sometimes touching the edges.
      const x0 = Math.floor(r() * width);
      const y0 = Math.floor(r() * height);
      const x1 = x0 + Math.floor(r() * (width - x0));
      const y1 = y0 + Math.floor(r() * (height - y0));
      for (let y = y0; y <= y1; y++)
        for (let x = x0; x <= x1; x++) full[y * width + x] = r() < density ? 1 : 0;
      const m = maskFromFull(full, width, height);
      expect(maskToCounts(m)).toEqual(referenceCounts(full, width, height));
      const rle = encodeRle(m);
      expect(countsFromString(rle.counts)).toEqual(referenceCounts(full, width, height));
      expect(decodeRle(rle)).toEqual(m);
      expect(rleArea(rle)).toBe(maskArea(m));
      expect(rleToBbox(rle)).toEqual(maskArea(m) ? [m.x, m.y, m.w, m.h] : [0, 0, 0, 0]);
    }
  });

  it("encodes a loose (non-tight) crop the same as its tight version", () => {
    const data = new Uint8Array(6 * 5);
    data[2 * 6 + 3] = 1;
    data[3 * 6 + 3] = 1;
    const loose: Mask = { width: 20, height: 10, x: 4, y: 2, w: 6, h: 5, data };
    expect(encodeRle(loose)).toEqual(encodeRle(tightenMask(loose)));
    expect(decodeRle(encodeRle(loose))).toEqual(tightenMask(loose));
  });

  it("treats any non-zero mask byte as inside", () => {
    const ones: Mask = { width: 5, height: 4, x: 1, y: 1, w: 2, h: 2, data: Uint8Array.of(1, 0, 1, 1) };
    const bytes: Mask = { ...ones, data: Uint8Array.of(255, 0, 7, 1) };
    expect(encodeRle(bytes)).toEqual(encodeRle(ones));
  });

  it("empty and full masks", () => {
    const empty = maskFromFull(new Uint8Array(12), 4, 3);
    expect(encodeRle(empty)).toEqual({ size: [3, 4], counts: "<" });
    expect(decodeRle({ size: [3, 4], counts: "<" })).toEqual(empty);
    expect(rleToBbox({ size: [3, 4], counts: [12] })).toEqual([0, 0, 0, 0]);
    const full = maskFromFull(new Uint8Array(12).fill(1), 4, 3);
    expect(encodeRle(full).counts).toBe("0<");
    expect(decodeRle({ size: [3, 4], counts: [0, 12] })).toEqual(full);
  });

  it("real COCO panoptic segments: area and bbox match the ground-truth JSON", async () => {
    if (!existsSync(panopticDir)) throw new Error(`shared dataset missing: ${panopticDir}`);
    const gt = JSON.parse(readFileSync(path.join(panopticDir, "panoptic_val2017.json"), "utf8"));
    let checked = 0;
    for (const ann of gt.annotations.slice(0, 4)) {
      const { data, info } = await sharp(path.join(panopticDir, "panoptic", ann.file_name))
        .raw()
        .toBuffer({ resolveWithObject: true });
      const { width, height, channels } = info;
      const ids = new Uint32Array(width * height);
      for (let i = 0; i < ids.length; i++) {
        const o = i * channels;
        ids[i] = data[o] + 256 * data[o + 1] + 65536 * data[o + 2];
      }
      for (const seg of ann.segments_info) {
        const m = maskFromFull(ids, width, height, seg.id);
        const rle = encodeRle(m);
        expect(rleArea(rle)).toBe(seg.area);
        expect(rleToBbox(rle)).toEqual(seg.bbox);
        expectSameMask(decodeRle(rle), m);
        const fullBin = new Uint8Array(width * height);
        for (let i = 0; i < ids.length; i++) fullBin[i] = ids[i] === seg.id ? 1 : 0;
        expect(countsFromString(rle.counts).join()).toBe(referenceCounts(fullBin, width, height).join());
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

describe("validation", () => {
  it("rejects counts that do not cover the image", () => {
    expect(() => decodeRle({ size: [25, 25], counts: [130, 5, 20] })).toThrow(
      /sum to 155, expected 25\*25 = 625/,
    );
    expect(() => decodeRle({ size: [25, 25], counts: "R45" })).toThrow(/counts sum to/);
  });
  it("rejects malformed strings, negative counts and bad sizes", () => {
    expect(() => decodeRle({ size: [2, 2], counts: "0 4" })).toThrow(/bad character/);
    expect(() => decodeRle({ size: [2, 2], counts: "d" })).toThrow(/truncated/);
    expect(() => decodeRle({ size: [2, 2], counts: [5, -1] })).toThrow(/non-negative/);
    // Delta coding that yields a negative count: 1, 1, 1, then 1 + (-2) = -1.
    expect(() => decodeRle({ size: [1, 4], counts: "111N" })).toThrow(/non-negative/);
    expect(() => decodeRle({ size: [2] as unknown as [number, number], counts: "4" })).toThrow(
      /invalid RLE size/,
    );
  });
});
