import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { decodePng, encodeIndexedPng } from "../../src/image/png-index.js";
import { npMean } from "../../src/metrics/numpy-sum.js";
import { evaluateRefer, referScores } from "../../src/metrics/refer.js";
import { COCO } from "../helpers/datasets.js";
import { somStdout as cli } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "som-refer-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** 10×1 mask PNG with the first `n` pixels on, starting at `from`. Palette or grey 0/255. */
async function write(dir: string, name: string, from: number, n: number, grey = false) {
  mkdirSync(dir, { recursive: true });
  const px = new Uint8Array(10).map((_, i) => (i >= from && i < from + n ? 1 : 0));
  const bytes = grey
    ? await sharp(Buffer.from(px.map((v) => v * 255)), { raw: { width: 10, height: 1, channels: 1 } })
        .png()
        .toBuffer()
    : encodeIndexedPng(10, 1, px);
  writeFileSync(join(dir, name), bytes);
}

describe("referring segmentation (LAVT conventions), hand-made masks", () => {
  it("counts IoU ≥ threshold with the literal thresholds, IoU 0 for an empty union", async () => {
    const gt = join(tmp, "gt");
    const pred = join(tmp, "pred");
    await write(gt, "a.png", 0, 4, true); // IoU exactly 0.5
    await write(pred, "a.png", 0, 2);
    await write(gt, "b.png", 0, 0, true); // both empty: IoU 0
    await write(pred, "b.png", 0, 0);
    await write(gt, "c.png", 0, 10, true); // empty prediction
    await write(pred, "c.png", 0, 0);
    await write(gt, "d.png", 0, 5, true); // 3/5 = 0.6 exactly
    await write(pred, "d.png", 0, 3);
    await write(gt, "e.png", 0, 10, true); // 7/10 = 0.7 exactly
    await write(pred, "e.png", 3, 7);
    const r = await evaluateRefer({ gtMasks: gt, predMasks: pred });
    expect(r.mIoU).toBe(npMean([0.5, 0, 0, 0.6, 0.7]));
    expect(r.cIoU).toBe(12 / 29);
    expect(r.precision).toEqual({ "0.5": 3 / 5, "0.6": 2 / 5, "0.7": 1 / 5, "0.8": 0, "0.9": 0 });
    const json = JSON.parse(
      await cli(["metrics", "refer", "--gt-masks", gt, "--pred-masks", pred, "--json"]),
    );
    expect(json).toEqual(r);
    expect(Object.keys(json)).toEqual(["mIoU", "cIoU", "precision"]);
  });

  it("names a missing or mis-sized prediction", async () => {
    const gt = join(tmp, "gt2");
    const pred = join(tmp, "pred2");
    await write(gt, "x.png", 0, 4);
    mkdirSync(pred, { recursive: true });
    await expect(evaluateRefer({ gtMasks: gt, predMasks: pred })).rejects.toThrow(
      /pred2\/x\.png: missing prediction for x\.png/,
    );
    writeFileSync(join(pred, "x.png"), encodeIndexedPng(5, 2, new Uint8Array(10)));
    await expect(evaluateRefer({ gtMasks: gt, predMasks: pred })).rejects.toThrow(
      /x\.png: 5x2, ground truth x\.png is 10x1/,
    );
  });
});

interface Expression {
  file_name: string;
  bbox_xyxy: number[] | null;
  matched_segment_id?: number | null;
  empty_case: boolean;
}

describe("referring segmentation on the shared RefCOCOs expressions", () => {
  it("scores box-shaped predictions against the panoptic segments, as a direct count gives", async () => {
    const root = COCO();
    const { expressions } = JSON.parse(readFileSync(join(root, "refcocos_val2017_subset.json"), "utf8")) as {
      expressions: Expression[];
    };
    // Matched expressions: GT = the segment; prediction = the expression's box filled. Empty cases: GT
    // empty, prediction empty (a correct "nothing"), which LAVT still scores as IoU 0.
    const used = expressions.filter((e) => typeof e.matched_segment_id === "number" || e.empty_case);
    const gtDir = join(tmp, "coco-gt");
    const predDir = join(tmp, "coco-pred");
    mkdirSync(gtDir, { recursive: true });
    mkdirSync(predDir, { recursive: true });
    const samples: { intersection: number; union: number }[] = [];
    for (const [k, e] of used.entries()) {
      const png = decodePng(readFileSync(join(root, "panoptic", e.file_name.replace(".jpg", ".png"))));
      const { width: w, height: h } = png;
      const gt = new Uint8Array(w * h);
      const pred = new Uint8Array(w * h);
      let inter = 0;
      let union = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const i = y * w + x;
          const id = png.data[i * 3] + 256 * png.data[i * 3 + 1] + 65536 * png.data[i * 3 + 2];
          const b = e.bbox_xyxy;
          gt[i] = id === e.matched_segment_id ? 1 : 0;
          pred[i] = b && x + 0.5 >= b[0] && x + 0.5 <= b[2] && y + 0.5 >= b[1] && y + 0.5 <= b[3] ? 1 : 0;
          inter += gt[i] & pred[i];
          union += gt[i] | pred[i];
        }
      }
      samples.push({ intersection: inter, union });
      const name = `${String(k).padStart(2, "0")}.png`;
      writeFileSync(join(gtDir, name), encodeIndexedPng(w, h, gt));
      writeFileSync(join(predDir, name), encodeIndexedPng(w, h, pred));
    }
    expect(used).toHaveLength(19);
    const r = await evaluateRefer({ gtMasks: gtDir, predMasks: predDir });
    const ious = samples.map((s) => (s.union === 0 ? 0 : s.intersection / s.union));
    expect(r).toEqual(referScores(samples));
    expect(r.mIoU).toBeCloseTo(ious.reduce((a, b) => a + b, 0) / ious.length, 14);
    expect(r.cIoU).toBe(
      samples.reduce((a, s) => a + s.intersection, 0) / samples.reduce((a, s) => a + s.union, 0),
    );
    expect(r.precision["0.5"]).toBe(ious.filter((v) => v >= 0.5).length / 19);
    // Boxes around segments overlap well but never perfectly; the 5 empty cases score 0.
    expect(ious.filter((v) => v === 0)).toHaveLength(5);
    expect(r.mIoU).toBeGreaterThan(0.3);
    expect(r.mIoU).toBeLessThan(14 / 19);
  });
});
