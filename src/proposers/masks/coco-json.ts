/**
 * Regions from COCO JSON: a results-style array `[{segmentation, score?, category_id?, ...}]`, or a
 * dataset file `{images, annotations}` from which the annotations of the matching image are taken.
 * Segmentations may be compressed RLE, uncompressed RLE, polygons, or absent with a `bbox` (a box mask).
 */
import path from "node:path";
import type { Mask } from "../../regions/mask.js";
import { makeRegion, type Region } from "../../regions/region.js";
import { bboxToCounts, countsToMask, decodeRle, mergeCounts, polygonToCounts } from "../../regions/rle.js";
import { maskFileError, sizeMismatch } from "./errors.js";

export interface ImageSize {
  width: number;
  height: number;
}

export interface CocoJsonOptions {
  /** File name of the image being marked; picks the image in a dataset JSON or a multi-image results file. */
  imageFile?: string;
  /** COCO image id; overrides the file-name match. */
  imageId?: number;
}

/** Fields recomputed from the mask, or the mask itself: not carried into `extra`. */
const OWN_FIELDS = new Set(["segmentation", "score", "bbox", "area"]);
/** Manifest mark fields that a carried-over field must not shadow; kept under a `coco_` prefix instead. */
const RESERVED = new Set(["id", "label", "anchor", "labelBox", "color", "source"]);

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function regionsFromCocoJson(
  json: unknown,
  file: string,
  image: ImageSize,
  opts: CocoJsonOptions = {},
): Region[] {
  let entries: unknown[];
  if (Array.isArray(json)) {
    entries = pickResultsForImage(json, file, opts);
  } else if (isObject(json) && Array.isArray(json.annotations) && Array.isArray(json.images)) {
    entries = pickDatasetAnnotations(json, file, image, opts);
  } else if (isObject(json) && Array.isArray(json.annotations)) {
    throw maskFileError(
      file,
      "has `annotations` but no `images` list; expected a COCO dataset or results JSON",
    );
  } else {
    throw maskFileError(file, "not a COCO results array or COCO dataset JSON ({images, annotations})");
  }
  const regions: Region[] = [];
  entries.forEach((entry, i) => {
    if (!isObject(entry)) throw maskFileError(file, `entry #${i} is not an object`);
    const mask = segmentationToMask(entry, file, i, image);
    if (mask.w === 0) return; // nothing to mark
    let score = 1;
    if (entry.score !== undefined) {
      if (typeof entry.score !== "number" || !Number.isFinite(entry.score)) {
        throw maskFileError(file, `entry #${i}: score ${JSON.stringify(entry.score)} is not a number`);
      }
      score = entry.score;
    }
    const extra: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entry)) {
      if (!OWN_FIELDS.has(k)) extra[k === "id" ? "annotation_id" : RESERVED.has(k) ? `coco_${k}` : k] = v;
    }
    regions.push(
      makeRegion(regions.length + 1, mask, "masks", score, Object.keys(extra).length ? extra : undefined),
    );
  });
  return regions;
}

/** A results file may cover many images: keep those of ours (by id, or by a numeric COCO file stem). */
function pickResultsForImage(entries: unknown[], file: string, opts: CocoJsonOptions): unknown[] {
  const ids = new Set<unknown>();
  for (const e of entries) if (isObject(e) && e.image_id !== undefined) ids.add(e.image_id);
  let wanted: number | undefined = opts.imageId;
  if (wanted === undefined) {
    if (ids.size <= 1) return entries;
    const stem = opts.imageFile ? path.parse(opts.imageFile).name : "";
    if (!/^\d+$/.test(stem)) {
      throw maskFileError(
        file,
        `holds results for ${ids.size} images (image_id ${[...ids].slice(0, 5).join(", ")}${ids.size > 5 ? ", ..." : ""}) and cannot tell which is ${opts.imageFile ?? "this image"}`,
      );
    }
    wanted = Number(stem);
  }
  const picked = entries.filter((e) => isObject(e) && e.image_id === wanted);
  if (picked.length === 0 && ids.size > 0) {
    throw maskFileError(file, `no results with image_id ${wanted} (${opts.imageFile ?? "this image"})`);
  }
  return picked.length ? picked : entries;
}

function pickDatasetAnnotations(
  json: Json,
  file: string,
  image: ImageSize,
  opts: CocoJsonOptions,
): unknown[] {
  const images = (json.images as unknown[]).filter(isObject);
  let img: Json | undefined;
  if (opts.imageId !== undefined) {
    img = images.find((im) => im.id === opts.imageId);
    if (!img) throw maskFileError(file, `no image with id ${opts.imageId} in its ${images.length} images`);
  } else if (opts.imageFile) {
    const base = path.basename(opts.imageFile);
    const stem = path.parse(base).name;
    img =
      images.find((im) => typeof im.file_name === "string" && path.basename(im.file_name) === base) ??
      images.find((im) => typeof im.file_name === "string" && path.parse(im.file_name).name === stem);
    if (!img) {
      const examples = images
        .slice(0, 3)
        .map((im) => im.file_name)
        .join(", ");
      throw maskFileError(
        file,
        `no image with file_name ${base} among its ${images.length} images${examples ? ` (e.g. ${examples})` : ""}`,
      );
    }
  } else if (images.length === 1) {
    img = images[0];
  } else {
    throw maskFileError(
      file,
      `is a COCO dataset of ${images.length} images; the image file name is needed to pick one`,
    );
  }
  if (
    typeof img.width === "number" &&
    typeof img.height === "number" &&
    (img.width !== image.width || img.height !== image.height)
  ) {
    throw sizeMismatch(file, img.width, img.height, image);
  }
  const anns = (json.annotations as unknown[]).filter((a) => isObject(a) && a.image_id === img.id);
  if (anns.length > 0 && anns.every((a) => isObject(a) && a.segments_info !== undefined)) {
    throw maskFileError(
      file,
      "is a COCO panoptic JSON: pass the panoptic PNG as --masks and this file as --segments-info",
    );
  }
  return anns;
}

function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((n) => typeof n === "number" && Number.isFinite(n));
}

function segmentationToMask(entry: Json, file: string, i: number, image: ImageSize): Mask {
  const { width, height } = image;
  const seg = entry.segmentation;
  const where = `entry #${i}`;
  if (seg === undefined || seg === null) {
    if (isNumberArray(entry.bbox) && entry.bbox.length === 4) {
      return countsToMask(bboxToCounts(entry.bbox, height, width), height, width);
    }
    throw maskFileError(file, `${where} has no segmentation (nor bbox)`);
  }
  if (isObject(seg)) {
    const size = seg.size;
    if (!Array.isArray(size) || size.length !== 2) {
      throw maskFileError(file, `${where}: RLE segmentation without a valid size [height, width]`);
    }
    if (size[0] !== height || size[1] !== width) throw sizeMismatch(file, size[1], size[0], image);
    try {
      return decodeRle(seg as { size: [number, number]; counts: string });
    } catch (err) {
      throw maskFileError(file, `${where}: ${(err as Error).message}`);
    }
  }
  if (Array.isArray(seg)) {
    // A single flat polygon is accepted as well as the usual list of polygons.
    const polys = isNumberArray(seg) ? [seg] : seg;
    const counts: number[][] = [];
    for (const p of polys) {
      if (!isNumberArray(p) || p.length % 2 !== 0) {
        throw maskFileError(file, `${where}: polygon is not a flat list of x,y numbers`);
      }
      counts.push(polygonToCounts(p, height, width));
    }
    if (counts.length === 0) return countsToMask([width * height], height, width);
    return countsToMask(mergeCounts(counts), height, width);
  }
  throw maskFileError(file, `${where}: segmentation is neither RLE nor polygons`);
}
