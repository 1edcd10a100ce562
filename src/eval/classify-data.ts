/**
 * Data for `som eval classify`: COCO panoptic layout (also ADE20K panoptic converted to it, as Mask2Former's
 * scripts write it) and the ADE20K full format (per-image JSON with one mask PNG per object, mapped to the
 * 150 SceneParsing classes by name). Each image gives its pixels, a segment-id map and its segments.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { UserError } from "../errors.js";
import { decodePng, singleChannelValues } from "../image/png-index.js";
import { loadImage } from "../image/load.js";
import type { RasterImage } from "../image/raster.js";
import type { CategoryInfo, SegmentInfo } from "../metrics/pq-stat.js";
import { ADE20K } from "../prompts/vocab/ade20k.js";
import { COCO_PANOPTIC } from "../prompts/vocab/coco-panoptic.js";
import type { Vocabulary, VocabularyEntry } from "../prompts/vocab/types.js";
import { panopticIds } from "../proposers/masks/png-masks.js";

export interface ClassifySample {
  id: string;
  imageFile: string;
  /** Panoptic layout: the GT PNG and its segments; ADE20K full format: the per-image JSON. */
  gtFile: string;
  imageId: unknown;
  segments?: SegmentInfo[];
}

export interface ClassifyGt {
  image: RasterImage;
  /** Segment id per pixel (0 = void). */
  ids: Uint32Array;
  segments: SegmentInfo[];
}

export interface ClassifyDataset {
  spec: string;
  samples: ClassifySample[];
  categories: (CategoryInfo & { name: string })[];
  /** Names shown to the model; entry ids are the data set's category ids. */
  vocabulary: Vocabulary;
  load(sample: ClassifySample, maxPixels?: number): Promise<ClassifyGt>;
}

export interface ClassifyDataOptions {
  /** Override the panoptic JSON, PNG folder and image folder found in the data set folder. */
  gtJson?: string;
  gtFolder?: string;
  images?: string;
}

/** `coco-panoptic:DIR`, `ade20k-panoptic:DIR` (panoptic layout) or `ade20k:DIR` (ADE20K full format). */
export async function loadClassifyDataset(
  spec: string,
  o: ClassifyDataOptions = {},
): Promise<ClassifyDataset> {
  const i = spec.indexOf(":");
  const kind = i < 0 ? "" : spec.slice(0, i);
  const dir = spec.slice(i + 1);
  if (kind === "coco-panoptic" || kind === "ade20k-panoptic" || kind === "panoptic") {
    return loadPanopticLayout(spec, dir, o);
  }
  if (kind === "ade20k") return loadAdeFull(spec, dir);
  throw new UserError(
    `--dataset must be coco-panoptic:DIR, ade20k-panoptic:DIR or ade20k:DIR (ADE20K full format), got "${spec}"`,
  );
}

async function isDir(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function firstDir(candidates: string[], what: string): Promise<string> {
  for (const c of candidates) if (await isDir(c)) return c;
  throw new UserError(`${what} not found (looked for ${candidates.join(", ")})`, "not_found");
}

interface PanopticGtJson {
  images?: { id: unknown; file_name: string }[];
  annotations: { image_id: unknown; file_name: string; segments_info: SegmentInfo[] }[];
  categories: { id: number; name: string; isthing?: number }[];
}

async function loadPanopticLayout(
  spec: string,
  dir: string,
  o: ClassifyDataOptions,
): Promise<ClassifyDataset> {
  if (!(await isDir(dir))) throw new UserError(`${dir}: data set folder not found`, "not_found");
  let gtJson = o.gtJson;
  if (!gtJson) {
    const names = (await readdir(dir)).filter((f) => /panoptic.*\.json$/.test(f)).sort();
    if (names.length === 0) throw new UserError(`${dir}: no panoptic JSON (panoptic_*.json); give --gt-json`);
    gtJson = join(dir, names[0]);
  }
  let gt: PanopticGtJson;
  try {
    gt = JSON.parse(await readFile(gtJson, "utf8"));
  } catch (err) {
    throw new UserError(
      `${gtJson}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : "not valid JSON"}`,
    );
  }
  if (!Array.isArray(gt.annotations) || !Array.isArray(gt.categories)) {
    throw new UserError(`${gtJson}: expected COCO panoptic JSON with "annotations" and "categories"`);
  }
  const stem = basename(gtJson, ".json");
  const gtFolder =
    o.gtFolder ?? (await firstDir([join(dir, stem), join(dir, "panoptic")], "panoptic PNG folder"));
  const images =
    o.images ??
    (await firstDir(
      [join(dir, "images"), join(dir, "val2017"), join(dir, "images", "validation")],
      "image folder",
    ));
  const imageName = new Map((gt.images ?? []).map((im) => [im.id, im.file_name]));
  const samples = [...gt.annotations]
    .sort((a, b) => a.file_name.localeCompare(b.file_name))
    .map((a) => {
      const file = imageName.get(a.image_id) ?? `${basename(a.file_name, extname(a.file_name))}.jpg`;
      return {
        id: basename(file, extname(file)),
        imageFile: join(images, file),
        gtFile: join(gtFolder, a.file_name),
        imageId: a.image_id,
        segments: a.segments_info,
      };
    });
  const categories = gt.categories.map((c) => ({ id: c.id, name: c.name, isthing: c.isthing ?? 1 }));
  return {
    spec,
    samples,
    categories,
    vocabulary: vocabularyFor(categories, spec),
    async load(sample, maxPixels) {
      const image = await loadImage(sample.imageFile, { maxPixels });
      let bytes: Buffer;
      try {
        bytes = await readFile(sample.gtFile);
      } catch {
        throw new UserError(`${sample.gtFile}: missing panoptic PNG of image ${sample.id}`, "not_found");
      }
      const png = decodePng(bytes);
      if (png.width !== image.width || png.height !== image.height) {
        throw new UserError(
          `${sample.gtFile}: ${png.width}x${png.height}, but image ${sample.imageFile} is ${image.width}x${image.height}`,
        );
      }
      return { image, ids: panopticIds(png, sample.gtFile), segments: sample.segments ?? [] };
    },
  };
}

/**
 * The model sees the plain names of the built-in vocabularies (COCO "wall" for "wall-other-merged", ADE20K's
 * synonyms) where the data set's categories match them; output ids are always the data set's own.
 */
function vocabularyFor(
  categories: { id: number; name: string; isthing?: number }[],
  spec: string,
): Vocabulary {
  const coco = new Map(COCO_PANOPTIC.entries.map((e) => [`${e.id}/${e.official}`, e]));
  const ade = new Map<string, VocabularyEntry>();
  for (const e of ADE20K.entries) ade.set(e.name, e);
  const entries = categories.map((c) => {
    const known = coco.get(`${c.id}/${c.name}`) ?? ade.get(c.name) ?? ade.get(c.name.split(",")[0].trim());
    return {
      id: c.id,
      name: known?.name ?? c.name,
      official: c.name,
      isthing: (c.isthing ?? 1) === 1,
      ...(known?.synonyms ? { synonyms: known.synonyms } : {}),
    };
  });
  return { name: spec, entries };
}

interface AdeObject {
  id: number;
  name: string;
  parts?: { part_level?: number };
  instance_mask?: string;
}

/** The ADE20K-150 class of a full-format object name ("car, auto, automobile, machine, motorcar"). */
export function ade150Class(name: string): VocabularyEntry | undefined {
  const full = name.trim().toLowerCase();
  const names = full.split(",").map((s) => s.trim());
  for (const e of ADE20K.entries) {
    if ([e.name, ...(e.synonyms ?? [])].join(", ") === full) return e;
  }
  return ADE20K.entries.find((e) => e.name === names[0]);
}

async function findAdeJsons(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const ent of await readdir(d, { withFileTypes: true })) {
      const p = join(d, ent.name);
      if (ent.isDirectory()) await walk(p);
      else if (/^ADE_.*\.json$/.test(ent.name)) out.push(p);
    }
  };
  await walk(dir);
  return out.sort((a, b) => basename(a).localeCompare(basename(b)));
}

/**
 * ADE20K full format: whole objects (part level 0) whose name maps to one of the 150 classes become GT
 * segments (later objects paint over earlier ones); other pixels are void. All 150 classes count as
 * things here (the full format has no stuff flag), so Stuff is null.
 */
async function loadAdeFull(spec: string, dir: string): Promise<ClassifyDataset> {
  if (!(await isDir(dir))) throw new UserError(`${dir}: data set folder not found`, "not_found");
  const jsons = await findAdeJsons(dir);
  if (jsons.length === 0) throw new UserError(`${dir}: no ADE_*.json annotation files found`);
  const samples = jsons.map((j) => {
    const id = basename(j, ".json");
    return { id, imageFile: join(dirname(j), `${id}.jpg`), gtFile: j, imageId: id };
  });
  const categories = ADE20K.entries.map((e) => ({ id: e.id, name: e.name, isthing: 1 }));
  return {
    spec,
    samples,
    categories,
    // Instances only in this format: no stuff category, so no stuff merging in the prediction either.
    vocabulary: { ...ADE20K, entries: ADE20K.entries.map((e) => ({ ...e, isthing: true })) },
    async load(sample, maxPixels) {
      const image = await loadImage(sample.imageFile, { maxPixels });
      let ann: { annotation?: { object?: AdeObject[] } };
      try {
        ann = JSON.parse(await readFile(sample.gtFile, "utf8"));
      } catch {
        throw new UserError(`${sample.gtFile}: cannot read ADE20K annotation JSON`);
      }
      const ids = new Uint32Array(image.width * image.height);
      const catOf = new Map<number, number>();
      let next = 1;
      for (const obj of ann.annotation?.object ?? []) {
        if ((obj.parts?.part_level ?? 0) !== 0 || !obj.instance_mask) continue;
        const cls = ade150Class(obj.name);
        if (!cls) continue;
        const file = join(dirname(sample.gtFile), obj.instance_mask);
        const png = decodePng(
          await readFile(file).catch(() => {
            throw new UserError(`${file}: missing instance mask of object ${obj.id} in ${sample.gtFile}`);
          }),
        );
        if (png.width !== image.width || png.height !== image.height) {
          throw new UserError(`${file}: ${png.width}x${png.height}, image is ${image.width}x${image.height}`);
        }
        const seg = next++;
        catOf.set(seg, cls.id);
        const values = singleChannelValues(png);
        for (let p = 0; p < ids.length; p++) {
          const on = values ? values[p] !== 0 : png.data[p * png.channels] !== 0;
          if (on) ids[p] = seg;
        }
      }
      const area = new Map<number, number>();
      for (const v of ids) if (v) area.set(v, (area.get(v) ?? 0) + 1);
      const segments = [...catOf]
        .filter(([seg]) => area.has(seg))
        .map(([seg, cat]) => ({ id: seg, category_id: cat, iscrowd: 0, area: area.get(seg)! }));
      return { image, ids, segments };
    },
  };
}
