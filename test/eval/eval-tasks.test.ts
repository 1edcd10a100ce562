import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePng } from "../../src/image/png-index.js";
import { evaluateFlickr } from "../../src/metrics/flickr.js";
import { evaluatePanoptic } from "../../src/metrics/panoptic.js";
import { dataset } from "../helpers/datasets.js";
import { somInProcess as som } from "../helpers/cli.js";
import { makeFlickrFolder } from "./flickr-fixture.js";

const COCO = dataset("coco-panoptic-val2017");
const DAVIS16 = dataset("davis2016");
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "som-eval-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function evalJson(args: string[]) {
  const r = await som(["eval", ...args, "--json", "--no-progress"]);
  if (r.code !== 0) throw new Error(`som eval failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const readLines = async (file: string) => (await readFile(file, "utf8")).split("\n").filter(Boolean);

describe("som eval classify (COCO panoptic, oracle)", () => {
  it("ground-truth masks as marks: PQ and precision are exactly 1", async () => {
    const s = await evalJson([
      "classify",
      "-d",
      `coco-panoptic:${COCO}`,
      "--provider",
      "oracle",
      "--masks",
      "gt",
      "--limit",
      "12",
    ]);
    expect(s.samples).toBe(12);
    expect(s.metrics.precision).toBe(1);
    expect(s.metrics.PQ).toBe(1);
    expect(s.details.All.n).toBeGreaterThan(20);
    expect(s.details.Things.pq).toBe(1);
    expect(s.details.Stuff.pq).toBe(1);
  });

  it("builtin proposals: the PQ it reports is panopticapi's on the prediction files it writes", async () => {
    const out = join(dir, "classify-builtin");
    const s = await evalJson([
      "classify",
      "-d",
      `coco-panoptic:${COCO}`,
      "--provider",
      "oracle",
      "--limit",
      "3",
      "-o",
      out,
    ]);
    expect(s.metrics.precision).toBe(1); // the oracle names every judged mark right
    expect(s.metrics.PQ).toBeGreaterThan(0);
    expect(s.metrics.PQ).toBeLessThan(1); // proposals are not the ground truth
    // Score the written predictions with `som metrics panoptic` against the same three images.
    const gt = JSON.parse(await readFile(join(COCO, "panoptic_val2017.json"), "utf8"));
    const pred = JSON.parse(await readFile(join(out, "panoptic.json"), "utf8"));
    const ids = new Set(pred.annotations.map((a: { image_id: number }) => a.image_id));
    gt.annotations = gt.annotations.filter((a: { image_id: number }) => ids.has(a.image_id));
    expect(gt.annotations).toHaveLength(3);
    await writeFile(join(dir, "gt3.json"), JSON.stringify(gt));
    const official = await evaluatePanoptic({
      gtJson: join(dir, "gt3.json"),
      gtFolder: join(COCO, "panoptic"),
      predJson: join(out, "panoptic.json"),
      predFolder: join(out, "panoptic"),
    });
    expect(s.details.All).toEqual(official.All);
    expect(s.details.Things).toEqual(official.Things);
    expect(s.details.Stuff).toEqual(official.Stuff);
    // Stuff is one segment per category and image (the proposer splits the wall; its marks merge), things
    // one segment per mark.
    const stuff = new Set(
      gt.categories.filter((c: { isthing: number }) => c.isthing === 0).map((c: { id: number }) => c.id),
    );
    let things = 0;
    for (const a of pred.annotations as { segments_info: { category_id: number }[] }[]) {
      const cats = a.segments_info.map((x) => x.category_id).filter((c) => stuff.has(c));
      expect(new Set(cats).size).toBe(cats.length);
      things += a.segments_info.length - cats.length;
    }
    expect(things).toBeGreaterThan(3);
    const html = await readFile(join(out, "report.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).toContain("precision");
    expect(html).not.toMatch(/(src|href)=["']?https?:/); // self-contained
  });
});

describe("som eval classify (ADE20K full format, oracle)", () => {
  it("objects mapped to the 150 classes: ground-truth masks give PQ 1; no stuff flag, so Stuff is n/a", async () => {
    const s = await evalJson([
      "classify",
      "-d",
      `ade20k:${dataset("ade20k-samples")}`,
      "--provider",
      "oracle",
      "--masks",
      "gt",
      "--limit",
      "1",
    ]);
    expect(s.samples).toBe(1);
    expect(s.marksPerSample).toBeGreaterThan(15);
    expect(s.metrics.PQ).toBe(1);
    expect(s.metrics.PQ_stuff).toBeNull();
    const names = s.breakdown.rows.map((r: { name: string }) => r.name);
    expect(names).toEqual(expect.arrayContaining(["building", "car", "tree"]));
  });
});

describe("som eval refer (RefCOCOs subset, oracle)", () => {
  it("ground-truth masks: every masked expression is found, boxes that match no segment are not", async () => {
    const s = await evalJson(["refer", "-d", `refcocos:${COCO}`, "--provider", "oracle", "--masks", "gt"]);
    expect(s.samples).toBe(22);
    expect(s.details.masks).toBe(14);
    expect(s.metrics.mIoU).toBe(1);
    expect(s.metrics.cIoU).toBe(1);
    // 17 expressions have a box; the 3 whose box matches no panoptic segment (IoU < 0.5) cannot be hit.
    expect(s.metrics["acc@0.5"]).toBeCloseTo(14 / 17, 12);
    expect(s.metrics.no_target_accuracy).toBe(1);
  });
});

describe("som eval track (DAVIS 2016, oracle)", () => {
  it("first scored frames: ground-truth candidates score 1, builtin proposals less, results are DAVIS palette PNGs", async () => {
    const gt = await evalJson([
      "track",
      "-d",
      `davis:${DAVIS16}`,
      "--provider",
      "oracle",
      "--masks",
      "gt",
      "--max-frames",
      "1",
    ]);
    expect(gt.samples).toBe(3);
    expect(gt.metrics["J&F"]).toBe(1);
    const out = join(dir, "track");
    const s = await evalJson([
      "track",
      "-d",
      `davis:${DAVIS16}`,
      "--provider",
      "oracle",
      "--max-frames",
      "1",
      "--sequences",
      "blackswan",
      "-o",
      out,
    ]);
    expect(s.samples).toBe(1);
    // The swan is one clean region: the best single mark covers most of it.
    expect(s.metrics.J_mean).toBeGreaterThan(0.7);
    expect(s.metrics.J_mean).toBeLessThan(1);
    const png = decodePng(await readFile(join(out, "davis", "blackswan", "00001.png")));
    expect(png.colorType).toBe(3);
    expect(new Set(png.data)).toEqual(new Set([0, 1]));
  });
});

describe("som eval ground (Flickr30K Entities layout, oracle)", () => {
  it("ground-truth boxes as marks: recall@1 is 1, and the predictions file scores the same with som metrics flickr", async () => {
    const flickr = join(dir, "flickr");
    await makeFlickrFolder(flickr);
    const out = join(dir, "ground");
    const s = await evalJson([
      "ground",
      "-d",
      `flickr30k:${flickr}`,
      "--provider",
      "oracle",
      "--masks",
      "gt",
      "-o",
      out,
    ]);
    // Sentence 2 of each image has no boxed phrase: 2 images × 2 sentences.
    expect(s.samples).toBe(4);
    expect(s.metrics["recall@1"]).toBe(1);
    const official = await evaluateFlickr({
      flickrPath: flickr,
      split: "test",
      predictions: join(out, "flickr_predictions.json"),
    });
    expect(s.details).toEqual(official);
    // The paper's marks for grounding (numbers, masks and boxes) unless --marks says otherwise.
    const run = JSON.parse(await readFile(join(out, "run.json"), "utf8"));
    expect(run.marks).toEqual(["number", "mask", "box"]);
  });
});

describe("results folder", () => {
  it("resumes after an interrupted run (torn last line) with the same summary, running only what was missing", async () => {
    const args = [
      "classify",
      "-d",
      `coco-panoptic:${COCO}`,
      "--provider",
      "oracle",
      "--masks",
      "gt",
      "--limit",
      "6",
    ];
    const full = join(dir, "full");
    const a = await evalJson([...args, "-o", full]);
    const lines = await readLines(join(full, "samples.jsonl"));
    expect(lines).toHaveLength(6);
    // Simulate a crash after 3 samples, in the middle of writing the 4th.
    const cut = join(dir, "cut");
    await som(["eval", ...args, "--limit", "1", "-o", cut, "--json", "--no-progress"]).catch(() => {});
    await rm(join(cut, "samples.jsonl"));
    await writeFile(join(cut, "samples.jsonl"), `${lines.slice(0, 3).join("\n")}\n${lines[3].slice(0, 40)}`);
    const r = await som(["eval", ...args, "-o", cut, "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("3/6 already done");
    const b = JSON.parse(r.stdout);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.details).toEqual(a.details);
    expect(b.breakdown).toEqual(a.breakdown);
    const after = (await readLines(join(cut, "samples.jsonl"))).map((l) => JSON.parse(l).id);
    expect(after).toHaveLength(6);
    expect(new Set(after).size).toBe(6);
    expect(after.slice(0, 3)).toEqual(lines.slice(0, 3).map((l) => JSON.parse(l).id));
    // A finished folder reruns nothing and still prints the summary.
    const again = await som(["eval", ...args, "-o", cut, "--json"]);
    expect(JSON.parse(again.stdout).metrics).toEqual(a.metrics);
    expect(await readLines(join(cut, "samples.jsonl"))).toHaveLength(6);
  });

  it("refuses to resume a folder started with other settings", async () => {
    const out = join(dir, "mixed");
    await evalJson([
      "refer",
      "-d",
      `refcocos:${COCO}`,
      "--provider",
      "oracle",
      "--masks",
      "gt",
      "--limit",
      "1",
      "-o",
      out,
    ]);
    const r = await som([
      "eval",
      "refer",
      "-d",
      `refcocos:${COCO}`,
      "--provider",
      "oracle",
      "--limit",
      "1",
      "-o",
      out,
      "--no-progress",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("marksFrom");
  });
});
