/** Shared fixtures for the SAM tests: temp model folders, a real COCO photo, reference shapes. */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadImage } from "../../src/image/load.js";
import type { RasterImage } from "../../src/image/raster.js";
import { type Mask, maskFromFull, maskIoU } from "../../src/regions/mask.js";
import { type TinySamSpec, writeTinySamFolder } from "./onnx-sam-models.js";

const here = dirname(fileURLToPath(import.meta.url));
export const DATASETS = resolve(here, "../../../shared/datasets");

/** COCO val2017 000000000139 (640×426, a living room). */
export async function cocoPhoto(id = "000000000139"): Promise<RasterImage> {
  const file = join(DATASETS, "coco-panoptic-val2017", "images", `${id}.jpg`);
  if (!existsSync(file)) throw new Error(`test data missing: ${file} (see /work/shared/datasets/README.md)`);
  return loadImage(file);
}

export function tempDir(prefix = "som-sam-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function tinyModel(spec: TinySamSpec, root = tempDir()): string {
  return writeTinySamFolder(join(root, spec.family), spec);
}

/** Pixels whose centre satisfies `inside(x + 0.5, y + 0.5)`. */
export function shapeMask(width: number, height: number, inside: (x: number, y: number) => boolean): Mask {
  const full = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) full[y * width + x] = inside(x + 0.5, y + 0.5) ? 1 : 0;
  return maskFromFull(full, width, height);
}

export function disc(width: number, height: number, cx: number, cy: number, rx: number, ry = rx): Mask {
  return shapeMask(width, height, (x, y) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 < 1);
}

export { maskIoU };
