/**
 * Built-in proposer benchmark: `npx tsx bench/proposals.ts --dataset coco-panoptic:DIR [--limit 20]
 * [--skip 20] [--granularity 0.5,0.7] [--opts '{"k":60}'] [--detector centernet [--seeding '{"minScore":0.3}']]`. Prints one line per granularity and, last, a JSON array.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createBuiltinProposer } from "../src/proposers/builtin/index.js";
import { evaluateProposals } from "../src/eval/proposals-run.js";
import { parseDatasetSpec } from "../src/eval/proposals-data.js";

const { values } = parseArgs({
  options: {
    dataset: { type: "string", default: "coco-panoptic:../shared/datasets/coco-panoptic-val2017" },
    limit: { type: "string", default: "20" },
    skip: { type: "string", default: "0" },
    granularity: { type: "string", default: "0.5" },
    opts: { type: "string", default: "{}" },
    verbose: { type: "boolean", default: false },
    detector: { type: "string" },
    seeding: { type: "string", default: "{}" },
  },
});
const { kind, dir } = parseDatasetSpec(values.dataset);
const granularities = values.granularity.split(",").map(Number);
const t0 = performance.now();
const results = await evaluateProposals({
  kind,
  dir,
  proposer: createBuiltinProposer({
    ...JSON.parse(values.opts),
    detector: values.detector
      ? { detector: values.detector as "centernet", ...JSON.parse(values.seeding) }
      : "none",
  }),
  granularities,
  limit: Number(values.limit),
  skip: Number(values.skip),
  onImage: values.verbose
    ? (name, s) => console.log(name, s.map((x) => `${x.marks}m ${x.seconds.toFixed(2)}s`).join(" "))
    : undefined,
});
const wall = (performance.now() - t0) / 1000;
for (const r of results) {
  const s = r.summary;
  const b = s.boundary
    ? ` boundary P/R/F ${s.boundary.precision.toFixed(3)}/${s.boundary.recall.toFixed(3)}/${s.boundary.f.toFixed(3)}`
    : "";
  console.log(
    `g=${r.granularity} mIoU ${s.oracleMIoU.toFixed(3)} R@0.5 ${s.recall50.toFixed(3)} marks ${s.marksPerImage.toFixed(1)} s/img ${s.secondsPerImage.toFixed(3)}${b}`,
  );
}
console.log(`wall ${wall.toFixed(1)} s for ${results[0]?.summary.images ?? 0} images`);
console.log(JSON.stringify(results.map((r) => ({ granularity: r.granularity, ...r.summary }))));
