/**
 * Data for `som eval refer`: RefCOCO / RefCOCO+ / RefCOCOg in the `refer` toolkit's layout (refs(<splitBy>)
 * exported from pickle to JSON, plus instances.json) and the RefCOCOs expression subset shipped with the
 * shared COCO panoptic data. Each sample: an image, an expression, and its ground truth (mask, box, or
 * nothing when the expression refers to no object).
 */
import { readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { UserError } from "../errors.js";
import { decodePng } from "../image/png-index.js";
import { loadImage } from "../image/load.js";
import type { RasterImage } from "../image/raster.js";
import type { Mask } from "../regions/mask.js";
import { maskFromFull } from "../regions/mask.js";
import { makeRegion, type Region } from "../regions/region.js";
import { type AnyCocoRle, decodeRle, polygonsToMask } from "../regions/rle.js";
import { masksFromLabelMap } from "../proposers/masks/label-map.js";
import { panopticIds } from "../proposers/masks/png-masks.js";

export interface ReferTruth {
  mask?: Mask;
  /** [x, y, w, h] */
  box?: [number, number, number, number];
}

export interface ReferSample {
  id: string;
  imageFile: string;
  expression: string;
  /** For the per-category table ("no target" when the expression denotes nothing). */
  category: string;
  /** No object matches the expression: the right answer names no mark. */
  empty: boolean;
  /** Image, ground truth and the ground-truth regions (for --masks gt), loaded when the sample runs. */
  load(maxPixels?: number): Promise<{ image: RasterImage; truth: ReferTruth; gtRegions: () => Region[] }>;
}

export interface ReferDataOptions {
  splitBy?: string;
  split?: string;
  images?: string;
  /** One sample per sentence instead of one per object (the paper joins an object's sentences with "; "). */
  perSentence?: boolean;
}

/** `refcocos:DIR` (the shared subset beside COCO panoptic) or `refer:DIR` (refer toolkit layout). */
export async function loadReferDataset(spec: string, o: ReferDataOptions = {}): Promise<ReferSample[]> {
  const i = spec.indexOf(":");
  const kind = i < 0 ? "" : spec.slice(0, i);
  const dir = spec.slice(i + 1);
  if (kind === "refcocos") return loadRefcocosSubset(dir);
  if (kind === "refer") return loadReferLayout(dir, o);
  throw new UserError(`--dataset must be refer:DIR (refer toolkit layout) or refcocos:DIR, got "${spec}"`);
}

async function readJson<T>(file: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new UserError(`${file}: ${what} not found`, "not_found");
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UserError(`${file}: not valid JSON`);
  }
}

interface RefcocosJson {
  expressions: {
    file_name: string;
    image_id: number;
    expression: string;
    bbox_xyxy: number[] | null;
    empty_case: boolean;
    matched_segment_id?: number | null;
    matched_category?: string | null;
  }[];
}

/**
 * The RefCOCOs subset: boxes for every expression that denotes something, and the panoptic segment the box
 * denotes where one matches (IoU ≥ 0.5), used as its mask. Expressions with no match are scored by box only.
 */
async function loadRefcocosSubset(dir: string): Promise<ReferSample[]> {
  const file = join(dir, "refcocos_val2017_subset.json");
  const subset = await readJson<RefcocosJson>(file, "RefCOCOs subset");
  const panoptic = await readJson<{
    annotations: { image_id: number; file_name: string; segments_info: { id: number }[] }[];
  }>(join(dir, "panoptic_val2017.json"), "panoptic JSON");
  const annByImage = new Map(panoptic.annotations.map((a) => [a.image_id, a]));
  return subset.expressions.map((e, k) => {
    const stem = basename(e.file_name, ".jpg");
    const ann = annByImage.get(e.image_id);
    if (!ann)
      throw new UserError(
        `${file}: expression ${k} names image_id ${e.image_id}, not in panoptic_val2017.json`,
      );
    const imageFile = join(dir, "images", e.file_name);
    return {
      id: `${stem}#${k}`,
      imageFile,
      expression: e.expression,
      category: e.empty_case ? "no target" : (e.matched_category ?? "unmatched box"),
      empty: e.empty_case,
      async load(maxPixels) {
        const image = await loadImage(imageFile, { maxPixels });
        const pngFile = join(dir, "panoptic", ann.file_name);
        const ids = panopticIds(decodePng(await readFile(pngFile)), pngFile);
        const truth: ReferTruth = {};
        if (e.bbox_xyxy) {
          const [x1, y1, x2, y2] = e.bbox_xyxy;
          truth.box = [x1, y1, x2 - x1, y2 - y1];
        }
        if (e.matched_segment_id != null)
          truth.mask = maskFromFull(ids, image.width, image.height, e.matched_segment_id);
        const gtRegions = () => {
          const masks = new Map(
            masksFromLabelMap(ids, image.width, image.height).map((m) => [m.label, m.mask]),
          );
          return ann.segments_info
            .filter((s) => masks.has(s.id))
            .map((s, i) => makeRegion(i + 1, masks.get(s.id)!, "ground-truth", 1, { segment_id: s.id }));
        };
        return { image, truth, gtRegions };
      },
    };
  });
}

interface RefEntry {
  ref_id: number;
  ann_id: number;
  image_id: number;
  split: string;
  sentences: { sent_id: number; sent: string }[];
  category_id: number;
}

interface Instances {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { id: number; image_id: number; segmentation: unknown; bbox: number[]; category_id: number }[];
  categories: { id: number; name: string }[];
}

/**
 * refer layout: DIR/refs(<splitBy>).json (the toolkit's refs(<splitBy>).p exported to JSON: see
 * docs/eval.md) and DIR/instances.json; images from --images (default DIR/../images/mscoco/images/train2014).
 */
async function loadReferLayout(dir: string, o: ReferDataOptions): Promise<ReferSample[]> {
  const name = basename(dir.replace(/\/+$/, ""));
  const splitBy = o.splitBy ?? (name === "refcocog" ? "umd" : "unc");
  const refsFile = join(dir, `refs(${splitBy}).json`);
  const exists = (p: string) =>
    stat(p).then(
      () => true,
      () => false,
    );
  if (!(await exists(refsFile)) && (await exists(join(dir, `refs(${splitBy}).p`)))) {
    throw new UserError(
      `${dir}: refs(${splitBy}).p is a Python pickle; export it once to refs(${splitBy}).json (see docs/eval.md):\n` +
        `  python3 -c "import pickle,json; json.dump(pickle.load(open('refs(${splitBy}).p','rb')), open('refs(${splitBy}).json','w'))"`,
    );
  }
  const refs = await readJson<RefEntry[]>(refsFile, "refs JSON");
  if (!Array.isArray(refs)) throw new UserError(`${refsFile}: expected a list of refs`);
  const inst = await readJson<Instances>(join(dir, "instances.json"), "instances.json");
  const images = o.images ?? join(dir, "..", "images", "mscoco", "images", "train2014");
  const split = o.split ?? "val";
  const imageById = new Map(inst.images.map((im) => [im.id, im]));
  const annById = new Map(inst.annotations.map((a) => [a.id, a]));
  const annsByImage = new Map<number, Instances["annotations"]>();
  for (const a of inst.annotations) {
    const list = annsByImage.get(a.image_id) ?? [];
    list.push(a);
    annsByImage.set(a.image_id, list);
  }
  const catName = new Map(inst.categories.map((c) => [c.id, c.name]));
  const samples: ReferSample[] = [];
  for (const ref of refs.filter((r) => r.split === split)) {
    const im = imageById.get(ref.image_id);
    const ann = annById.get(ref.ann_id);
    if (!im || !ann)
      throw new UserError(
        `${refsFile}: ref ${ref.ref_id} names image ${ref.image_id} / annotation ${ref.ann_id}, not in instances.json`,
      );
    const queries = o.perSentence
      ? ref.sentences.map((s) => ({ id: `${ref.ref_id}_${s.sent_id}`, text: s.sent }))
      : [{ id: String(ref.ref_id), text: ref.sentences.map((s) => s.sent.trim()).join("; ") }];
    const imageFile = join(images, im.file_name);
    for (const q of queries) {
      samples.push({
        id: q.id,
        imageFile,
        expression: q.text,
        category: catName.get(ref.category_id) ?? String(ref.category_id),
        empty: false,
        async load(maxPixels) {
          const image = await loadImage(imageFile, { maxPixels });
          const decode = (seg: unknown) =>
            segmentationMask(seg, image.height, image.width, `annotation of ref ${ref.ref_id}`);
          const b = ann.bbox;
          const truth: ReferTruth = { mask: decode(ann.segmentation), box: [b[0], b[1], b[2], b[3]] };
          const gtRegions = () =>
            (annsByImage.get(ref.image_id) ?? []).map((a, i) =>
              makeRegion(i + 1, decode(a.segmentation), "ground-truth", 1, { ann_id: a.id }),
            );
          return { image, truth, gtRegions };
        },
      });
    }
  }
  return samples;
}

/** COCO segmentation (polygons, RLE or uncompressed RLE) as a mask of the image's size. */
export function segmentationMask(seg: unknown, height: number, width: number, what: string): Mask {
  if (Array.isArray(seg)) return polygonsToMask(seg as number[][], height, width);
  if (seg && typeof seg === "object" && "counts" in seg) {
    const m = decodeRle(seg as AnyCocoRle);
    if (m.width !== width || m.height !== height) {
      throw new UserError(
        `${what}: RLE size ${m.width}x${m.height} differs from the image (${width}x${height})`,
      );
    }
    return m;
  }
  throw new UserError(`${what}: segmentation is neither polygons nor RLE`);
}
