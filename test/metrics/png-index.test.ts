import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { decodePng, encodeIndexedPng, singleChannelValues, vocPalette } from "../../src/image/png-index.js";
import { dataset } from "../helpers/datasets.js";

/** A 37×23 RGB test card: no two neighbouring pixels alike, so every filter type gets exercised. */
function card(width = 37, height = 23): Buffer {
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    rgb[i * 3] = (i * 37) & 255;
    rgb[i * 3 + 1] = (i * 11 + (i >> 3)) & 255;
    rgb[i * 3 + 2] = (i * i) & 255;
  }
  return rgb;
}

describe("decodePng", () => {
  it("reads RGB samples exactly, plain and Adam7-interlaced", async () => {
    const rgb = card();
    const raw = { raw: { width: 37, height: 23, channels: 3 as const } };
    for (const progressive of [false, true]) {
      const png = await sharp(rgb, raw).png({ progressive, compressionLevel: 9 }).toBuffer();
      expect(png[28]).toBe(progressive ? 1 : 0); // IHDR interlace method
      const d = decodePng(png);
      expect([d.width, d.height, d.channels, d.colorType, d.bitDepth]).toEqual([37, 23, 3, 2, 8]);
      expect(Buffer.from(d.data as Uint8Array).equals(rgb)).toBe(true);
    }
  });

  it("reads 16-bit samples as 16-bit values", async () => {
    const rgb = card(9, 7);
    const png = await sharp(rgb, { raw: { width: 9, height: 7, channels: 3 } })
      .toColourspace("rgb16")
      .png()
      .toBuffer();
    const d = decodePng(png);
    expect(d.bitDepth).toBe(16);
    expect(d.data).toBeInstanceOf(Uint16Array);
    // sharp widens 8-bit v to v·257, so the high byte gives the original back.
    for (let i = 0; i < rgb.length; i++) expect(d.data[i] >> 8).toBe(rgb[i]);
  });

  it("reads palette indices (not colours) at 1, 2, 4 and 8 bits", () => {
    for (const [colours, depth] of [
      [2, 1],
      [4, 2],
      [16, 4],
      [256, 8],
    ]) {
      const w = 13;
      const h = 5;
      const idx = new Uint8Array(w * h).map((_, i) => (i * 7) % colours);
      const png = packedPalettePng(w, h, idx, depth);
      const d = decodePng(png);
      expect(d.colorType).toBe(3);
      expect(d.bitDepth).toBe(depth);
      expect(Array.from(singleChannelValues(d)!)).toEqual(Array.from(idx));
    }
  });

  it("round-trips indexed PNGs written by encodeIndexedPng, which sharp reads as the VOC colours", async () => {
    const idx = new Uint8Array(20 * 10).map((_, i) => i % 4);
    const png = encodeIndexedPng(20, 10, idx);
    const d = decodePng(png);
    expect(d.colorType).toBe(3);
    expect(Array.from(d.data)).toEqual(Array.from(idx));
    const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    // index 1 is DAVIS red (128,0,0), 2 green (0,128,0), 3 (128,128,0)
    expect([...data.subarray(3, 12)]).toEqual([128, 0, 0, 0, 128, 0, 128, 128, 0]);
    expect([...vocPalette().subarray(0, 12)]).toEqual([0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0]);
  });

  it("matches sharp on a real DAVIS annotation (8-bit grey 0/255)", async () => {
    const file = join(dataset("davis2016", "Annotations", "480p", "blackswan"), "00000.png");
    const bytes = readFileSync(file);
    const d = decodePng(bytes);
    const { data, info } = await sharp(bytes).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect([d.width, d.height]).toEqual([info.width, info.height]);
    expect(Buffer.from(singleChannelValues(d) as Uint8Array).equals(data)).toBe(true);
    expect(new Set(d.data)).toEqual(new Set([0, 255]));
  });

  it("scales 2- and 4-bit grey as Pillow does and rejects non-PNG input", () => {
    const grey = { ...decodePng(encodeIndexedPng(2, 1, new Uint8Array([1, 3]))), colorType: 0, bitDepth: 2 };
    expect(Array.from(singleChannelValues(grey)!)).toEqual([85, 255]);
    expect(() => decodePng(Buffer.from("GIF89a...."))).toThrow(/not a PNG/);
  });
});

/** Hand-packed palette PNG at a low bit depth (sharp cannot be told the exact indices). */
function packedPalettePng(w: number, h: number, idx: Uint8Array, depth: number): Buffer {
  const full = encodeIndexedPng(w, h, idx);
  const perByte = 8 / depth;
  const stride = Math.ceil(w / perByte);
  const rows = Buffer.alloc(h * (stride + 1));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const byte = y * (stride + 1) + 1 + Math.floor(x / perByte);
      rows[byte] |= idx[y * w + x] << (8 - depth * ((x % perByte) + 1));
    }
  }
  // Re-emit with the new IHDR depth and IDAT, patching the encoder's chunks (the decoder skips CRCs).
  const sig = full.subarray(0, 8);
  const ihdr = Buffer.from(full.subarray(8, 8 + 25));
  ihdr[8 + 8] = depth;
  const plte = full.subarray(33, 33 + 12 + 768);
  const body = deflateSync(rows);
  const idat = Buffer.alloc(12 + body.length);
  idat.writeUInt32BE(body.length, 0);
  idat.write("IDAT", 4, "ascii");
  body.copy(idat, 8);
  return Buffer.concat([sig, ihdr, plte, idat]);
}
