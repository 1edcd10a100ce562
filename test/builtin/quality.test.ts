import { describe, expect, it } from "vitest";
import { evaluateProposals } from "../../src/eval/proposals-run.js";
import { scoreImage, summarise } from "../../src/eval/proposals.js";
import { loadBsds, loadCocoPanoptic, loadDataset } from "../../src/eval/proposals-data.js";
import { createBuiltinProposer } from "../../src/proposers/builtin/index.js";
import { maskFromFull } from "../../src/regions/mask.js";
import { makeRegion, type Region } from "../../src/regions/region.js";
import { runSom } from "../helpers/cli.js";
import { dataset } from "../helpers/datasets.js";

/** Ground-truth segments of one label map as proposals: a perfect proposer. */
function gtRegions(map: Int32Array, w: number, h: number, ids: number[]): Region[] {
  return ids.map((id, i) => makeRegion(i + 1, maskFromFull(map, w, h, id), "user"));
}

describe("proposal metrics", () => {
  it("give a perfect score to the ground truth itself", async () => {
    for await (const gt of loadCocoPanoptic(dataset("coco-panoptic-val2017"), 2)) {
      const { width: w, height: h } = gt.image;
      const s = summarise([scoreImage(gt, gtRegions(gt.labelMaps[0], w, h, gt.segments[0]), 0, false)]);
      expect(s.segments).toBeGreaterThan(1);
      expect(s.oracleMIoU).toBe(1);
      expect(s.recall50).toBe(1);
    }
    for await (const gt of loadBsds(dataset("bsds500"), 1)) {
      const { width: w, height: h } = gt.image;
      expect(gt.labelMaps.length).toBeGreaterThanOrEqual(4);
      // One annotator's segments: boundary precision is perfect, recall is below 1 (humans disagree).
      const one = scoreImage(gt, gtRegions(gt.labelMaps[0], w, h, [...new Set(gt.labelMaps[0])]), 0, true);
      const b = summarise([one]).boundary!;
      expect(b.precision).toBe(1);
      expect(b.recall).toBeGreaterThan(0.5);
      expect(b.recall).toBeLessThan(1);
      // A single region covering the image has no boundary at all inside the image.
      const whole = makeRegion(1, maskFromFull(new Uint8Array(w * h).fill(1), w, h), "user");
      expect(summarise([scoreImage(gt, [whole], 0, true)]).boundary!.recall).toBe(0);
    }
  });
});

describe("built-in proposer quality floor (regression guard, not the benchmark)", () => {
  // Measured on these 4 photos: weight-free 0.456 / 0.40 / 57 marks; detector-guided (the default)
  // 0.513 / 0.50 / 56 marks.
  for (const [path, detector, floorMIoU, floorRecall] of [
    ["weight-free", "none", 0.42, 0.34],
    ["detector-guided (the default)", "auto", 0.48, 0.45],
  ] as const) {
    it(`recovers COCO panoptic segments at the default granularity, ${path}`, {
      timeout: 30_000,
    }, async () => {
      const [r] = await evaluateProposals({
        kind: "coco-panoptic",
        dir: dataset("coco-panoptic-val2017"),
        proposer: createBuiltinProposer({ detector }),
        granularities: [0.5],
        limit: 4,
      });
      expect(r.summary.segments).toBe(40);
      expect(r.summary.oracleMIoU).toBeGreaterThan(floorMIoU);
      expect(r.summary.recall50).toBeGreaterThan(floorRecall);
      expect(r.summary.marksPerImage).toBeLessThanOrEqual(65);
    });
  }

  it("finds BSDS boundaries and segments", async () => {
    const [r] = await evaluateProposals({
      kind: "bsds",
      dir: dataset("bsds500"),
      proposer: createBuiltinProposer({ detector: "none" }),
      granularities: [0.5],
      limit: 2,
    });
    // Measured 0.494 mIoU, boundary F 0.775 on these 2 photos.
    expect(r.summary.oracleMIoU).toBeGreaterThan(0.44);
    expect(r.summary.boundary!.f).toBeGreaterThan(0.7);
  });
});

describe("data set loaders", () => {
  it("pass over the first images without decoding them (--skip)", async () => {
    for (const kind of ["coco-panoptic", "bsds"] as const) {
      const dir = dataset(kind === "bsds" ? "bsds500" : "coco-panoptic-val2017");
      const two: string[] = [];
      for await (const gt of loadDataset(kind, dir, 2)) two.push(gt.name);
      const skipped: string[] = [];
      for await (const gt of loadDataset(kind, dir, 1, 1)) skipped.push(gt.name);
      expect(two).toHaveLength(2);
      expect(skipped).toEqual([two[1]]);
    }
  });
});

describe("som eval proposals", () => {
  it("prints JSON figures for a COCO panoptic folder", async () => {
    const res = await runSom([
      "eval",
      "proposals",
      "--dataset",
      `coco-panoptic:${dataset("coco-panoptic-val2017")}`,
      "--limit",
      "1",
      "--granularity",
      "0.2,0.8",
      "--json",
    ]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.results).toHaveLength(2);
    expect(out.results[0].images).toBe(1);
    expect(out.results[1].marksPerImage).toBeGreaterThan(out.results[0].marksPerImage);
    expect(out.results[1].oracleMIoU).toBeGreaterThan(0.2);
  });

  it("passes over the first images with --skip (held-out checks)", async () => {
    const res = await runSom([
      "eval",
      "proposals",
      "--dataset",
      `coco-panoptic:${dataset("coco-panoptic-val2017")}`,
      "--skip",
      "1",
      "--limit",
      "1",
      "--verbose",
      "--json",
    ]);
    expect(res.code).toBe(0);
    // Images go in file-name order: the second one is scored, and only it.
    expect(res.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^000000000285\.jpg: \d+ marks/)]);
    expect(JSON.parse(res.stdout)).toMatchObject({ skip: 1, results: [{ images: 1 }] });
  });

  it("rejects --detector with another proposer, and a negative --skip, with one line", async () => {
    const coco = `coco-panoptic:${dataset("coco-panoptic-val2017")}`;
    const sam = await runSom([
      "eval",
      "proposals",
      "--dataset",
      coco,
      "--proposer",
      "sam",
      "--detector",
      "centernet",
    ]);
    expect(sam.code).not.toBe(0);
    expect(sam.stderr.trim().split("\n")).toHaveLength(1);
    expect(sam.stderr).toMatch(/--detector works with the builtin proposer only/);
    const skip = await runSom(["eval", "proposals", "--dataset", coco, "--skip", "-1"]);
    expect(skip.code).not.toBe(0);
    expect(skip.stderr).toMatch(/--skip must be a whole number/);
  });

  it("rejects a bad dataset spec or folder with one line", async () => {
    const bad = await runSom(["eval", "proposals", "--dataset", "voc:/tmp"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/coco-panoptic:DIR or bsds:DIR/);
    const missing = await runSom(["eval", "proposals", "--dataset", "bsds:/nonexistent/bsds"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/nonexistent.*not found/);
  });
});
