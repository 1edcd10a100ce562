/**
 * `som metrics panoptic`: panopticapi's pq_compute over COCO panoptic files (JSON + PNG folders).
 * The per-category IoU sums run over images in ground-truth order, as a single-process panopticapi run
 * adds them (its multi-process run adds per-process partial sums, which can move the last bit).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { decodePng } from "../image/png-index.js";
import { readJsonFile } from "./json-input.js";
import {
  addImage,
  type CategoryInfo,
  type PqClass,
  type PqGroup,
  type PqStat,
  pqAverage,
  type SegmentInfo,
} from "./pq-stat.js";

export interface PanopticReport {
  All: PqGroup | null;
  Things: PqGroup | null;
  Stuff: PqGroup | null;
  per_class: Record<string, PqClass>;
}

export interface PanopticOptions {
  gtJson: string;
  gtFolder: string;
  predJson: string;
  predFolder: string;
}

interface PanopticAnnotation {
  image_id: unknown;
  file_name: string;
  segments_info: SegmentInfo[];
}

interface PanopticJson {
  annotations: PanopticAnnotation[];
  categories?: CategoryInfo[];
}

export async function evaluatePanoptic(options: PanopticOptions): Promise<PanopticReport> {
  const gt = checkPanopticJson(await readJsonFile(options.gtJson), options.gtJson, true);
  const pred = checkPanopticJson(await readJsonFile(options.predJson), options.predJson, false);
  // Python dict semantics: a repeated id keeps its first position and its last value.
  const categoryMap = new Map<number | string, CategoryInfo>();
  for (const c of gt.categories ?? []) categoryMap.set(c.id, c);
  const categories = [...categoryMap.values()];
  const predByImage = new Map<unknown, PanopticAnnotation>();
  for (const a of pred.annotations) predByImage.set(a.image_id, a);

  const pq: PqStat = new Map();
  for (const gtAnn of gt.annotations) {
    const predAnn = predByImage.get(gtAnn.image_id);
    if (!predAnn) {
      throw new UserError(`${options.predJson}: no prediction for image_id ${String(gtAnn.image_id)}`);
    }
    const gtPng = await readSegmentIds(join(options.gtFolder, gtAnn.file_name), gtAnn.image_id);
    const predPng = await readSegmentIds(join(options.predFolder, predAnn.file_name), gtAnn.image_id);
    if (gtPng.width !== predPng.width || gtPng.height !== predPng.height) {
      throw new UserError(
        `${join(options.predFolder, predAnn.file_name)}: image_id ${String(gtAnn.image_id)} is ` +
          `${predPng.width}x${predPng.height}, ground truth is ${gtPng.width}x${gtPng.height}`,
      );
    }
    try {
      addImage(
        pq,
        {
          imageId: gtAnn.image_id,
          gtSegments: gtAnn.segments_info,
          predSegments: predAnn.segments_info,
          gtIds: gtPng.ids,
          predIds: predPng.ids,
        },
        categoryMap,
      );
    } catch (err) {
      if (err instanceof UserError) throw new UserError(`${options.predJson}: ${err.message}`, err.code);
      throw err;
    }
  }

  const all = pqAverage(pq, categories, undefined);
  const per_class: Record<string, PqClass> = {};
  for (const [id, v] of all.perClass) per_class[String(id)] = v;
  return {
    All: all.group,
    Things: pqAverage(pq, categories, true).group,
    Stuff: pqAverage(pq, categories, false).group,
    per_class,
  };
}

function checkPanopticJson(value: unknown, file: string, isGt: boolean): PanopticJson {
  const json = value as PanopticJson;
  if (typeof json !== "object" || json === null || !Array.isArray(json.annotations)) {
    throw new UserError(`${file}: expected a COCO panoptic JSON with an "annotations" list`);
  }
  if (isGt && !Array.isArray(json.categories)) {
    throw new UserError(`${file}: expected a "categories" list in the ground-truth JSON`);
  }
  for (const [k, c] of (isGt ? (json.categories ?? []) : []).entries()) {
    if (typeof c !== "object" || c === null || (typeof c.id !== "number" && typeof c.id !== "string")) {
      throw new UserError(`${file}: category ${k} has no id`);
    }
  }
  for (const [k, a] of json.annotations.entries()) {
    const where = `${file}: annotation ${k} (image_id ${String(a?.image_id)})`;
    if (typeof a !== "object" || a === null || a.image_id === undefined)
      throw new UserError(`${where}: no image_id`);
    if (typeof a.file_name !== "string") throw new UserError(`${where}: no file_name`);
    if (!Array.isArray(a.segments_info)) throw new UserError(`${where}: no segments_info list`);
    for (const s of a.segments_info) {
      if (typeof s !== "object" || s === null || typeof s.id !== "number") {
        throw new UserError(`${where}: a segment has no numeric id`);
      }
      if (s.category_id === undefined) throw new UserError(`${where}: segment ${s.id} has no category_id`);
      if (isGt && typeof s.area !== "number") throw new UserError(`${where}: segment ${s.id} has no area`);
    }
  }
  return json;
}

/** Segment id per pixel (R + 256·G + 65536·B) of an RGB(A) panoptic PNG. */
async function readSegmentIds(
  file: string,
  imageId: unknown,
): Promise<{ width: number; height: number; ids: Uint32Array }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw new UserError(`${file}: missing PNG of image_id ${String(imageId)}`, "not_found");
  }
  let png: ReturnType<typeof decodePng>;
  try {
    png = decodePng(bytes);
  } catch (err) {
    throw new UserError(`${file}: ${(err as Error).message}`);
  }
  if (png.colorType !== 2 && png.colorType !== 6) {
    throw new UserError(`${file}: panoptic PNGs must be RGB (segment id = R + 256·G + 65536·B)`);
  }
  const n = png.width * png.height;
  const ids = new Uint32Array(n);
  const c = png.channels;
  // 16-bit samples keep their high byte, as Pillow reads them.
  const shift = png.bitDepth === 16 ? 8 : 0;
  for (let i = 0; i < n; i++) {
    const r = png.data[i * c] >> shift;
    const g = png.data[i * c + 1] >> shift;
    const b = png.data[i * c + 2] >> shift;
    ids[i] = r + 256 * g + 65536 * b;
  }
  return { width: png.width, height: png.height, ids };
}
