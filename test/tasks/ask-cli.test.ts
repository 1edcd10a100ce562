import { readFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import type { Region } from "../../src/regions/region.js";
import { decodeRle } from "../../src/regions/rle.js";
import { startFakeOpenAI } from "../helpers/fake-openai-server.js";
import { useModelEnv } from "../helpers/model-env.js";
import { somInProcess as som } from "../helpers/cli.js";
import { COCO, cocoMarks, cocoTruth, PANOPTIC_JSON } from "./coco.js";

const KEY = "sk-e2e-secret-key-4242";
const STEM = "000000000139";
const IMAGE = join(COCO, "images", `${STEM}.jpg`);
const MASKS = ["--masks", join(COCO, "panoptic", `${STEM}.png`), "--segments-info", PANOPTIC_JSON];

let regions: Region[];
let tvMark: number;
let tvId: number;
let photo: { data: Buffer; width: number; height: number };
const env = useModelEnv("som-ask-", KEY, { checksKey: true });
const fakeModel = env.fake;

beforeAll(async () => {
  const marks = await cocoMarks(STEM);
  regions = marks.regions;
  photo = { data: Buffer.from(marks.image.data), width: marks.image.width, height: marks.image.height };
  // The larger of the two TVs in the ground truth.
  const truth = cocoTruth(STEM);
  tvId = [...truth.categories].find(([, name]) => name === "tv")![0];
  const tvs = regions.filter((r) => r.extra?.category_id === tvId).sort((a, b) => b.area - a.area);
  tvMark = tvs[0].id;
});
describe("som ask", () => {
  it("sends the marked photo and question, writes the referenced region and a highlighted PNG", async () => {
    const s = await fakeModel(() => `The television is [${tvMark}]. I also see [99].`);
    const out = join(env.dir, "ask1");
    const r = await som([
      "ask",
      IMAGE,
      "Where is the TV?",
      "--base-url",
      s.baseURL,
      ...MASKS,
      "-o",
      out,
      "--json",
      "--no-cache",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain(KEY);

    // What the model was sent: the question, the SoM system prompt, a marked PNG of the photo.
    expect(env.seen).toHaveLength(1);
    expect(env.seen[0].prompt).toBe("Where is the TV?");
    expect(env.seen[0].system).toContain("please highlight them with []");
    const sent = await sharp(env.seen[0].image).raw().ensureAlpha().toBuffer({ resolveWithObject: true });
    expect([sent.info.width, sent.info.height]).toEqual([640, 426]);
    let differ = 0;
    for (let i = 0; i < sent.data.length; i += 4) if (sent.data[i] !== photo.data[i]) differ++;
    expect(differ / (640 * 426)).toBeGreaterThan(0.3); // marks, tints and contours were drawn

    const json = JSON.parse(await readFile(join(out, `${STEM}.answer.json`), "utf8"));
    expect(JSON.parse(r.stdout)).toEqual(json);
    expect(json).toMatchObject({
      version: 1,
      task: "ask",
      question: "Where is the TV?",
      answer: `The television is [${tvMark}]. I also see [99].`,
      unknown: ["99"],
      provider: { name: "openai", model: "gpt-4o" },
      image: { file: `${STEM}.jpg`, width: 640, height: 426 },
      sent: { width: 640, height: 426, groups: 1, marks: regions.length },
    });
    expect(json.usage.inputTokens).toBeGreaterThan(0);
    expect(json.referenced).toHaveLength(1);
    const tv = json.referenced[0];
    const gtTv = cocoTruth(STEM)
      .segments.filter((g) => g.category_id === tvId)
      .sort((a, b) => b.area - a.area)[0];
    expect(tv).toMatchObject({ id: tvMark, label: String(tvMark), bbox: gtTv.bbox, area: gtTv.area });
    const mask = decodeRle(tv.segmentation);
    expect([mask.x, mask.y, mask.w, mask.h]).toEqual(gtTv.bbox);

    // The answer image: the TV is highlighted, pixels far from it are the photo's.
    const png = await sharp(await readFile(join(out, `${STEM}.answer.png`)))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([png.info.width, png.info.height]).toEqual([640, 426]);
    const [bx, by, bw, bh] = gtTv.bbox;
    let inside = 0;
    let outside = 0;
    let outsideTotal = 0;
    for (let y = 0; y < 426; y++) {
      for (let x = 0; x < 640; x++) {
        const i = (y * 640 + x) * 4;
        const changed =
          Math.abs(png.data[i] - photo.data[i]) + Math.abs(png.data[i + 2] - photo.data[i + 2]) > 6;
        const inBox = x >= bx && x < bx + bw && y >= by && y < by + bh;
        const farAway = x > bx + bw + 20 || y > by + bh + 20 || y < by - 40;
        if (inBox && changed) inside++;
        if (farAway) {
          outsideTotal++;
          if (changed) outside++;
        }
      }
    }
    expect(inside / (bw * bh)).toBeGreaterThan(0.5);
    expect(outside / outsideTotal).toBeLessThan(0.001);
  });

  it("answers a repeated question from the cache, and asks again with --no-cache", async () => {
    const s = await fakeModel(() => `[${tvMark}]`);
    const args = [
      "ask",
      IMAGE,
      "Which mark is the TV?",
      "--base-url",
      s.baseURL,
      ...MASKS,
      "-o",
      join(env.dir, "ask2"),
      "-q",
    ];
    expect((await som(args)).code).toBe(0);
    const again = await som([...args, "--json"]);
    expect(again.code).toBe(0);
    expect(env.seen).toHaveLength(1);
    expect(JSON.parse(again.stdout).cached).toBe(true);
    expect(JSON.parse(again.stdout).referenced[0].id).toBe(tvMark);
    expect((await som([...args, "--no-cache"])).code).toBe(0);
    expect(env.seen).toHaveLength(2);
  });

  it("records answers and replays them offline", async () => {
    const s = await fakeModel(() => `It is mark ${tvMark}.`);
    const file = join(env.dir, "answers.jsonl");
    const common = [IMAGE, "Where can I watch a film?", ...MASKS, "-q", "--json"];
    const live = await som([
      "ask",
      ...common,
      "--base-url",
      s.baseURL,
      "--no-cache",
      "--record",
      file,
      "-o",
      join(env.dir, "rec"),
    ]);
    expect(live.code, live.stderr).toBe(0);
    await s.close();
    expect(await readFile(file, "utf8")).not.toContain(KEY);
    const replay = await som(["ask", ...common, "--replay", file, "-o", join(env.dir, "rep")]);
    expect(replay.code, replay.stderr).toBe(0);
    const a = JSON.parse(live.stdout);
    const b = JSON.parse(replay.stdout);
    expect(b.referenced).toEqual(a.referenced);
    expect(b.provider).toEqual({ name: "replay", model: "gpt-4o" });
    const miss = await som([
      "ask",
      IMAGE,
      "Another question?",
      ...MASKS,
      "--replay",
      file,
      "-o",
      join(env.dir, "rep"),
      "-q",
    ]);
    expect(miss.code).toBe(1);
    expect(miss.stderr).toMatch(/^som: replay: no recorded answer .* \(prompt "Another question\?"\)\n$/);
  });

  it("fails with one line naming the key variable on 401, never printing the key", async () => {
    const other = await startFakeOpenAI({ apiKey: "sk-other", model: () => "[1]" });
    const r = await som([
      "ask",
      IMAGE,
      "?",
      "--base-url",
      other.baseURL,
      ...MASKS,
      "-o",
      join(env.dir, "e"),
      "--no-cache",
      "-q",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^som: openai \(gpt-4o\): authentication failed \(HTTP 401\).*check OPENAI_API_KEY\n$/,
    );
    expect(r.stderr).not.toContain(KEY);
    await other.close();
  });

  it("names the flag a user must add when regions cannot be had", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["ask", IMAGE, "?", "--proposer", "sam"], /^som: --proposer sam needs --sam-model DIR/],
      [["ask", IMAGE, "?", "--proposer", "masks"], /^som: --proposer masks needs --masks FILE\n$/],
      [
        ["task", "track", IMAGE, IMAGE, "--masks", MASKS[1], "--proposer", "masks"],
        /^som: --proposer masks needs --candidates FILE\n$/,
      ],
    ];
    for (const [args, pattern] of cases) {
      const r = await som([...args, "--base-url", "http://127.0.0.1:1/v1", "-q", "-o", join(env.dir, "f")]);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toMatch(pattern);
    }
  });

  it("splits dense images into groups of --group-size marks and merges the answers", async () => {
    // Only the request whose image holds the TV's mark names it, as a model that sees the marks would.
    const groupOfTv = Math.floor((tvMark - 1) / 8) + 1;
    const s = await fakeModel((_input, n) =>
      n === groupOfTv ? `The TV is [${tvMark}].` : "None of these marks is a TV.",
    );
    const r = await som([
      "ask",
      IMAGE,
      "Where is the TV?",
      "--base-url",
      s.baseURL,
      ...MASKS,
      "--group-size",
      "8",
      "-o",
      join(env.dir, "g"),
      "--no-cache",
      "--json",
      "-q",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(env.seen).toHaveLength(Math.ceil(regions.length / 8));
    expect(new Set(env.seen.map((i) => i.image.toString("base64"))).size).toBe(env.seen.length);
    expect(json.sent.groups).toBe(env.seen.length);
    expect(json.referenced.map((x: { id: number }) => x.id)).toEqual([tvMark]);
    expect(json.unknown).toEqual([]);
    expect(json.answers[groupOfTv - 1]).toMatchObject({ ids: [tvMark] });
    expect(json.answers[0].marks).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("marks with the built-in proposer when no masks are given", async () => {
    const s = await fakeModel(() => "The answer is [2].");
    const r = await som([
      "ask",
      IMAGE,
      "What is on the wall?",
      "--base-url",
      s.baseURL,
      "-n",
      "12",
      "-o",
      join(env.dir, "b"),
      "--no-cache",
      "--json",
      "-q",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.sent.marks).toBeGreaterThan(3);
    expect(json.sent.marks).toBeLessThanOrEqual(12);
    expect(json.referenced[0].id).toBe(2);
    expect(json.referenced[0].area).toBeGreaterThan(0);
  });
});
