/**
 * Bench fixture: a real COCO photo resized to 1024×768 and N overlapping masks in COCO RLE JSON — its
 * panoptic segments, built-in proposer regions at several granularities (nested, SAM-like overlap), then
 * seeded random ellipses if more are needed. Written to bench/out/ (not committed).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { createBuiltinProposer } from "../src/proposers/builtin/index.js";
import { loadMaskRegions } from "../src/proposers/masks/index.js";
import { type Mask, maskFromFull, maskIoU } from "../src/regions/mask.js";
import { encodeRle } from "../src/regions/rle.js";

const DATA = join(import.meta.dirname, "..", "..", "shared", "datasets", "coco-panoptic-val2017");
export const FIXTURE_STEM = "000000000139";

export async function makeFixture(count: number, width = 1024, height = 768) {
  const outDir = join(import.meta.dirname, "out");
  await mkdir(outDir, { recursive: true });
  const imagePath = join(outDir, `fixture-${width}x${height}.png`);
  const masksPath = join(outDir, `fixture-${width}x${height}-${count}.json`);
  await sharp(join(DATA, "images", `${FIXTURE_STEM}.jpg`))
    .resize(width, height, { fit: "fill" })
    .png()
    .toFile(imagePath);
  const panPath = join(outDir, `fixture-${width}x${height}-panoptic.png`);
  await sharp(join(DATA, "panoptic", `${FIXTURE_STEM}.png`))
    .resize(width, height, { fit: "fill", kernel: "nearest" })
    .png()
    .toFile(panPath);
  const masks: Mask[] = (await loadMaskRegions(panPath, { width, height })).map((r) => r.mask);
  const { data } = await sharp(imagePath).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const image = { width, height, data: new Uint8Array(data) };
  const proposer = createBuiltinProposer({ detector: "none" });
  for (const g of [0.2, 0.5, 0.8, 1]) {
    for (const r of await proposer.propose(image, { granularity: g })) {
      if (masks.length >= count) break;
      if (!masks.some((m) => maskIoU(m, r.mask) > 0.9)) masks.push(r.mask);
    }
  }
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  while (masks.length < count) {
    const cx = rand() * width;
    const cy = rand() * height;
    const rx = 10 + rand() * 150;
    const ry = 10 + rand() * 150;
    const full = new Uint8Array(width * height);
    for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(height, cy + ry); y++) {
      for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(width, cx + rx); x++) {
        if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) full[y * width + x] = 1;
      }
    }
    masks.push(maskFromFull(full, width, height));
  }
  const json = masks.slice(0, count).map((m, i) => ({ id: i + 1, segmentation: encodeRle(m), score: 1 }));
  await writeFile(masksPath, JSON.stringify(json));
  return { imagePath, masksPath };
}
