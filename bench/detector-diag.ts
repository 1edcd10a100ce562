/**
 * Detector check: how well the optional CenterNet boxes cover COCO panoptic thing segments.
 * `npx tsx bench/detector-diag.ts [--limit 20] [--skip 0] [--min-score 0.2]`
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { boxIoU, loadDetector } from "../src/proposers/builtin/detector-model.js";
import { loadCocoPanoptic } from "../src/eval/proposals-data.js";

const { values } = parseArgs({
  options: {
    dir: { type: "string", default: "../shared/datasets/coco-panoptic-val2017" },
    limit: { type: "string", default: "20" },
    skip: { type: "string", default: "0" },
    "min-score": { type: "string", default: "0.2" },
  },
});
const gt = JSON.parse(readFileSync(join(values.dir, "panoptic_val2017.json"), "utf8"));
const thing = new Set(
  gt.categories.filter((c: { isthing: number }) => c.isthing).map((c: { id: number }) => c.id),
);
const segInfo = new Map<number, { bbox: number[]; category_id: number; area: number }>();
for (const a of gt.annotations) for (const s of a.segments_info) segInfo.set(s.id, s);
const t0 = performance.now();
const det = await loadDetector("centernet");
console.log(`load ${(performance.now() - t0).toFixed(0)} ms`);
let n = 0;
let tDet = 0;
const rows: { frac: number; iou: number }[] = [];
let dets = 0;
const skip = Number(values.skip);
let seen = 0;
for await (const im of loadCocoPanoptic(values.dir, Number(values.limit) + skip)) {
  if (seen++ < skip) continue;
  const t = performance.now();
  const d = await det.detect(im.image, { minScore: Number(values["min-score"]) });
  tDet += performance.now() - t;
  dets += d.length;
  n++;
  const px = im.image.width * im.image.height;
  for (const id of im.segments[0]) {
    const s = segInfo.get(id)!;
    if (!thing.has(s.category_id)) continue;
    const best = Math.max(0, ...d.map((x) => boxIoU(x.box, s.bbox)));
    rows.push({ frac: s.area / px, iou: best });
  }
}
for (const [lo, hi] of [
  [0, 0.01],
  [0.01, 0.05],
  [0.05, 1.1],
]) {
  const r = rows.filter((x) => x.frac >= lo && x.frac < hi);
  const rec = r.filter((x) => x.iou >= 0.5).length / Math.max(1, r.length);
  console.log(
    `things ${lo}-${hi}: ${r.length} segs, box recall@0.5 ${rec.toFixed(3)}, mean best IoU ${(r.reduce((a, x) => a + x.iou, 0) / Math.max(1, r.length)).toFixed(3)}`,
  );
}
console.log(
  `${n} images, ${(dets / n).toFixed(1)} detections/image, detect ${(tDet / n).toFixed(0)} ms/image`,
);
