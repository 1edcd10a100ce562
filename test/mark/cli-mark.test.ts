import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../../src/manifest/manifest.js";
import { maskFromFull } from "../../src/regions/mask.js";
import { decodeRle } from "../../src/regions/rle.js";
import { runSom } from "../helpers/cli.js";
import { cocoImage, cocoPanoptic, cocoPanopticJson } from "../helpers/datasets.js";

const STEM = "000000000139";
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "som-cli-"));
});

async function readManifest(path: string): Promise<Manifest> {
  return JSON.parse(await readFile(path, "utf8"));
}

describe("som mark --masks (COCO panoptic ground truth in, same masks out)", () => {
  it("writes the manifest with every GT segment unchanged, plus the marked PNG", async () => {
    const out = join(dir, "pan");
    const res = await runSom([
      "mark",
      cocoImage(STEM),
      "--masks",
      cocoPanoptic(STEM),
      "--segments-info",
      cocoPanopticJson(),
      "--out",
      out,
    ]);
    expect(res.stderr).toContain("30 marks");
    expect(res.code).toBe(0);
    const manifest = await readManifest(join(out, `${STEM}.som.json`));
    const gt = JSON.parse(await readFile(cocoPanopticJson(), "utf8"));
    const ann = gt.annotations.find((a: { file_name: string }) => a.file_name === `${STEM}.png`);
    expect(manifest.version).toBe(1);
    expect(manifest.image).toEqual({ width: 640, height: 426, file: `${STEM}.jpg` });
    expect(manifest.settings.proposer).toBe("masks");
    expect(manifest.marks).toHaveLength(ann.segments_info.length);

    const { data } = await sharp(cocoPanoptic(STEM))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const ids = new Uint32Array(640 * 426).map(
      (_, i) => data[i * 3] + 256 * data[i * 3 + 1] + 65536 * data[i * 3 + 2],
    );
    for (const seg of ann.segments_info) {
      const mark = manifest.marks.find((m) => m.category_id === seg.category_id && m.area === seg.area);
      expect(mark, `segment ${seg.id}`).toBeDefined();
      expect(mark!.bbox).toEqual(seg.bbox);
      const want = maskFromFull(ids, 640, 426, seg.id);
      const got = decodeRle(mark!.segmentation);
      expect([got.x, got.y, got.w, got.h]).toEqual([want.x, want.y, want.w, want.h]);
      expect(Buffer.compare(Buffer.from(got.data), Buffer.from(want.data))).toBe(0);
    }
    for (const m of manifest.marks) {
      expect(m.label).toBe(String(m.id));
      expect(m.color).toMatch(/^#[0-9a-f]{6}$/);
      const [x, y, w, h] = m.labelBox;
      expect(m.anchor).toEqual([x + w / 2, y + h / 2]);
      expect(x >= 0 && y >= 0 && x + w <= 640 && y + h <= 426).toBe(true);
    }
    const png = await sharp(join(out, `${STEM}.som.png`)).metadata();
    expect([png.format, png.width, png.height]).toEqual(["png", 640, 426]);
  });
});

describe("som mark with the built-in proposer", () => {
  it("marks a real photo with default settings and honours --max-marks, --labels, --marks", async () => {
    const out = join(dir, "builtin");
    const res = await runSom([
      "mark",
      cocoImage(STEM),
      "--out",
      out,
      "--max-marks",
      "12",
      "--labels",
      "alpha",
      "--marks",
      "number,box",
    ]);
    expect(res.code, res.stderr).toBe(0);
    const manifest = await readManifest(join(out, `${STEM}.som.json`));
    expect(manifest.settings).toMatchObject({
      proposer: "builtin",
      marks: ["number", "box"],
      labels: "alpha",
      maxMarks: 12,
    });
    expect(manifest.marks.length).toBeGreaterThan(4);
    expect(manifest.marks.length).toBeLessThanOrEqual(12);
    expect(manifest.marks.map((m) => m.label).slice(0, 3)).toEqual(["a", "b", "c"]);
    expect(manifest.marks.every((m) => m.source === "builtin")).toBe(true);
  });

  it("honours EXIF orientation: coordinates are those of the upright image", async () => {
    const rotated = join(dir, "rotated.jpg");
    // Store the pixels sideways and tag them with orientation 6 (rotate 90° clockwise to view).
    await sharp(cocoImage(STEM)).rotate(-90).withMetadata({ orientation: 6 }).jpeg().toFile(rotated);
    const out = join(dir, "exif");
    const res = await runSom(["mark", rotated, "--out", out, "--max-marks", "5"]);
    expect(res.code, res.stderr).toBe(0);
    const manifest = await readManifest(join(out, "rotated.som.json"));
    expect([manifest.image.width, manifest.image.height]).toEqual([640, 426]);
    const meta = await sharp(join(out, "rotated.som.png")).metadata();
    expect([meta.width, meta.height]).toEqual([640, 426]);
  });
});

describe("som mark on bad input", () => {
  it("reports each bad file in one line, keeps going, writes nothing half-done, exits non-zero", async () => {
    const bad = join(dir, "bad");
    const out = join(dir, "bad-out");
    await (await import("node:fs/promises")).mkdir(bad, { recursive: true });
    const jpg = await readFile(cocoImage(STEM));
    await writeFile(join(bad, "empty.jpg"), "");
    await writeFile(join(bad, "text.png"), "this is not an image");
    await writeFile(join(bad, "truncated.jpg"), jpg.subarray(0, jpg.length / 3));
    const res = await runSom([
      "mark",
      join(bad, "missing.jpg"),
      join(bad, "empty.jpg"),
      cocoImage(STEM),
      join(bad, "text.png"),
      join(bad, "truncated.jpg"),
      "--out",
      out,
      "--max-marks",
      "3",
    ]);
    expect(res.code).toBe(1);
    const lines = res.stderr.trim().split("\n");
    const errors = lines.filter((l) => l.startsWith("som: "));
    expect(errors).toEqual([
      `som: ${join(bad, "missing.jpg")}: no such file`,
      `som: ${join(bad, "empty.jpg")}: empty file (0 bytes)`,
      `som: ${join(bad, "text.png")}: not an image, or an unsupported image format`,
      expect.stringMatching(/^som: .*truncated\.jpg: corrupt or truncated image/),
      "som: 4 of 5 images failed",
    ]);
    expect((await readdir(out)).sort()).toEqual([`${STEM}.som.json`, `${STEM}.som.png`]);
  });

  it("refuses decompression bombs above --max-pixels", async () => {
    const res = await runSom(["mark", cocoImage(STEM), "--out", join(dir, "bomb"), "--max-pixels", "100000"]);
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(
      `som: ${cocoImage(STEM)}: image is 640x426 = 272640 pixels, above the limit of 100000 (raise it with --max-pixels)`,
    );
  });

  it("rejects masks of another size than the image and masks with no regions", async () => {
    const other = cocoPanoptic("000000000285");
    const res = await runSom(["mark", cocoImage(STEM), "--masks", other, "--out", join(dir, "size")]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/masks are \d+x\d+ but the image is 640x426/);
    const empty = join(dir, "none.json");
    await writeFile(empty, "[]");
    const res2 = await runSom(["mark", cocoImage(STEM), "--masks", empty, "--out", join(dir, "none")]);
    expect(res2.code).toBe(1);
    expect(res2.stderr).toContain("no regions");
    expect(res2.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("rejects bad option values before doing any work", async () => {
    const res = await runSom(["mark", cocoImage(STEM), "--granularity", "3"]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("--granularity must be a number from 0 to 1");
    const res2 = await runSom(["mark", cocoImage(STEM), "--marks", "number,glow"]);
    expect(res2.stderr).toContain('unknown mark type "glow"');
  });
});

describe("som mark on a transparent PNG", () => {
  it("puts transparent pixels on white instead of black", async () => {
    const file = join(dir, "transparent.png");
    const w = 120;
    const h = 80;
    const rgba = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) if (i % w < 60) rgba.set([200, 30, 30, 255], i * 4); // right half transparent
    await sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
      .png()
      .toFile(file);
    const out = join(dir, "transparent");
    const res = await runSom(["mark", file, "--out", out, "--marks", "number"]);
    expect(res.code, res.stderr).toBe(0);
    const { data } = await sharp(join(out, "transparent.som.png"))
      .raw()
      .toBuffer({ resolveWithObject: true });
    let white = 0;
    let black = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 60; x < w; x++) {
        const p = (y * w + x) * 3;
        if (data[p] === 255 && data[p + 1] === 255 && data[p + 2] === 255) white++;
        if (data[p] + data[p + 1] + data[p + 2] < 30) black++;
      }
    }
    // Labels may cover a little of the right half; the rest is white, none of it black.
    expect(white / (60 * h)).toBeGreaterThan(0.7);
    expect(black).toBeLessThan(60 * h * 0.05);
  });
});
