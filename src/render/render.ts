import { type Canvas, createCanvas, ImageData } from "@napi-rs/canvas";
import sharp from "sharp";
import type { RasterImage } from "../image/raster.js";
import type { PlacedMark } from "../marks/allocate.js";
import { markColor, type Rgb, textColorFor, toHex } from "./colors.js";
import { drawBoxOutline, drawContour, tintMask } from "./draw-masks.js";
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

/**
 * Draw marks over a copy of the image and return the RGBA canvas. Larger regions are painted first so small
 * ones stay visible on top; labels go last, on an opaque box of the mark's colour with black or white text
 * (whichever contrasts more, always ≥ 4.5:1).
 */
export function renderMarks(image: RasterImage, marks: readonly PlacedMark[], options: RenderOptions) {
  const { width, height } = image;
  const rgba = new Uint8Array(image.data);
  const colorOf = options.colorOf ?? markColor;
  const line = options.lineWidth ?? defaultLineWidth(width, height);
  const want = new Set(options.marks);
  const byArea = [...marks].sort((a, b) => b.region.area - a.region.area || a.id - b.id);
  for (const mk of byArea) {
    const color = colorOf(mk.id);
    if (want.has("mask")) tintMask(rgba, width, mk.region.mask, color, options.alpha);
    if (want.has("contour")) drawContour(rgba, width, mk.region.mask, color, line);
    if (want.has("box")) drawBoxOutline(rgba, width, height, mk.region.bbox, color, line);
  }
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer, 0, rgba.length), width, height), 0, 0);
  if (want.has("number")) {
    ensureLabelFont();
    ctx.font = labelFont(options.fontSize);
    ctx.textBaseline = "middle";
    ctx.textAlign = "center";
    for (const mk of marks) {
      const color = colorOf(mk.id);
      const [x, y, w, h] = mk.labelBox;
      ctx.fillStyle = toHex(color);
      ctx.fillRect(x, y, w, h);
      ctx.fillStyle = toHex(textColorFor(color));
      // Glyph boxes of DejaVu sit slightly high at "middle"; nudge down by 4% of the size to centre digits.
      ctx.fillText(mk.label, x + w / 2, y + h / 2 + options.fontSize * 0.04);
    }
  }
  return canvas;
}

/** Render and encode as PNG. */
export async function renderMarksPng(
  image: RasterImage,
  marks: readonly PlacedMark[],
  options: RenderOptions,
): Promise<Buffer> {
  return encodeCanvasPng(renderMarks(image, marks, options));
}

/**
 * PNG-encode an opaque canvas. sharp (libspng + zlib-ng) is about 4× faster than skia's encoder here, and
 * dropping the constant alpha channel makes the file smaller. Premultiplication is moot: alpha is 255.
 */
export async function encodeCanvasPng(canvas: Canvas): Promise<Buffer> {
  const rgba = canvas.data();
  return sharp(rgba, { raw: { width: canvas.width, height: canvas.height, channels: 4 } })
    .removeAlpha()
    .png({ compressionLevel: 6 })
    .toBuffer();
}
