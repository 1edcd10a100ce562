/**
 * Sweep of the detector-seeding settings on COCO panoptic: one proposer per configuration (each builds its
 * own hierarchies, box-guided or not), the detector's boxes computed once and shared.
 * `npx tsx bench/detector-sweep.ts [--limit 100] [--skip 0] [--split 20] --configs '[{}, {"guide":false}, {"hier":{"maxSide":512}}, …]'`
 * prints mIoU / recall@0.5 / marks per image for all images, the first `split` and the rest ("hier" holds
 * hierarchy options, e.g. the working size).
 */
import { parseArgs } from "node:util";
import { type GtImage, loadCocoPanoptic } from "../src/eval/proposals-data.js";
import { scoreImage, summarise } from "../src/eval/proposals.js";
import type { DetectorSeedingOptions } from "../src/proposers/builtin/detector-proposer.js";
import { createBuiltinProposer } from "../src/proposers/builtin/index.js";

const { values } = parseArgs({
  options: {
    dir: { type: "string", default: "../shared/datasets/coco-panoptic-val2017" },
    limit: { type: "string", default: "100" },
    skip: { type: "string", default: "0" },
    split: { type: "string", default: "20" },
    granularity: { type: "string", default: "0.5" },
    configs: { type: "string", default: '[{"guide":false,"seed":{"centreShare":0}},{}]' },
  },
});
const images: GtImage[] = [];
let seen = 0;
for await (const im of loadCocoPanoptic(values.dir, Number(values.limit) + Number(values.skip)))
  if (seen++ >= Number(values.skip)) images.push(im);
const first = createBuiltinProposer({ detector: "centernet" });
// biome-ignore lint/suspicious/noExplicitAny: bench-only access to the seeding internals
const shared = (first as any).seeding;
for (const im of images) await shared.detect(im.image);
const split = Number(values.split);
const fmt = (s: ReturnType<typeof summarise>) =>
  `${s.oracleMIoU.toFixed(3)} / ${s.recall50.toFixed(3)} / ${s.marksPerImage.toFixed(1)}`;
for (const cfg of [null, ...(JSON.parse(values.configs) as Partial<DetectorSeedingOptions>[])]) {
  // biome-ignore lint/suspicious/noExplicitAny: hierarchy options ride along as "hier"
  const { hier, ...seedCfg } = (cfg ?? {}) as any;
  const p = createBuiltinProposer(
    cfg === null ? {} : { ...hier, detector: { detector: "centernet", ...seedCfg } },
  );
  if (cfg !== null) {
    // biome-ignore lint/suspicious/noExplicitAny: share the boxes instead of detecting again
    const s = (p as any).seeding;
    s.detections = shared.detections;
    s.detector = shared.detector;
  }
  const scores = [];
  const t0 = performance.now();
  for (const im of images)
    scores.push(
      scoreImage(im, await p.propose(im.image, { granularity: Number(values.granularity) }), 0, false),
    );
  const secs = (performance.now() - t0) / images.length / 1000;
  console.log(
    `${cfg === null ? "no detector" : JSON.stringify(cfg)}: all ${fmt(summarise(scores))} | first ${split} ${fmt(summarise(scores.slice(0, split)))} | rest ${fmt(summarise(scores.slice(split)))} | ${secs.toFixed(2)} s/image without detection`,
  );
}
