import { type Canvas, createCanvas, ImageData } from "@napi-rs/canvas";
import sharp from "sharp";
import type { RasterImage } from "../image/raster.js";
import type { PlacedMark } from "../marks/allocate.js";
import { markColor, type Rgb, textColorFor, toHex } from "./colors.js";
import { drawBoxOutline, drawContour, tintMasksOnce } from "./draw-masks.js";
import { ensureLabelFont, labelFont } from "./font.js";

/** What to draw for each mark; any combination. "number" draws the label (digits or letters). */
export type MarkType = "number" | "mask" | "contour" | "box";
export const MARK_TYPES: readonly MarkType[] = ["number", "mask", "contour", "box"];

export interface RenderOptions {
  marks: readonly MarkType[];
  /** Mask tint opacity, 0…1. */
  alpha: number;
  fontSize: number;
  /** Contour and box line width in pixels; default grows with the image. */
  lineWidth?: number;
  /** Colour per mark id; default markColor. */
  colorOf?: (id: number) => Rgb;
}

export function defaultLineWidth(width: number, height: number): number {
  return Math.max(1, Math.round(Math.min(width, height) / 400));
}

/** Default zlib level of the marked PNG: 1 is OpenCV's default too (level 6 makes files ~1/3 smaller at ~3× the time). */
export const DEFAULT_PNG_LEVEL = 1;

/**
 * Draw marks over a copy of the image and return the RGBA pixels (opaque: the input's alpha is kept as it is).
 * Tints first, each pixel at most once in the colour of the smallest region covering it (so the photo is never
 * under more than `alpha` of tint); then contours and boxes, larger regions first so small ones stay on top
 * (the outlines carry the nesting); labels go last, on an opaque box of the mark's colour with black or white
 * text (whichever contrasts more, always ≥ 4.5:1). Besides the copy of the image, the temporaries are one
 * byte per pixel (which pixels are tinted), one label-sized canvas and per-mask row runs.
 */
export function renderMarksRgba(
  image: RasterImage,
  marks: readonly PlacedMark[],
  options: RenderOptions,
): Uint8Array {
  const { width, height } = image;
  const rgba = new Uint8Array(image.data);
  const colorOf = options.colorOf ?? markColor;
  const line = options.lineWidth ?? defaultLineWidth(width, height);
  const want = new Set(options.marks);
  const byArea = [...marks].sort((a, b) => b.region.area - a.region.area || a.id - b.id);
  if (want.has("mask")) {
    const smallestFirst = byArea.map((mk) => ({ mask: mk.region.mask, color: colorOf(mk.id) })).reverse();
    tintMasksOnce(rgba, width, height, smallestFirst, options.alpha);
  }
  for (const mk of byArea) {
    const color = colorOf(mk.id);
    if (want.has("contour")) drawContour(rgba, width, mk.region.mask, color, line);
    if (want.has("box")) drawBoxOutline(rgba, width, height, mk.region.bbox, color, line);
  }
  if (want.has("number")) drawLabels(rgba, width, height, marks, options.fontSize, colorOf);
  return rgba;
}

/**
 * Labels are drawn on one atlas canvas, packed in rows (box fill, then the text centred in it), read back in
 * one call and copied into the image: the same pixels as drawing them on a full-size canvas, since each box is
 * opaque and its text sits at the same sub-pixel offset, without a full-size canvas and its full-size copies.
 */
function drawLabels(
  rgba: Uint8Array,
  width: number,
  height: number,
  marks: readonly PlacedMark[],
  fontSize: number,
  colorOf: (id: number) => Rgb,
): void {
  if (marks.length === 0) return;
  // Shelf packing: rows of label boxes, 1 px apart (text never spills into a neighbour's box).
  const ATLAS_W = 2048;
  const at: number[] = [];
  let x = 0;
  let y = 0;
  let rowH = 0;
  let right = 1;
  for (const mk of marks) {
    const [, , w, h] = mk.labelBox;
    if (x > 0 && x + w > ATLAS_W) {
      x = 0;
      y += rowH + 1;
      rowH = 0;
    }
    at.push(x, y);
    right = Math.max(right, x + w);
    x += w + 1;
    rowH = Math.max(rowH, h);
  }
  ensureLabelFont();
  const canvas = createCanvas(right, Math.max(1, y + rowH));
  const ctx = canvas.getContext("2d");
  ctx.font = labelFont(fontSize);
  ctx.textBaseline = "middle";
  ctx.textAlign = "center";
  for (const [i, mk] of marks.entries()) {
    const color = colorOf(mk.id);
    const [, , w, h] = mk.labelBox;
    const ax = at[2 * i];
    const ay = at[2 * i + 1];
    ctx.fillStyle = toHex(color);
    ctx.fillRect(ax, ay, w, h);
    ctx.fillStyle = toHex(textColorFor(color));
    // Glyph boxes of DejaVu sit slightly high at "middle"; nudge down by 4% of the size to centre digits.
    ctx.fillText(mk.label, ax + w / 2, ay + h / 2 + fontSize * 0.04);
  }
  // Opaque pixels: straight and premultiplied alpha agree.
  const atlas = canvas.data();
  const stride = canvas.width * 4;
  for (const [i, mk] of marks.entries()) {
    const [lx, ly, w, h] = mk.labelBox;
    // Clip to the image (labels always lie inside it).
    const x0 = Math.max(0, lx);
    const y0 = Math.max(0, ly);
    const x1 = Math.min(width, lx + w);
    const y1 = Math.min(height, ly + h);
    const ax = at[2 * i] + (x0 - lx);
    const ay = at[2 * i + 1] + (y0 - ly);
    for (let yy = y0; yy < y1; yy++) {
      const src = (ay + yy - y0) * stride + ax * 4;
      rgba.set(atlas.subarray(src, src + (x1 - x0) * 4), (yy * width + x0) * 4);
    }
  }
}

/** Draw marks over a copy of the image and return it as a canvas (for callers that draw more on it). */
export function renderMarks(
  image: RasterImage,
  marks: readonly PlacedMark[],
  options: RenderOptions,
): Canvas {
  const rgba = renderMarksRgba(image, marks, options);
  const canvas = createCanvas(image.width, image.height);
  canvas
    .getContext("2d")
    .putImageData(
      new ImageData(
        new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length),
        image.width,
        image.height,
      ),
      0,
      0,
    );
  return canvas;
}

/** Render and encode as PNG (zlib level `pngLevel`, default DEFAULT_PNG_LEVEL). */
export async function renderMarksPng(
  image: RasterImage,
  marks: readonly PlacedMark[],
  options: RenderOptions & { pngLevel?: number },
): Promise<Buffer> {
  return encodeRgbaPng(renderMarksRgba(image, marks, options), image.width, image.height, options.pngLevel);
}

/**
 * PNG-encode opaque RGBA pixels as RGB (the constant alpha channel dropped) with sharp (libspng + zlib-ng),
 * about 4× faster than skia's encoder. `level` is the zlib level 0…9. The bytes depend only on the pixels and
 * the level (no timestamps or other metadata), so they are identical run to run.
 */
export async function encodeRgbaPng(
  rgba: Uint8Array,
  width: number,
  height: number,
  level: number = DEFAULT_PNG_LEVEL,
): Promise<Buffer> {
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new RangeError(`PNG level must be a whole number 0…9, got ${level}`);
  }
  return sharp(rgba, { raw: { width, height, channels: 4 } })
    .removeAlpha()
    .png({ compressionLevel: level })
    .toBuffer();
}

/** PNG-encode an opaque canvas (see encodeRgbaPng). `canvas.data()` is premultiplied: moot at alpha 255. */
export async function encodeCanvasPng(canvas: Canvas, level: number = DEFAULT_PNG_LEVEL): Promise<Buffer> {
  return encodeRgbaPng(canvas.data(), canvas.width, canvas.height, level);
}
