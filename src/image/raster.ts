/** A decoded image: 8-bit RGBA, row-major, no premultiplication. The currency between pipeline stages. */
export interface RasterImage {
  readonly width: number;
  readonly height: number;
  /** width * height * 4 bytes */
  readonly data: Uint8Array;
}

export function createRaster(width: number, height: number, data?: Uint8Array): RasterImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`invalid image size ${width}x${height}`);
  }
  const bytes = data ?? new Uint8Array(width * height * 4);
  if (bytes.length !== width * height * 4) {
    throw new RangeError(`RGBA buffer of ${bytes.length} bytes does not match ${width}x${height}`);
  }
  return { width, height, data: bytes };
}
