import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { COCO_PANOPTIC } from "../../src/prompts/vocab/coco-panoptic.js";
import { decodeRle } from "../../src/regions/rle.js";
import { useModelEnv } from "../helpers/model-env.js";
import { somInProcess as som } from "../helpers/cli.js";
import { COCO, cocoMarks, cocoTruth, DATA, PANOPTIC_JSON, requireData } from "./coco.js";

const KEY = "sk-task-secret-77";
const env = useModelEnv("som-task-", KEY);
const fake = env.fake;

const masksOf = (stem: string) => [
  "--masks",
  join(COCO, "panoptic", `${stem}.png`),
  "--segments-info",
  PANOPTIC_JSON,
];

async function readJson(path: string) {
  return JSON.parse(await readFile(path, "utf8"));
}

async function greyPixels(path: string) {
  const bytes = await readFile(path);
  expect((await sharp(bytes).metadata()).channels).toBe(1); // a one-channel label PNG, as evaluators read it
  const { data } = await sharp(bytes).greyscale().raw().toBuffer({ resolveWithObject: true });
  return data;
}

describe("som task classify", () => {
  const STEM = "000000000139";
  it("structured output: labels every mark, writes a COCO panoptic prediction matching the ground truth", async () => {
    const { regions } = await cocoMarks(STEM);
    const shown = new Map(COCO_PANOPTIC.entries.map((e) => [e.id, e.name]));
    // A model that knows the truth and answers with the names it was offered.
    const s = await fake((input) => {
      const enumNames = (
        input.schema as { properties: { labels: { items: { properties: { name: { enum: string[] } } } } } }
      ).properties.labels.items.properties.name.enum;
      const labels = regions.map((r) => ({
        id: String(r.id),
        name: shown.get(r.extra?.category_id as number)!,
      }));
      for (const l of labels) expect(enumNames).toContain(l.name);
      return JSON.stringify({ labels });
    });
    const out = join(env.dir, "classify");
    const r = await som([
      "task",
      "classify",
      join(COCO, "images", `${STEM}.jpg`),
      "--vocab",
      "coco",
      ...masksOf(STEM),
      "--base-url",
      s.baseURL,
      "-o",
      out,
      "-q",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(env.seen[0].prompt).toMatch(
      /^I have labeled a bright numeric ID at the center for each visual object in the image\. Please enumerate their names\. You must answer by selecting from the following names: \[person, bicycle, car, /,
    );
    const json = await readJson(join(out, `${STEM}.answer.json`));
    expect(json.labels).toHaveLength(regions.length);
    for (const l of json.labels) {
      expect(l.category_id).toBe(regions.find((x) => x.id === l.id)!.extra?.category_id);
    }
    expect(json.unlabeled).toEqual([]);

    // Panoptic PNG + JSON: every ground-truth pixel gets its category back.
    const pred = await sharp(await readFile(join(out, `${STEM}.panoptic.png`)))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const predJson = await readJson(join(out, `${STEM}.panoptic.json`));
    const segCat = new Map<number, number>(
      predJson.annotations[0].segments_info.map((s: { id: number; category_id: number }) => [
        s.id,
        s.category_id,
      ]),
    );
    expect(predJson.annotations[0].image_id).toBe(139);
    const gt = await sharp(join(COCO, "panoptic", `${STEM}.png`))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const gtCat = new Map(cocoTruth(STEM).segments.map((g) => [g.id, g.category_id]));
    let agree = 0;
    let total = 0;
    for (let i = 0; i < gt.info.width * gt.info.height; i++) {
      const g = gt.data[i * 3] + 256 * gt.data[i * 3 + 1] + 65536 * gt.data[i * 3 + 2];
      if (!g) continue;
      total++;
      const p = pred.data[i * 3] + 256 * pred.data[i * 3 + 1] + 65536 * pred.data[i * 3 + 2];
      if (segCat.get(p) === gtCat.get(g)) agree++;
    }
    expect(agree / total).toBe(1);
  });

  it("text answers from an openai-compatible server, with official names and an unknown mark", async () => {
    const { regions } = await cocoMarks(STEM);
    const names = cocoTruth(STEM).categories;
    const s = await fake(
      () =>
        `${regions.map((r) => `${r.id}: ${names.get(r.extra?.category_id as number)}`).join("\n")}\n99: cat`,
    );
    const r = await som([
      "task",
      "classify",
      join(COCO, "images", `${STEM}.jpg`),
      "--vocab",
      "coco",
      ...masksOf(STEM),
      "--provider",
      "openai-compatible",
      "--model",
      "llava",
      "--base-url",
      s.baseURL,
      "-o",
      join(env.dir, "classify2"),
      "-q",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(env.server!.requests[0].body.response_format).toBeUndefined();
    expect(env.seen[0].system).toContain('"ID: name"');
    const json = JSON.parse(r.stdout);
    expect(json.unknown).toEqual(["99"]);
    const wrong = json.labels.filter(
      (l: { id: number; category_id: number }) => l.category_id !== regions[l.id - 1].extra?.category_id,
    );
    expect(wrong).toEqual([]);
  });
});

describe("som task refer", () => {
  it("finds the expression's region: union mask, box and mask PNG", async () => {
    const refs = JSON.parse(readFileSync(requireData(join(COCO, "refcocos_val2017_subset.json")), "utf8"))
      .expressions as {
      file_name: string;
      expression: string;
      bbox_xyxy: number[];
      matched_segment_id: number | null;
    }[];
    const ref = refs.find((e) => e.expression === "suitcase next to car wheel")!;
    const stem = ref.file_name.replace(".jpg", "");
    const { regions } = await cocoMarks(stem);
    const target = regions.find((r) => r.extra?.segment_id === ref.matched_segment_id)!;
    const s = await fake((input) => {
      expect(input.schema).toBeDefined();
      return JSON.stringify({ ids: [String(target.id)] });
    });
    const out = join(env.dir, "refer");
    const r = await som([
      "task",
      "refer",
      join(COCO, "images", ref.file_name),
      ref.expression,
      ...masksOf(stem),
      "--base-url",
      s.baseURL,
      "-o",
      out,
      "-q",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(env.seen[0].prompt).toBe(
      `I have labeled a bright numeric ID at the center for each visual object in the image. Please tell me the IDs for: ${ref.expression}.`,
    );
    const json = await readJson(join(out, `${stem}.answer.json`));
    expect(json.referenced.map((x: { id: number }) => x.id)).toEqual([target.id]);
    const [x, y, w, h] = json.mask.bbox;
    const [x1, y1, x2, y2] = ref.bbox_xyxy;
    const ix = Math.max(0, Math.min(x + w, x2) - Math.max(x, x1));
    const iy = Math.max(0, Math.min(y + h, y2) - Math.max(y, y1));
    const iou = (ix * iy) / (w * h + (x2 - x1) * (y2 - y1) - ix * iy);
    expect(iou).toBeGreaterThanOrEqual(0.5); // comprehension counts it correct
    expect(decodeRle(json.mask.segmentation).w).toBe(w);
    const mask = await greyPixels(join(out, `${stem}.mask.png`));
    expect(mask.filter((v) => v === 255).length).toBe(target.area);
    expect(json.mask.area).toBe(target.area);
  });
});

describe("som task ground", () => {
  it("gives each phrase its regions, boxes and union", async () => {
    const STEM = "000000000139";
    const { regions } = await cocoMarks(STEM);
    const truth = cocoTruth(STEM);
    const catId = (name: string) => [...truth.categories].find(([, n]) => n === name)![0];
    const woman = regions
      .filter((r) => r.extra?.category_id === catId("person"))
      .sort((a, b) => b.area - a.area)[0];
    const tvs = regions.filter((r) => r.extra?.category_id === catId("tv"));
    const s = await fake(() => `a woman: [${woman.id}]\na tv: ${tvs.map((t) => `[${t.id}]`).join(", ")}`);
    const r = await som([
      "task",
      "ground",
      join(COCO, "images", `${STEM}.jpg`),
      "a woman stands in a living room with a tv",
      "--phrases",
      "a woman; a tv",
      ...masksOf(STEM),
      "--provider",
      "openai-compatible",
      "--model",
      "m",
      "--base-url",
      s.baseURL,
      "-o",
      join(env.dir, "ground"),
      "-q",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(env.seen[0].prompt).toContain(
      "Given the image showing a woman stands in a living room with a tv, find the corresponding regions for a woman, a tv.",
    );
    const json = JSON.parse(r.stdout);
    expect(json.phrases[0]).toMatchObject({
      phrase: "a woman",
      ids: [woman.id],
      boxes: [woman.bbox],
      bbox: woman.bbox,
    });
    expect(json.phrases[1].ids).toEqual(tvs.map((t) => t.id));
    expect(json.phrases[1].boxes).toEqual(tvs.map((t) => t.bbox));
    const [ux, uy, uw, uh] = json.phrases[1].bbox;
    for (const t of tvs) {
      expect(t.bbox[0]).toBeGreaterThanOrEqual(ux);
      expect(t.bbox[1] + t.bbox[3]).toBeLessThanOrEqual(uy + uh);
      expect(t.bbox[0] + t.bbox[2]).toBeLessThanOrEqual(ux + uw);
    }
  });
});

describe("som task track", () => {
  it("matches the frame-1 object to the right frame-2 candidate and writes its mask with the object id", async () => {
    const seq = join(DATA, "davis2016");
    const f1 = requireData(join(seq, "JPEGImages/480p/blackswan/00000.jpg"));
    const f2 = join(seq, "JPEGImages/480p/blackswan/00001.jpg");
    const a1 = join(seq, "Annotations/480p/blackswan/00000.png");
    const gt2 = await sharp(join(seq, "Annotations/480p/blackswan/00001.png"))
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { width, height } = gt2.info;
    // Frame-2 candidates: a distractor patch of water (value 1), then the swan itself (value 2).
    const cand = new Uint8Array(width * height);
    for (let y = 380; y < 470; y++) for (let x = 20; x < 200; x++) cand[y * width + x] = 1;
    for (let i = 0; i < cand.length; i++) if (gt2.data[i] > 127) cand[i] = 2;
    const candFile = join(env.dir, "candidates.png");
    await writeFile(
      candFile,
      await sharp(cand, { raw: { width, height, channels: 1 } })
        .toColourspace("b-w")
        .png()
        .toBuffer(),
    );
    const s = await fake((input) => {
      expect(input.images).toHaveLength(2);
      return JSON.stringify({ matches: [{ object: "1", mark: "b" }] });
    });
    const out = join(env.dir, "track");
    const r = await som([
      "task",
      "track",
      f1,
      f2,
      "--masks",
      a1,
      "--candidates",
      candFile,
      "--base-url",
      s.baseURL,
      "-o",
      out,
      "-q",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(env.seen[0].prompt).toContain(
      "In the first image, there are 1 objects labeled with 1. In the second image, candidate regions are labeled with letters a,b.",
    );
    const [first, second] = env.seen[0].images;
    expect(first.equals(second)).toBe(false);
    const json = await readJson(join(out, "00001.answer.json"));
    expect(json.matches).toEqual([
      expect.objectContaining({ object: 255, label: "1", mark: 2, markLabel: "b" }),
    ]);
    const masks = await greyPixels(join(out, "00001.masks.png"));
    let same = 0;
    for (let i = 0; i < masks.length; i++) if ((masks[i] === 255) === gt2.data[i] > 127) same++;
    expect(same).toBe(masks.length);
  });
});

describe("images larger than the provider takes", () => {
  it("are resized before marking; answers come back in input-image pixels", async () => {
    const img = requireData(
      join(DATA, "ade20k-samples/ADE20K_2021_17_01/images/ADE/training/urban/street/ADE_train_00016964.jpg"),
    );
    const s = await fake(() => "Mark [1] and mark [2].");
    const r = await som([
      "ask",
      img,
      "What is at the top?",
      "-n",
      "6",
      "--base-url",
      s.baseURL,
      "-o",
      join(env.dir, "big"),
      "-q",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const sent = await sharp(env.seen[0].image).metadata();
    // OpenAI high detail: fit 2048 long side and 768 short side.
    expect([sent.width, sent.height]).toEqual([1151, 768]);
    const json = JSON.parse(r.stdout);
    expect(json.sent).toMatchObject({ width: 1151, height: 768 });
    expect(json.image).toMatchObject({ width: 2200, height: 1467 });
    expect(json.referenced.map((x: { id: number }) => x.id)).toEqual([1, 2]);
    for (const ref of json.referenced) expect(ref.segmentation.size).toEqual([1467, 2200]);
    const png = await sharp(await readFile(join(env.dir, "big", "ADE_train_00016964.answer.png"))).metadata();
    expect([png.width, png.height]).toEqual([2200, 1467]);
  });
});
