import { readdir, readFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import sharp from "sharp";
import type { RasterImage } from "../image/raster.js";

/** One evaluation image: its pixels and one or more ground-truth label maps (0 = void / ignore). */
export interface GtImage {
  name: string;
  image: RasterImage;
  /** One label map per annotator (COCO: one; BSDS: 4–8). Label ids are > 0; 0 means unlabelled. */
  labelMaps: Int32Array[];
  /** Label ids that count as segments to recover, per label map (COCO: non-crowd ≥ 0.1 % of the image). */
  segments: number[][];
}

export type DatasetKind = "coco-panoptic" | "bsds";

/** Parse `coco-panoptic:DIR` or `bsds:DIR`. */
export function parseDatasetSpec(spec: string): { kind: DatasetKind; dir: string } {
  const i = spec.indexOf(":");
  const kind = i < 0 ? "" : spec.slice(0, i);
  if (kind !== "coco-panoptic" && kind !== "bsds") {
    throw new Error(`dataset must be coco-panoptic:DIR or bsds:DIR, got "${spec}"`);
  }
  return { kind, dir: spec.slice(i + 1) };
}

async function decodeRgba(path: string): Promise<RasterImage> {
  const { data, info } = await sharp(path).rotate().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

/** Smallest GT segment that counts, as a fraction of the image (the issue's 0.1 %). */
export const MIN_GT_FRACTION = 0.001;

interface PanopticJson {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: {
    image_id: number;
    file_name: string;
    segments_info: { id: number; iscrowd: number; area: number }[];
  }[];
}

/**
 * COCO panoptic: DIR holds `panoptic_val2017.json` (or another `panoptic_*.json`), `panoptic/*.png` and
 * `images/*.jpg`. Images are taken in file-name order. Crowd segments and those under 0.1 % of the image
 * are not scored (their pixels still belong to them, so proposals are not credited for covering them).
 */
export async function* loadCocoPanoptic(
  dir: string,
  limit = Number.POSITIVE_INFINITY,
  skip = 0,
): AsyncGenerator<GtImage> {
  const jsonName = (await readdir(dir)).filter((f) => /^panoptic_.*\.json$/.test(f)).sort()[0];
  if (!jsonName) throw new Error(`no panoptic_*.json in ${dir}`);
  const gt = JSON.parse(await readFile(join(dir, jsonName), "utf8")) as PanopticJson;
  const byId = new Map(gt.images.map((im) => [im.id, im]));
  const anns = [...gt.annotations].sort((a, b) => a.file_name.localeCompare(b.file_name));
  let n = 0;
  let skipped = 0;
  for (const ann of anns) {
    if (n >= limit) return;
    const info = byId.get(ann.image_id);
    if (!info) continue;
    // Skipped images are not decoded.
    if (skipped < skip) {
      skipped++;
      continue;
    }
    const image = await decodeRgba(join(dir, "images", info.file_name));
    const png = await decodeRgba(join(dir, "panoptic", ann.file_name));
    if (png.width !== image.width || png.height !== image.height) {
      throw new Error(`${ann.file_name}: panoptic PNG size differs from its image`);
    }
    const px = image.width * image.height;
    const map = new Int32Array(px);
    for (let i = 0; i < px; i++)
      map[i] = png.data[i * 4] + 256 * png.data[i * 4 + 1] + 65536 * png.data[i * 4 + 2];
    const segments = ann.segments_info
      .filter((s) => !s.iscrowd && s.area >= MIN_GT_FRACTION * px)
      .map((s) => s.id);
    yield { name: info.file_name, image, labelMaps: [map], segments: [segments] };
    n++;
  }
}

/**
 * BSDS500: DIR holds `images/val/<id>.jpg` and `groundTruth_png/val/<id>_<k>.png` (8-bit label maps, one
 * per annotator). Every segment of every annotator ≥ 0.1 % of the image is scored.
 */
export async function* loadBsds(
  dir: string,
  limit = Number.POSITIVE_INFINITY,
  skip = 0,
): AsyncGenerator<GtImage> {
  const imgDir = join(dir, "images", "val");
  const gtDir = join(dir, "groundTruth_png", "val");
  const files = (await readdir(imgDir)).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();
  const gtFiles = (await readdir(gtDir)).sort();
  let n = 0;
  let skipped = 0;
  for (const f of files) {
    if (n >= limit) return;
    const id = basename(f, extname(f));
    const mine = gtFiles.filter((g) => g.startsWith(`${id}_`) && g.endsWith(".png"));
    if (mine.length === 0) continue;
    if (skipped < skip) {
      skipped++;
      continue;
    }
    const image = await decodeRgba(join(imgDir, f));
    const px = image.width * image.height;
    const labelMaps: Int32Array[] = [];
    const segments: number[][] = [];
    for (const g of mine) {
      const { data, info } = await sharp(join(gtDir, g))
        .extractChannel(0)
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.width !== image.width || info.height !== image.height)
        throw new Error(`${g}: size differs from ${f}`);
      // Shift by one so that label 0 of a BSDS map is a real segment, not void.
      const map = new Int32Array(px);
      const counts = new Map<number, number>();
      for (let i = 0; i < px; i++) {
        map[i] = data[i] + 1;
        counts.set(map[i], (counts.get(map[i]) ?? 0) + 1);
      }
      labelMaps.push(map);
      segments.push(
        [...counts]
          .filter(([, c]) => c >= MIN_GT_FRACTION * px)
          .map(([id]) => id)
          .sort((a, b) => a - b),
      );
    }
    yield { name: f, image, labelMaps, segments };
    n++;
  }
}

/** The images of a data set in file-name order: the first `skip` passed over (not decoded), then `limit`. */
export function loadDataset(
  kind: DatasetKind,
  dir: string,
  limit?: number,
  skip = 0,
): AsyncGenerator<GtImage> {
  return kind === "coco-panoptic" ? loadCocoPanoptic(dir, limit, skip) : loadBsds(dir, limit, skip);
}
