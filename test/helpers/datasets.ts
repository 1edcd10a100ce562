import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** ../shared/datasets beside the repo. Tests that need it fail loudly when it is missing, never pass silently. */
export const DATASETS = resolve(import.meta.dirname, "..", "..", "..", "shared", "datasets");

export function dataset(...parts: string[]): string {
  const p = join(DATASETS, ...parts);
  if (!existsSync(p)) {
    throw new Error(`shared test data missing: ${p} (tests need ../shared/datasets beside the repo)`);
  }
  return p;
}

export const COCO = () => dataset("coco-panoptic-val2017");
export const cocoImage = (stem: string) => dataset("coco-panoptic-val2017", "images", `${stem}.jpg`);
export const cocoPanoptic = (stem: string) => dataset("coco-panoptic-val2017", "panoptic", `${stem}.png`);
export const cocoPanopticJson = () => dataset("coco-panoptic-val2017", "panoptic_val2017.json");
