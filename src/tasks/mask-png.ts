import sharp from "sharp";
import type { Region } from "../regions/region.js";

/** A single-channel PNG: 255 inside any of the regions, 0 elsewhere. */
export function encodeMaskPng(regions: readonly Region[], width: number, height: number): Promise<Buffer> {
  const grey = new Uint8Array(width * height);
  for (const r of regions) paint(grey, r, width, 255);
  return greyPng(grey, width, height);
}

/**
 * A label PNG: each region's pixels set to its value (8-bit when every value fits, else 16-bit); later
 * regions paint over earlier ones. Values are stored as grey levels, readable as indices by PIL/numpy.
 */
export function encodeLabelPng(
  entries: readonly { region: Region; value: number }[],
  width: number,
  height: number,
): Promise<Buffer> {
  const wide = entries.some((e) => e.value > 255);
  const labels = wide ? new Uint16Array(width * height) : new Uint8Array(width * height);
  for (const e of entries) paint(labels, e.region, width, e.value);
  if (!wide) return greyPng(labels as Uint8Array, width, height);
  return sharp(Buffer.from(labels.buffer), { raw: { width, height, channels: 1, premultiplied: false } })
    .toColourspace("grey16")
    .png()
    .toBuffer();
}

function paint(target: Uint8Array | Uint16Array, r: Region, width: number, value: number): void {
  const m = r.mask;
  for (let y = 0; y < m.h; y++) {
    const row = (m.y + y) * width + m.x;
    for (let x = 0; x < m.w; x++) if (m.data[y * m.w + x]) target[row + x] = value;
  }
}

function greyPng(grey: Uint8Array, width: number, height: number): Promise<Buffer> {
  // Without b-w, sharp writes one-channel input as RGB.
  return sharp(grey, { raw: { width, height, channels: 1 } })
    .toColourspace("b-w")
    .png()
    .toBuffer();
}
