import { mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCanvas } from "@napi-rs/canvas";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { createRaster } from "../../src/image/raster.js";
import { placeMarks } from "../../src/marks/place.js";
import { markImage } from "../../src/pipeline/mark.js";
import { maskFromFull } from "../../src/regions/mask.js";
import { makeRegion, type Region } from "../../src/regions/region.js";
import { markColor, textColorFor, toHex } from "../../src/render/colors.js";
import { tintMask } from "../../src/render/draw-masks.js";
import { labelFont } from "../../src/render/font.js";
import { encodeRgbaPng, renderMarks, renderMarksRgba } from "../../src/render/render.js";
import { runSom } from "../helpers/cli.js";

const W = 160;
const H = 100;

function noiseImage(seed: number) {
  let s = seed;
  const data = new Uint8Array(W * H * 4);
  for (let i = 0; i < data.length; i++) {
    s = (s * 16807) % 2147483647;
    data[i] = i % 4 === 3 ? 255 : s & 255;
  }
  return createRaster(W, H, data);
}

function blob(id: number, cx: number, cy: number, r: number): Region {
  const full = new Uint8Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) if ((x - cx) ** 2 + ((y - cy) * 1.3) ** 2 <= r * r) full[y * W + x] = 1;
  return makeRegion(id, maskFromFull(full, W, H), "test");
}

const regions = [blob(1, 40, 40, 30), blob(2, 110, 55, 38), blob(3, 60, 60, 12), blob(4, 130, 20, 6)];

describe("tintMask", () => {
  it("gives the per-channel formula's bytes, leaves alpha alone, at any byte offset", () => {
    const img = noiseImage(3);
    // Non-opaque alpha too: the word-wise blend must not touch it.
    for (let i = 3; i < img.data.length; i += 8) img.data[i] = (i * 13) & 255;
    const m = regions[1].mask;
    for (const offset of [0, 1]) {
      const buf = new Uint8Array(img.data.length + 4);
      const px = buf.subarray(offset, offset + img.data.length);
      px.set(img.data);
      tintMask(px, W, m, [200, 17, 90], 0.3);
      const a = Math.round(0.3 * 256);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const p = (y * W + x) * 4;
          const inMask =
            x >= m.x && y >= m.y && x < m.x + m.w && y < m.y + m.h && m.data[(y - m.y) * m.w + x - m.x] === 1;
          const c = [200, 17, 90];
          for (let ch = 0; ch < 3; ch++) {
            const want = inMask ? (img.data[p + ch] * (256 - a) + c[ch] * a) >> 8 : img.data[p + ch];
            if (px[p + ch] !== want) expect([x, y, ch, px[p + ch]]).toEqual([x, y, ch, want]);
          }
          expect(px[p + 3]).toBe(img.data[p + 3]);
        }
      }
    }
  });
});

describe("label drawing without a full-size canvas", () => {
  it("gives the same pixels as drawing every label on a full-size canvas", () => {
    const img = noiseImage(9);
    const placed = placeMarks(regions, W, H, { labels: "numeric", fontSize: 16 });
    const opts = { marks: ["number", "mask", "contour"] as const, alpha: 0.3, fontSize: placed.fontSize };
    const rgba = renderMarksRgba(img, placed.marks, { ...opts, marks: [...opts.marks] });
    // Reference: tint + contour without labels, then labels drawn on one full-size canvas as before.
    const base = renderMarksRgba(img, placed.marks, { ...opts, marks: ["mask", "contour"] });
    const canvas = createCanvas(W, H);
    const ctx = canvas.getContext("2d");
    const id = ctx.createImageData(W, H);
    id.data.set(base);
    ctx.putImageData(id, 0, 0);
    ctx.font = labelFont(placed.fontSize);
    ctx.textBaseline = "middle";
    ctx.textAlign = "center";
    for (const mk of placed.marks) {
      const [x, y, w, h] = mk.labelBox;
      ctx.fillStyle = toHex(markColor(mk.id));
      ctx.fillRect(x, y, w, h);
      ctx.fillStyle = toHex(textColorFor(markColor(mk.id)));
      ctx.fillText(mk.label, x + w / 2, y + h / 2 + placed.fontSize * 0.04);
    }
    expect(Buffer.compare(Buffer.from(canvas.data()), Buffer.from(rgba))).toBe(0);
    // renderMarks (canvas API) holds the same pixels.
    const c2 = renderMarks(img, placed.marks, { ...opts, marks: [...opts.marks] });
    expect(Buffer.compare(Buffer.from(c2.data()), Buffer.from(rgba))).toBe(0);
  });
});

describe("PNG level", () => {
  it("is an option: same pixels at every level, smaller files at higher levels, identical bytes run to run", async () => {
    const img = noiseImage(4);
    const sizes: number[] = [];
    let first: Buffer | undefined;
    for (const pngLevel of [0, 1, 6, 9]) {
      const a = await markImage(img, { regions, pngLevel });
      const b = await markImage(img, { regions, pngLevel });
      expect(Buffer.compare(a.png, b.png)).toBe(0);
      const raw = await sharp(a.png).raw().toBuffer();
      first ??= raw;
      expect(Buffer.compare(raw, first)).toBe(0);
      sizes.push(a.png.length);
    }
    expect(sizes[0]).toBeGreaterThan(sizes[1]);
    expect(sizes[3]).toBeLessThanOrEqual(sizes[1]);
    const rgba = new Uint8Array(W * H * 4).fill(255);
    await expect(encodeRgbaPng(rgba, W, H, 10)).rejects.toThrow(/0…9/);
  });

  it("som mark --png-level sets it and rejects bad values", async () => {
    const dir = await mkdtemp(join(tmpdir(), "som-png-"));
    const file = join(dir, "noise.png");
    await sharp(Buffer.from(noiseImage(5).data), { raw: { width: W, height: H, channels: 4 } })
      .png()
      .toFile(file);
    const sizes: number[] = [];
    for (const level of ["0", "9"]) {
      const out = join(dir, `l${level}`);
      const res = await runSom([
        "mark",
        file,
        "--out",
        out,
        "--png-level",
        level,
        "--detector",
        "none",
        "-q",
      ]);
      expect(res.code, res.stderr).toBe(0);
      sizes.push((await stat(join(out, "noise.som.png"))).size);
    }
    expect(sizes[0]).toBeGreaterThan(sizes[1]);
    const bad = await runSom(["mark", file, "--out", join(dir, "bad"), "--png-level", "12"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--png-level must be a whole number 0 to 9/);
  });
});
