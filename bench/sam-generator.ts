/**
 * Overhead of the SAM automatic mask generator around the model, per prompt batch: prompt tensors,
 * upscaling logits to image pixels, stability scores, thresholds, NMS. Uses the tiny test model (whose
 * own decoder cost is reported separately and says nothing about real SAM speed).
 *
 *   npx tsx bench/sam-generator.ts
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadImage } from "../src/image/load.js";
import type { RasterImage } from "../src/image/raster.js";
import { generateMasks } from "../src/proposers/sam/automatic.js";
import { resolveGeneratorOptions, type SamGeneratorOptions } from "../src/proposers/sam/options.js";
import { SamPredictor } from "../src/proposers/sam/predictor.js";
import { loadSamRuntime } from "../src/proposers/sam/runtime.js";
import { writeTinySamFolder } from "../test/helpers/onnx-sam-models.js";

const DATA = join(import.meta.dirname, "..", "..", "shared", "datasets");
const images: Array<[string, string]> = [
  ["COCO 000000000139", join(DATA, "coco-panoptic-val2017", "images", "000000000139.jpg")],
  [
    "ADE20K street scene",
    join(
      DATA,
      "ade20k-samples",
      "ADE20K_2021_17_01",
      "images",
      "ADE",
      "training",
      "urban",
      "street",
      "ADE_train_00016869.jpg",
    ),
  ],
];

// Discs of radius 48/96/192 model-input px; iou 0.95 for all three, all stable: every mask survives the
// official thresholds, so post-processing does its full work (3 masks × 64 prompts per batch).
const dir = writeTinySamFolder(join(mkdtempSync(join(tmpdir(), "som-bench-")), "sam"), { family: "sam" });
const runtime = await loadSamRuntime(dir);

async function measure(image: RasterImage, options: SamGeneratorOptions) {
  const predictor = new SamPredictor(runtime);
  const opts = resolveGeneratorOptions(options, undefined, image.width, image.height);
  let decodeMs = 0;
  let encodeMs = 0;
  const decode = predictor.decode.bind(predictor);
  const embed = predictor.embed.bind(predictor);
  predictor.decode = async (...a) => {
    const t = performance.now();
    const r = await decode(...a);
    decodeMs += performance.now() - t;
    return r;
  };
  predictor.embed = async (...a) => {
    const t = performance.now();
    const r = await embed(...a);
    encodeMs += performance.now() - t;
    return r;
  };
  let batches = 0;
  const t0 = performance.now();
  const masks = await generateMasks(predictor, image, opts, { onProgress: (p) => (batches = p.total) });
  const total = performance.now() - t0;
  return { masks: masks.length, batches, total, encodeMs, decodeMs, overhead: total - encodeMs - decodeMs };
}

console.log(
  "| image | setting | batches of 64 | masks out | generator overhead ms/batch | tiny-decoder ms/batch | encoder+preprocess ms (all crops) | total s |",
);
console.log("|---|---|---|---|---|---|---|---|");
for (const [name, file] of images) {
  const image = await loadImage(file);
  await measure(image, { pointsPerSide: 4 }); // warm-up
  for (const [label, o] of [
    ["official thresholds, 32×32 points", { pointsPerSide: 32 }],
    [
      "all masks kept (thresholds 0, NMS 1), 16×16",
      { pointsPerSide: 16, predIouThresh: 0, stabilityScoreThresh: 0, boxNmsThresh: 1 },
    ],
    ["official thresholds, 1 crop layer, 16×16", { pointsPerSide: 16, cropNLayers: 1 }],
  ] as Array<[string, SamGeneratorOptions]>) {
    const r = await measure(image, o);
    const per = (v: number) => (v / r.batches).toFixed(0);
    console.log(
      `| ${name} (${image.width}×${image.height}) | ${label} | ${r.batches} | ${r.masks} | ${per(r.overhead)} | ${per(r.decodeMs)} | ${r.encodeMs.toFixed(0)} | ${(r.total / 1000).toFixed(2)} |`,
    );
  }
}
