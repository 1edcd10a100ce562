import { readFile, stat } from "node:fs/promises";
import sharp from "sharp";
import { UserError } from "../errors.js";
import { createRaster, type RasterImage } from "./raster.js";

/** Default refusal threshold for decompression bombs: 100 megapixels. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

export interface LoadImageOptions {
  /** Refuse images with more pixels than this (decompression-bomb guard). */
  maxPixels?: number;
  /**
   * Keep the alpha channel as decoded (for masks and scribbles drawn on transparency). Default: transparent
   * pixels are put on white, since every marking stage assumes an opaque image.
   */
  keepAlpha?: boolean;
}

export interface LoadedImage extends RasterImage {
  /** Decoder's name for the input format (jpeg, png, webp, …). */
  readonly format: string;
}

/** Read and decode an image file to RGBA, honouring EXIF orientation. Errors are one-line UserErrors. */
export async function loadImage(file: string, options: LoadImageOptions = {}): Promise<LoadedImage> {
  let bytes: Buffer;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new UserError(`${file}: is a directory, not an image`);
    bytes = await readFile(file);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`${file}: no such file`, "not_found");
    if (code === "EACCES") throw new UserError(`${file}: permission denied`);
    throw new UserError(`${file}: cannot read (${(err as Error).message})`);
  }
  try {
    return await decodeImage(bytes, options);
  } catch (err) {
    throw new UserError(`${file}: ${(err as Error).message}`, (err as UserError).code ?? "bad_image");
  }
}

/** Decode image bytes (JPEG, PNG, WebP, GIF, TIFF, AVIF…) to RGBA; errors name the cause, not the file. */
export async function decodeImage(bytes: Uint8Array, options: LoadImageOptions = {}): Promise<LoadedImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.length === 0) throw new UserError("empty file (0 bytes)", "bad_image");
  let format: string;
  let width: number;
  let height: number;
  try {
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    format = meta.format ?? "unknown";
    width = meta.autoOrient?.width ?? meta.width ?? 0;
    height = meta.autoOrient?.height ?? meta.height ?? 0;
  } catch (err) {
    throw new UserError(describeDecodeError(err), "bad_image");
  }
  if (!width || !height) throw new UserError("image has no dimensions", "bad_image");
  if (width * height > maxPixels) {
    throw new UserError(
      `image is ${width}x${height} = ${width * height} pixels, above the limit of ${maxPixels} (raise it with --max-pixels)`,
      "too_large",
    );
  }
  try {
    // failOn "error": truncated or corrupt data is an error, not a half-grey picture.
    let pipeline = sharp(bytes, { failOn: "error", limitInputPixels: maxPixels }).autoOrient();
    // Transparent pixels go on white: every later stage (tint, canvas, PNG without alpha, the model) assumes
    // an opaque image, and a premultiplied canvas would otherwise turn them black.
    if (!options.keepAlpha) pipeline = pipeline.flatten({ background: "#ffffff" });
    const { data, info } = await pipeline
      .toColourspace("srgb") // greyscale, CMYK and 16-bit inputs all come out as 8-bit RGB
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const raster = createRaster(
      info.width,
      info.height,
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
    return { ...raster, format };
  } catch (err) {
    throw new UserError(describeDecodeError(err), "bad_image");
  }
}

function describeDecodeError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/unsupported image format/i.test(msg)) return "not an image, or an unsupported image format";
  if (/premature end|truncated|unexpected end|corrupt|invalid|VipsJpeg|Read error/i.test(msg)) {
    return `corrupt or truncated image (${firstLine(msg)})`;
  }
  return `cannot decode image (${firstLine(msg)})`;
}

function firstLine(s: string): string {
  return s.split("\n")[0].trim();
}
