import sharp from "sharp";
import type { RasterImage } from "../image/raster.js";
import { type DrawStyle, drawMarks } from "../pipeline/mark.js";
import type { Region } from "../regions/region.js";

/** Label style, mark types, tint and font size (default: follows the size of the image drawn on). */
export type MarkStyle = Omit<DrawStyle, "lineWidth">;

/**
 * Draw these regions' marks (labels from their ids, so a subset keeps its numbers) over the image, PNG.
 * Used for the image sent to the model (one group at a time) and for the answer image.
 */
export async function renderRegions(
  image: RasterImage,
  regions: readonly Region[],
  style: MarkStyle,
): Promise<Buffer> {
  if (regions.length === 0) return rasterPng(image);
  return (await drawMarks(image, regions, style)).png;
}

export function rasterPng(image: RasterImage): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } })
    .png()
    .toBuffer();
}

/** Resize an RGBA raster (Lanczos), for sending within a provider's limits. */
export async function resizeRaster(image: RasterImage, width: number, height: number): Promise<RasterImage> {
  if (width === image.width && height === image.height) return image;
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } })
    .resize(width, height, { fit: "fill", kernel: "lanczos3" })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
