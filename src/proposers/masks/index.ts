/**
 * `--masks FILE`: regions supplied by the user instead of proposed. The format is told by the content:
 * PNG bytes are a label map (one channel) or a COCO panoptic PNG (RGB); anything else must be COCO JSON.
 */
import { readFile } from "node:fs/promises";
import { UserError } from "../../errors.js";
import { selectRegions } from "../../pipeline/regions.js";
import { decodePng, type PngSamples } from "../../image/png-index.js";
import type { Region } from "../../regions/region.js";
import type { ProposeOptions, Proposer } from "../proposer.js";
import { type ImageSize, regionsFromCocoJson } from "./coco-json.js";
import { maskFileError } from "./errors.js";
import { regionsFromLabelPng, regionsFromPanopticPng } from "./png-masks.js";
import { describeReadError, loadSegmentsInfo } from "./segments-info.js";

export interface MaskFileOptions {
  /** File name of the image being marked: picks its entry in dataset / multi-image / panoptic JSON. */
  imageFile?: string;
  /** COCO image id, when the file name does not tell it. */
  imageId?: number;
  /** COCO panoptic JSON giving segments_info (category_id, iscrowd) for a panoptic PNG. */
  segmentsInfo?: string;
}

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/**
 * Load the regions of `file` for an image of the given size. Throws UserError (one line, naming the
 * file) when the file is unreadable or invalid, its masks have another size than the image, or it holds
 * no regions. Regions get ids 1..n in file order (label maps: ascending value), source "masks".
 */
export async function loadMaskRegions(
  file: string,
  image: ImageSize,
  opts: MaskFileOptions = {},
): Promise<Region[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw maskFileError(file, describeReadError(err));
  }
  if (bytes.length === 0) throw maskFileError(file, "empty file (0 bytes)");
  let regions: Region[];
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    let png: PngSamples;
    try {
      png = decodePng(bytes);
    } catch (err) {
      throw maskFileError(file, (err as Error).message);
    }
    if (png.channels >= 3) {
      const segments = opts.segmentsInfo
        ? { file: opts.segmentsInfo, list: await loadSegmentsInfo(opts.segmentsInfo, file, opts.imageFile) }
        : undefined;
      regions = regionsFromPanopticPng(png, file, image, segments);
    } else {
      if (opts.segmentsInfo) {
        throw maskFileError(
          file,
          "segments info applies to RGB panoptic PNGs; this is a single-channel label PNG",
        );
      }
      regions = regionsFromLabelPng(png, file, image);
    }
  } else {
    const text = bytes.toString("utf8");
    const first = text.trimStart()[0];
    if (first !== "[" && first !== "{") {
      throw maskFileError(file, "not a masks file (expected a PNG label/panoptic map or COCO JSON)");
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw maskFileError(file, `invalid JSON (${printable((err as Error).message)})`);
    }
    regions = regionsFromCocoJson(json, file, image, opts);
  }
  if (regions.length === 0) throw new UserError(`no regions in ${file}`, "bad_masks");
  return regions;
}

/** A parser message made safe for one terminal line. */
function printable(msg: string): string {
  const clean = msg.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}

/** A Proposer over a masks file, for callers that want the uniform interface. */
export function createMasksProposer(file: string, opts: MaskFileOptions = {}): Proposer {
  return {
    name: "masks",
    async propose(image: ImageSize, options: ProposeOptions = {}): Promise<Region[]> {
      // The same selection as markImage: highest score, then largest, then file order; renumbered 1..n.
      return selectRegions(await loadMaskRegions(file, image, opts), options.maxMarks);
    },
  };
}

export type { ImageSize } from "./coco-json.js";
