/**
 * Sweep of the detector-seeding settings on COCO panoptic (detections and hierarchies computed once).
 * `npx tsx bench/detector-sweep.ts [--limit 20] [--skip 0] --configs '[{"minScore":0.3}, …]'`
 */
import { parseArgs } from "node:util";
import { type GtImage, loadCocoPanoptic } from "../src/eval/proposals-data.js";
import { scoreImage, summarise } from "../src/eval/proposals.js";
import { createBuiltinProposer } from "../src/proposers/builtin/index.js";
import type { DetectorSeedingOptions } from "../src/proposers/builtin/detector-proposer.js";

const { values } = parseArgs({
  options: {
    dir: { type: "string", default: "../shared/datasets/coco-panoptic-val2017" },
    limit: { type: "string", default: "20" },
    skip: { type: "string", default: "0" },
    granularity: { type: "string", default: "0.5" },
    configs: { type: "string", default: "[{}]" },
  },
});
const images: GtImage[] = [];
let seen = 0;
for await (const im of loadCocoPanoptic(values.dir, Number(values.limit) + Number(values.skip)))
  if (seen++ >= Number(values.skip)) images.push(im);
const configs = JSON.parse(values.configs) as Partial<DetectorSeedingOptions>[];
const proposer = createBuiltinProposer({ detector: "centernet" });
// biome-ignore lint/suspicious/noExplicitAny: bench-only access to the seeding settings
const seeding = (proposer as any).seeding.seeding as DetectorSeedingOptions;
for (const cfg of [null, ...configs]) {
  const scores = [];
  for (const im of images) {
    const p = cfg === null ? createBuiltinProposer() : proposer;
    if (cfg)
      Object.assign(
        seeding,
        { detector: "centernet", minScore: undefined, budget: undefined, seed: undefined },
        cfg,
      );
    if (cfg === null) p.hierarchy = proposer.hierarchy.bind(proposer);
    const regions = await p.propose(im.image, { granularity: Number(values.granularity) });
    scores.push(scoreImage(im, regions, 0, false));
  }
  const s = summarise(scores);
  console.log(
    `${cfg === null ? "no detector" : JSON.stringify(cfg)}: mIoU ${s.oracleMIoU.toFixed(3)} R@0.5 ${s.recall50.toFixed(3)} marks ${s.marksPerImage.toFixed(1)}`,
  );
}
