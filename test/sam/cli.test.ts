import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cudaUnavailableReason } from "../../src/proposers/sam/device.js";
import { decodeRle } from "../../src/regions/rle.js";
import { somInProcess as som } from "../helpers/cli.js";
import { DATASETS, disc, maskIoU, shapeMask, tempDir, tinyModel } from "../helpers/onnx-sam-fixtures.js";

const PHOTO = join(DATASETS, "coco-panoptic-val2017", "images", "000000000139.jpg"); // 640×426
const IOU: [number, number, number] = [0.9, 0.97, 0.8];
let model: string;
const saved = process.env.XDG_CONFIG_HOME;

beforeAll(() => {
  process.env.XDG_CONFIG_HOME = join(tempDir("som-xdg-"), "config");
  model = tinyModel({ family: "sam", iou: IOU });
});
afterAll(() => {
  if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = saved;
});

describe("som segment", () => {
  it("writes a manifest whose RLE masks are the prompted regions in image pixels", async () => {
    const out = tempDir();
    const r = await som([
      "segment",
      PHOTO,
      "--model",
      model,
      "--point",
      "200,180",
      "--point",
      "250,180,0",
      "--box",
      "300,100,120,150",
      "-o",
      out,
    ]);
    expect(r.stderr).toMatch(/2 regions →/);
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(join(out, "000000000139.som.json"), "utf8"));
    expect(m.image).toMatchObject({ width: 640, height: 426, file: "000000000139.jpg" });
    expect(m.settings).toMatchObject({ proposer: "sam", modelType: "sam", dtype: "fp32", device: "cpu" });
    expect(m.marks.map((k: { prompt: string; source: string }) => [k.prompt, k.source])).toEqual([
      ["points", "sam"],
      ["box", "sam"],
    ]);
    const pts = decodeRle(m.marks[0].segmentation);
    const wantPts = shapeMask(
      640,
      426,
      (x, y) => (x - 200) ** 2 + (y - 180) ** 2 < 3600 && (x - 250) ** 2 + (y - 180) ** 2 >= 3600,
    );
    expect(maskIoU(pts, wantPts)).toBeGreaterThan(0.93);
    const box = decodeRle(m.marks[1].segmentation);
    expect(
      maskIoU(
        box,
        shapeMask(640, 426, (x, y) => x > 300 && x < 420 && y > 100 && y < 250),
      ),
    ).toBeGreaterThan(0.97);
    expect(m.marks[1].bbox).toEqual([300, 100, 120, 150]);
    const png = await sharp(join(out, "000000000139.som.png")).metadata();
    expect([png.width, png.height]).toEqual([640, 426]);
  });

  it("reads a scribble PNG: one region per stroke", async () => {
    const out = tempDir();
    const rgba = Buffer.alloc(640 * 426 * 4);
    const stroke = (x0: number, x1: number, y0: number, y1: number) => {
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) rgba.fill(255, (y * 640 + x) * 4, (y * 640 + x) * 4 + 4);
    };
    stroke(100, 180, 300, 303);
    stroke(450, 452, 100, 200);
    const file = join(out, "scribble.png");
    writeFileSync(
      file,
      await sharp(rgba, { raw: { width: 640, height: 426, channels: 4 } })
        .png()
        .toBuffer(),
    );
    const r = await som(["segment", PHOTO, "--model", model, "--scribble", file, "-o", out, "-q"]);
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(join(out, "000000000139.som.json"), "utf8"));
    expect(m.marks).toHaveLength(2);
    expect(m.marks.every((k: { prompt: string }) => k.prompt === "scribble")).toBe(true);
  });

  it("bad input: one line, no stack trace, non-zero exit", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["segment", PHOTO, "--point", "1,2"], /^som: segment needs --model DIR/],
      [["segment", PHOTO, "--model", model], /give at least one prompt/],
      [["segment", PHOTO, "--model", model, "--point", "1"], /--point must be x,y or x,y,label/],
      [["segment", PHOTO, "--model", model, "--point", "1,2,5"], /label must be 1 \(positive\) or 0/],
      [["segment", PHOTO, "--model", model, "--box", "1,2,0,4"], /width and height must be positive/],
      [["segment", PHOTO, "--model", model, "--point", "900,10"], /outside the 640x426 image/],
      [
        ["segment", PHOTO, "--model", model, "--box", "700,10,20,20"],
        /box 700,10,20,20 is outside the 640x426/,
      ],
      [
        ["segment", PHOTO, "--model", tempDir(), "--point", "1,2"],
        /not a SAM model folder .*missing config\.json/,
      ],
      [
        ["segment", PHOTO, "--model", "no-such-model", "--point", "1,2"],
        /neither a folder nor a registered name/,
      ],
      [["segment", PHOTO, "--model", model, "--point", "1,2", "--device", "tpu"], /must be "cpu" or "cuda"/],
    ];
    for (const [args, pattern] of cases) {
      const r = await som(args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("--device cuda: a clear error when the CUDA provider is not installed", async () => {
    if (cudaUnavailableReason() === null) return;
    const r = await som(["segment", PHOTO, "--model", model, "--point", "10,10", "--device", "cuda"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^som: --device cuda is not available: .*Use --device cpu\./);
  });
});

describe("som mark --proposer sam and som models", () => {
  it("marks with the SAM generator and its threshold flags, by registered name", async () => {
    expect((await som(["models", "add", "tiny", model])).stdout).toMatch(/^added tiny: sam \(fp32\)/);
    const list = await som(["models", "list"]);
    expect(list.stdout).toContain(`tiny\tsam\tfp32\t-\t${model}`);
    expect(list.stdout).toMatch(/downloadable: sam-vit-base \(Xenova\/sam-vit-base@main, not pinned\)/);
    const out = tempDir();
    const r = await som([
      "mark",
      PHOTO,
      "--proposer",
      "sam",
      "--model",
      "tiny",
      "--points-per-side",
      "3",
      "--pred-iou-thresh",
      "0.85",
      "--stability-thresh",
      "0.9",
      "--box-nms",
      "0.7",
      "--min-area",
      "10",
      "--crop-layers",
      "0",
      "-g",
      "1",
      "-o",
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/sam: 1\/1 prompt batches/);
    const m = JSON.parse(readFileSync(join(out, "000000000139.som.json"), "utf8"));
    expect(m.settings.proposer).toBe("sam");
    // iou 0.9 and 0.97 pass 0.85 (0.8 does not): two discs per grid point, radii 30 and 60 px;
    // granularity 1 keeps sub-parts.
    expect(m.marks).toHaveLength(18);
    const small = m.marks.filter((k: { level: string }) => k.level === "subpart");
    expect(small).toHaveLength(9);
    const [px, py] = small[0].point_coords;
    expect(maskIoU(decodeRle(small[0].segmentation), disc(640, 426, px, py, 30))).toBeGreaterThan(0.9);
    // The default granularity (0.5) keeps wholes and parts only.
    const mid = await som([
      "mark",
      PHOTO,
      "--proposer",
      "sam",
      "--model",
      "tiny",
      "--points-per-side",
      "3",
      "--pred-iou-thresh",
      "0.85",
      "-q",
      "--overwrite",
      "-o",
      out,
    ]);
    expect(mid.code).toBe(0);
    const m2 = JSON.parse(readFileSync(join(out, "000000000139.som.json"), "utf8"));
    expect(m2.marks.map((k: { level: string }) => k.level)).toEqual(new Array(9).fill("part"));
  });

  it("--proposer sam without --model, and bad threshold values, are one-line errors", async () => {
    const r = await som(["mark", PHOTO, "--proposer", "sam", "-o", tempDir()]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--proposer sam needs --model DIR/);
    const t = await som(["mark", PHOTO, "--proposer", "sam", "--model", model, "--pred-iou-thresh", "1.5"]);
    expect(t.code).not.toBe(0);
    expect(t.stderr).toMatch(/--pred-iou-thresh must be a number from 0 to 1/);
  });

  it("models add refuses a non-model folder; remove forgets a name", async () => {
    const bad = await som(["models", "add", "x", tempDir()]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^som: .* is not a SAM model folder/);
    expect((await som(["models", "remove", "tiny"])).stdout).toBe("removed tiny\n");
    expect((await som(["models", "remove", "tiny"])).stderr).toMatch(/no model named "tiny"/);
  });
});
