import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadImage } from "../../src/image/load.js";
import { loadMaskRegions } from "../../src/proposers/masks/index.js";

export const DATA = join(dirname(fileURLToPath(import.meta.url)), "../../../shared/datasets");
export const COCO = join(DATA, "coco-panoptic-val2017");
export const PANOPTIC_JSON = join(COCO, "panoptic_val2017.json");

export function requireData(path: string): string {
  if (!existsSync(path)) throw new Error(`test data missing: ${path} (see ../shared/datasets/README.md)`);
  return path;
}

export interface GtSegment {
  id: number;
  category_id: number;
  area: number;
  bbox: [number, number, number, number];
}

/** Ground-truth panoptic segments and category names of one COCO image, from the official JSON. */
export function cocoTruth(stem: string) {
  const data = JSON.parse(readFileSync(requireData(PANOPTIC_JSON), "utf8")) as {
    annotations: { file_name: string; image_id: number; segments_info: GtSegment[] }[];
    categories: { id: number; name: string; isthing: number }[];
  };
  const ann = data.annotations.find((a) => a.file_name === `${stem}.png`);
  if (!ann) throw new Error(`no panoptic annotation for ${stem}`);
  return { segments: ann.segments_info, categories: new Map(data.categories.map((c) => [c.id, c.name])) };
}

/** The marks `som` gives the image's ground-truth masks (the masks loader numbers them), with their segments. */
export async function cocoMarks(stem: string) {
  const image = await loadImage(requireData(join(COCO, "images", `${stem}.jpg`)));
  const regions = await loadMaskRegions(join(COCO, "panoptic", `${stem}.png`), image, {
    imageFile: `${stem}.jpg`,
    segmentsInfo: PANOPTIC_JSON,
  });
  return { image, regions };
}
