import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { encodeIndexedPng } from "../../src/image/png-index.js";
import { createMasksProposer, loadMaskRegions } from "../../src/proposers/masks/index.js";
import { type Mask, maskFromFull } from "../../src/regions/mask.js";
import { decodeRle, encodeRle, maskToCounts, polygonsToMask } from "../../src/regions/rle.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const datasets = path.resolve(here, "../../../shared/datasets");
const panDir = path.join(datasets, "coco-panoptic-val2017");
const panJson = path.join(panDir, "panoptic_val2017.json");
const bsdsDir = path.join(datasets, "bsds500/groundTruth_png/val");

function requireData(p: string): string {
  if (!existsSync(p)) throw new Error(`shared dataset missing: ${p} (see ../shared/datasets/README.md)`);
  return p;
}

function sameMask(a: Mask, b: Mask): boolean {
  return (
    a.width === b.width &&
    a.height === b.height &&
    a.x === b.x &&
    a.y === b.y &&
    a.w === b.w &&
    a.h === b.h &&
    Buffer.from(a.data).equals(Buffer.from(b.data))
  );
}

async function expectUserError(p: Promise<unknown>, pattern: RegExp): Promise<UserError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  const msg = (err as Error).message;
  expect(msg).toMatch(pattern);
  expect(msg).not.toContain("\n");
  return err as UserError;
}

/** Segment ids of a panoptic PNG, read through sharp (independent of our PNG decoder). */
async function panopticIdsViaSharp(
  file: string,
): Promise<{ ids: Uint32Array; width: number; height: number }> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const ids = new Uint32Array(info.width * info.height);
  for (let i = 0; i < ids.length; i++) {
    const o = i * info.channels;
    ids[i] = data[o] + 256 * data[o + 1] + 65536 * data[o + 2];
  }
  return { ids, width: info.width, height: info.height };
}

/** A minimal 16-bit greyscale PNG writer (sharp cannot write exact 16-bit label values from raw input). */
function grey16Png(width: number, height: number, values: Uint16Array): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, "ascii");
    return Buffer.concat([head, body, Buffer.alloc(4)]); // CRC is not checked by readers we use here
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 16;
  ihdr[9] = 0;
  const rows = Buffer.alloc(height * (1 + width * 2));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      rows.writeUInt16BE(values[y * width + x], y * (1 + width * 2) + 1 + x * 2);
  }
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "som-masks-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("COCO panoptic PNG + JSON", () => {
  it("gives exactly the ground-truth segments: count, areas, bboxes, categories", async () => {
    const gt = JSON.parse(readFileSync(requireData(panJson), "utf8"));
    const images = new Map<number, { file_name: string; width: number; height: number }>(
      gt.images.map((im: { id: number }) => [im.id, im]),
    );
    for (const ann of gt.annotations.slice(0, 6)) {
      const img = images.get(ann.image_id)!;
      const png = path.join(panDir, "panoptic", ann.file_name);
      const regions = await loadMaskRegions(png, img, { imageFile: img.file_name, segmentsInfo: panJson });
      expect(regions.length).toBe(ann.segments_info.length);
      regions.forEach((r, i) => {
        const seg = ann.segments_info[i];
        expect(r.id).toBe(i + 1);
        expect(r.source).toBe("masks");
        expect(r.score).toBe(1);
        expect(r.area).toBe(seg.area);
        expect(r.bbox).toEqual(seg.bbox);
        expect(r.extra).toMatchObject({
          segment_id: seg.id,
          category_id: seg.category_id,
          iscrowd: seg.iscrowd,
        });
      });
    }
  });

  it("masks equal the PNG's segments pixel for pixel (checked through sharp), also without the JSON", async () => {
    const file = path.join(requireData(panDir), "panoptic/000000000139.png");
    const { ids, width, height } = await panopticIdsViaSharp(file);
    const regions = await loadMaskRegions(file, { width, height });
    const distinct = [...new Set(ids)].filter((v) => v !== 0).sort((a, b) => a - b);
    expect(regions.map((r) => r.extra?.segment_id)).toEqual(distinct);
    for (const r of regions) {
      expect(sameMask(r.mask, maskFromFull(ids, width, height, r.extra?.segment_id as number))).toBe(true);
    }
  });

  it("names the JSON when it has no entry for the PNG", async () => {
    const file = path.join(requireData(panDir), "panoptic/000000000139.png");
    const json = path.join(tmp, "other_panoptic.json");
    writeFileSync(
      json,
      JSON.stringify({ annotations: [{ file_name: "000000999999.png", segments_info: [] }] }),
    );
    await expectUserError(
      loadMaskRegions(
        file,
        { width: 640, height: 426 },
        { imageFile: "000000000139.jpg", segmentsInfo: json },
      ),
      /other_panoptic\.json: no annotation with file_name 000000000139\.png/,
    );
  });

  it("refuses a panoptic PNG of another size than the image", async () => {
    const file = path.join(requireData(panDir), "panoptic/000000000139.png");
    await expectUserError(
      loadMaskRegions(file, { width: 320, height: 213 }),
      /000000000139\.png: masks are 640x426 but the image is 320x213/,
    );
  });
});

describe("label PNGs", () => {
  it("BSDS500 label maps: one region per label value, areas as counted through sharp", async () => {
    for (const name of ["101085_1.png", "108005_3.png"]) {
      const file = path.join(requireData(bsdsDir), name);
      const { data, info } = await sharp(file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      expect(info.channels).toBe(1);
      const hist = new Map<number, number>();
      for (const v of data) if (v !== 0) hist.set(v, (hist.get(v) ?? 0) + 1);
      const regions = await loadMaskRegions(file, { width: info.width, height: info.height });
      expect(regions.map((r) => r.extra?.label_value)).toEqual([...hist.keys()].sort((a, b) => a - b));
      for (const r of regions) {
        expect(r.area).toBe(hist.get(r.extra?.label_value as number));
        expect(
          sameMask(r.mask, maskFromFull(data, info.width, info.height, r.extra?.label_value as number)),
        ).toBe(true);
      }
      // BSDS labels cover every pixel: the regions partition the image.
      expect(regions.reduce((s, r) => s + r.area, 0)).toBe(info.width * info.height);
    }
  });

  it("palette PNGs are read by index, not colour", async () => {
    const { data, info } = await sharp(path.join(requireData(bsdsDir), "101085_1.png"))
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    // Every index painted the same colour: only the indices tell the regions apart.
    const palette = new Uint8Array(256 * 3).fill(128);
    const file = path.join(tmp, "palette.png");
    writeFileSync(file, encodeIndexedPng(info.width, info.height, new Uint8Array(data), { palette }));
    const regions = await loadMaskRegions(file, { width: info.width, height: info.height });
    const labels = new Set(data);
    labels.delete(0);
    expect(regions.length).toBe(labels.size);
    expect(regions.length).toBeGreaterThan(5);
  });

  it("16-bit label PNGs keep labels above 255", async () => {
    const width = 40;
    const height = 30;
    const values = new Uint16Array(width * height);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) values[y * width + x] = x < 10 ? 0 : x < 25 ? 300 : 40000;
    values[5 * width + 30] = 1; // a one-pixel region
    const file = path.join(tmp, "grey16.png");
    writeFileSync(file, grey16Png(width, height, values));
    const regions = await loadMaskRegions(file, { width, height });
    expect(regions.map((r) => [r.extra?.label_value, r.area, r.bbox])).toEqual([
      [1, 1, [30, 5, 1, 1]],
      [300, 15 * 30, [10, 0, 15, 30]],
      [40000, 15 * 30 - 1, [25, 0, 15, 30]],
    ]);
  });

  it("an all-zero label PNG has no regions", async () => {
    const file = path.join(tmp, "blank.png");
    writeFileSync(file, encodeIndexedPng(8, 6, new Uint8Array(48)));
    await expectUserError(loadMaskRegions(file, { width: 8, height: 6 }), /^no regions in .*blank\.png$/);
  });
});

describe("COCO JSON", () => {
  it("results arrays with compressed and uncompressed RLE, polygons and boxes", async () => {
    const file = path.join(requireData(panDir), "panoptic/000000000139.png");
    const { ids, width, height } = await panopticIdsViaSharp(file);
    const segIds = [...new Set(ids)].filter((v) => v !== 0).slice(0, 4);
    const real = segIds.map((id) => maskFromFull(ids, width, height, id));
    const poly = [
      [100.5, 50.2, 180.7, 60.1, 150.3, 140.9],
      [300, 300, 340, 300, 340, 330, 300, 330],
    ];
    const results = [
      { image_id: 139, category_id: 7, segmentation: encodeRle(real[0]), score: 0.9 },
      { image_id: 139, category_id: 8, segmentation: encodeRle(real[1]), score: 0.8 },
      {
        image_id: 139,
        category_id: 9,
        segmentation: { size: [height, width], counts: maskToCounts(real[2]) },
      },
      { image_id: 139, category_id: 10, segmentation: poly, score: 0.5, iscrowd: 0 },
      { image_id: 139, category_id: 11, bbox: [10, 20, 30, 40], score: 0.4 },
    ];
    const json = path.join(tmp, "results.json");
    writeFileSync(json, JSON.stringify(results));
    const regions = await loadMaskRegions(json, { width, height }, { imageFile: "000000000139.jpg" });
    expect(regions.map((r) => r.score)).toEqual([0.9, 0.8, 1, 0.5, 0.4]);
    expect(regions.map((r) => r.extra?.category_id)).toEqual([7, 8, 9, 10, 11]);
    expect(regions[3].extra).toEqual({ image_id: 139, category_id: 10, iscrowd: 0 });
    for (let i = 0; i < 3; i++) expect(sameMask(regions[i].mask, real[i])).toBe(true);
    expect(sameMask(regions[3].mask, polygonsToMask(poly, height, width))).toBe(true);
    // The 40×30 px square polygon and the 30×40 box: frPoly covers exactly the pixel centres inside.
    expect(regions[4].bbox).toEqual([10, 20, 30, 40]);
    expect(regions[4].area).toBe(1200);
    expect(regions[3].area).toBeGreaterThan(40 * 30);
  });

  it("a multi-image results file is filtered by the image's numeric COCO file name", async () => {
    const m = decodeRle({ size: [25, 25], counts: "R45d00000000b;" });
    const results = [
      { image_id: 1, segmentation: encodeRle(m), category_id: 1 },
      { image_id: 2, segmentation: encodeRle(m), category_id: 2 },
      { image_id: 2, segmentation: encodeRle(m), category_id: 3 },
    ];
    const json = path.join(tmp, "multi.json");
    writeFileSync(json, JSON.stringify(results));
    const regions = await loadMaskRegions(json, { width: 25, height: 25 }, { imageFile: "000000000002.jpg" });
    expect(regions.map((r) => r.extra?.category_id)).toEqual([2, 3]);
    await expectUserError(
      loadMaskRegions(json, { width: 25, height: 25 }, { imageFile: "cat.jpg" }),
      /multi\.json: holds results for 2 images/,
    );
  });

  it("a COCO dataset JSON: the annotations of the image with the matching file_name", async () => {
    const m = decodeRle({ size: [25, 25], counts: "R45d00000000b;" });
    const dataset = {
      images: [
        { id: 5, file_name: "a.jpg", width: 25, height: 25 },
        { id: 6, file_name: "b.jpg", width: 25, height: 25 },
      ],
      annotations: [
        {
          id: 1,
          image_id: 5,
          category_id: 3,
          iscrowd: 0,
          segmentation: [[0, 0, 10, 0, 10, 10, 0, 10]],
          area: 1,
        },
        {
          id: 2,
          image_id: 6,
          category_id: 4,
          iscrowd: 1,
          segmentation: { size: [25, 25], counts: maskToCounts(m) },
        },
      ],
    };
    const json = path.join(tmp, "dataset.json");
    writeFileSync(json, JSON.stringify(dataset));
    const regions = await loadMaskRegions(json, { width: 25, height: 25 }, { imageFile: "photos/b.jpg" });
    expect(regions.length).toBe(1);
    expect(sameMask(regions[0].mask, m)).toBe(true);
    expect(regions[0].extra).toEqual({ annotation_id: 2, image_id: 6, category_id: 4, iscrowd: 1 });
    await expectUserError(
      loadMaskRegions(json, { width: 25, height: 25 }, { imageFile: "c.jpg" }),
      /dataset\.json: no image with file_name c\.jpg among its 2 images/,
    );
    await expectUserError(
      loadMaskRegions(json, { width: 50, height: 25 }, { imageFile: "a.jpg" }),
      /dataset\.json: masks are 25x25 but the image is 50x25/,
    );
  });

  it("wrong-size RLE, corrupt JSON, bad counts, empty lists, missing and empty files", async () => {
    const m = decodeRle({ size: [25, 25], counts: "R45d00000000b;" });
    const wrong = path.join(tmp, "wrong-size.json");
    writeFileSync(wrong, JSON.stringify([{ segmentation: encodeRle(m) }]));
    await expectUserError(
      loadMaskRegions(wrong, { width: 640, height: 480 }),
      /wrong-size\.json: masks are 25x25 but the image is 640x480/,
    );
    const corrupt = path.join(tmp, "corrupt.json");
    writeFileSync(corrupt, '[{"segmentation": {"size": [25, 25], "counts": "R45d0');
    await expectUserError(
      loadMaskRegions(corrupt, { width: 25, height: 25 }),
      /corrupt\.json: invalid JSON \(/,
    );
    const badCounts = path.join(tmp, "bad-counts.json");
    writeFileSync(badCounts, JSON.stringify([{ segmentation: { size: [25, 25], counts: [130, 5, 20] } }]));
    await expectUserError(
      loadMaskRegions(badCounts, { width: 25, height: 25 }),
      /bad-counts\.json: entry #0: invalid RLE: counts sum to 155, expected 25\*25 = 625/,
    );
    const empty = path.join(tmp, "empty-list.json");
    writeFileSync(empty, "[]");
    await expectUserError(
      loadMaskRegions(empty, { width: 25, height: 25 }),
      /^no regions in .*empty-list\.json$/,
    );
    const notCoco = path.join(tmp, "not-coco.json");
    writeFileSync(notCoco, '{"hello": 1}');
    await expectUserError(
      loadMaskRegions(notCoco, { width: 25, height: 25 }),
      /not-coco\.json: not a COCO results array/,
    );
    await expectUserError(
      loadMaskRegions(path.join(tmp, "missing.json"), { width: 25, height: 25 }),
      /missing\.json: no such file/,
    );
    await expectUserError(
      loadMaskRegions(path.join(requireData(panDir), "images/000000000139.jpg"), { width: 640, height: 426 }),
      /000000000139\.jpg: not a masks file \(expected a PNG label\/panoptic map or COCO JSON\)$/,
    );
    const zero = path.join(tmp, "zero.png");
    writeFileSync(zero, "");
    await expectUserError(loadMaskRegions(zero, { width: 25, height: 25 }), /zero\.png: empty file/);
  });

  it("a truncated PNG is an error naming the file", async () => {
    const bytes = readFileSync(path.join(requireData(bsdsDir), "101085_1.png"));
    const file = path.join(tmp, "truncated.png");
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectUserError(
      loadMaskRegions(file, { width: 481, height: 321 }),
      /truncated\.png: .*(truncated|corrupt)/i,
    );
  });
});

describe("masks proposer", () => {
  it("keeps the best-scoring regions under maxMarks, in file order, renumbered", async () => {
    const m = decodeRle({ size: [25, 25], counts: "R45d00000000b;" });
    const json = path.join(tmp, "scored.json");
    const scores = [0.2, 0.9, 0.5, 0.9, 0.1];
    writeFileSync(
      json,
      JSON.stringify(scores.map((score, i) => ({ segmentation: encodeRle(m), score, category_id: i }))),
    );
    const proposer = createMasksProposer(json);
    const regions = await proposer.propose(
      { width: 25, height: 25, data: new Uint8Array(25 * 25 * 4) },
      { maxMarks: 3 },
    );
    expect(regions.map((r) => [r.id, r.extra?.category_id])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });
});
