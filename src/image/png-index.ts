/**
 * A small PNG codec that returns the stored samples untouched: palette indices for indexed images, raw
 * grey or colour values otherwise, with no colour management. Evaluation ground truth depends on it:
 * DAVIS annotations are palette PNGs whose palette INDEX is the object id, and sharp would expand the
 * palette to colours. COCO panoptic PNGs are read through it too, so ICC profiles can never alter ids.
 */
import { readFile } from "node:fs/promises";
import { deflateSync, inflateSync } from "node:zlib";

export interface PngSamples {
  readonly width: number;
  readonly height: number;
  /** PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  readonly colorType: number;
  readonly bitDepth: number;
  /** Samples per pixel: 1, 3, 1, 2 or 4 for the colour types above. */
  readonly channels: number;
  /** width*height*channels samples, row-major, interleaved; palette images hold indices. */
  readonly data: Uint8Array | Uint16Array;
  /** RGB triples of the PLTE chunk, when present. */
  readonly palette?: Uint8Array;
}

/** Refuse absurd sizes (decompression bombs) before allocating. */
const MAX_PIXELS = 2 ** 29;
const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7: ReadonlyArray<readonly [number, number, number, number]> = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/** Decode PNG bytes; throws Error with a short cause (callers add the file name). */
export function decodePng(bytes: Uint8Array): PngSamples {
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== SIGNATURE[i]) throw new Error("not a PNG file");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = -1;
  let interlace = 0;
  let palette: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  while (pos + 8 <= bytes.length) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
    const start = pos + 8;
    if (start + length > bytes.length) throw new Error(`truncated PNG (${type} chunk)`);
    const body = bytes.subarray(start, start + length);
    if (type === "IHDR") {
      width = view.getUint32(start);
      height = view.getUint32(start + 4);
      bitDepth = body[8];
      colorType = body[9];
      interlace = body[12];
    } else if (type === "PLTE") {
      palette = body.slice();
    } else if (type === "IDAT") {
      idat.push(body);
    } else if (type === "IEND") {
      break;
    }
    pos = start + length + 4;
  }
  const channels = CHANNELS[colorType];
  if (channels === undefined || width <= 0 || height <= 0) throw new Error("PNG has no valid IHDR");
  if (width * height > MAX_PIXELS) throw new Error(`PNG of ${width}x${height} pixels is too large`);
  const validDepths = colorType === 0 ? [1, 2, 4, 8, 16] : colorType === 3 ? [1, 2, 4, 8] : [8, 16];
  if (!validDepths.includes(bitDepth)) throw new Error(`unsupported PNG bit depth ${bitDepth}`);
  if (idat.length === 0) throw new Error("PNG has no image data");
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch {
    throw new Error("corrupt PNG image data");
  }
  const data =
    bitDepth === 16 ? new Uint16Array(width * height * channels) : new Uint8Array(width * height * channels);
  const bitsPerPixel = channels * bitDepth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  let offset = 0;
  const passes = interlace === 1 ? ADAM7 : [[0, 0, 1, 1] as const];
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const stride = Math.ceil((pw * bitsPerPixel) / 8);
    let prev: Uint8Array = new Uint8Array(stride);
    for (let r = 0; r < ph; r++) {
      if (offset + 1 + stride > raw.length) throw new Error("truncated PNG image data");
      const line = unfilter(raw[offset], raw.subarray(offset + 1, offset + 1 + stride), prev, bpp);
      offset += 1 + stride;
      const y = y0 + r * dy;
      for (let c = 0; c < pw; c++) {
        const dst = (y * width + x0 + c * dx) * channels;
        for (let k = 0; k < channels; k++) data[dst + k] = sample(line, c * channels + k, bitDepth);
      }
      prev = line;
    }
  }
  return { width, height, colorType, bitDepth, channels, data, palette };
}

function unfilter(filter: number, src: Uint8Array, prev: Uint8Array, bpp: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const a = i >= bpp ? out[i - bpp] : 0;
    const b = prev[i];
    const c = i >= bpp ? prev[i - bpp] : 0;
    let pred: number;
    switch (filter) {
      case 0:
        pred = 0;
        break;
      case 1:
        pred = a;
        break;
      case 2:
        pred = b;
        break;
      case 3:
        pred = (a + b) >> 1;
        break;
      case 4: {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        break;
      }
      default:
        throw new Error(`bad PNG filter type ${filter}`);
    }
    out[i] = (src[i] + pred) & 0xff;
  }
  return out;
}

function sample(line: Uint8Array, index: number, depth: number): number {
  if (depth === 8) return line[index];
  if (depth === 16) return (line[index * 2] << 8) | line[index * 2 + 1];
  const perByte = 8 / depth;
  const byte = line[Math.floor(index / perByte)];
  const shift = 8 - depth * ((index % perByte) + 1);
  return (byte >> shift) & ((1 << depth) - 1);
}

export async function readPng(file: string): Promise<PngSamples> {
  return decodePng(await readFile(file));
}

/**
 * One value per pixel, as Pillow's `np.array(Image.open(f))` gives it for single-channel PNGs (what the
 * official evaluators read): palette index, grey value (2- and 4-bit grey scaled to 0..255 as Pillow
 * does, 1-bit grey as 0/1). Returns undefined for images with colour or alpha channels.
 */
export function singleChannelValues(png: PngSamples): Uint8Array | Uint16Array | undefined {
  if (png.channels !== 1) return undefined;
  if (png.colorType === 0 && (png.bitDepth === 2 || png.bitDepth === 4)) {
    const scale = png.bitDepth === 2 ? 85 : 17;
    return png.data.map((v) => v * scale);
  }
  return png.data;
}

/** Options of {@link encodeIndexedPng}. */
export interface IndexedPngOptions {
  /** RGB triples; defaults to the PASCAL VOC / DAVIS colour map. */
  palette?: Uint8Array;
}

/** Encode 8-bit palette indices (one byte per pixel) as an indexed PNG, the format DAVIS tools expect. */
export function encodeIndexedPng(
  width: number,
  height: number,
  indices: Uint8Array,
  options: IndexedPngOptions = {},
): Buffer {
  if (indices.length !== width * height) throw new RangeError("index buffer does not match image size");
  const palette = options.palette ?? vocPalette();
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 3;
  const rows = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) {
    rows.set(indices.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from(SIGNATURE),
    chunk("IHDR", ihdr),
    chunk("PLTE", Buffer.from(palette)),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The 256-colour PASCAL VOC colour map that DAVIS annotations use (index 1 red, 2 green, ...). */
export function vocPalette(): Uint8Array {
  const out = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let c = i;
    for (let j = 0; j < 8; j++) {
      r |= ((c >> 0) & 1) << (7 - j);
      g |= ((c >> 1) & 1) << (7 - j);
      b |= ((c >> 2) & 1) << (7 - j);
      c >>= 3;
    }
    out.set([r, g, b], i * 3);
  }
  return out;
}

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

let crcTable: Uint32Array | undefined;

function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
