/**
 * How good is one detector box's seed? For COCO panoptic thing segments whose best detector box has IoU
 * ≥ 0.5 with the segment's bounding box: mean IoU of the current leaf seed (`method: "leaves"`), of the
 * leaf graph cut (`method: "cut"`, leaf-cut.ts) for each configuration given, of the ellipse inscribed in
 * the box, and of the best union of hierarchy leaves (the ceiling, on the working grid), by segment size.
 * "best-of" = per segment the best of the leaf seed and all configurations (what a perfect choice among
 * them would reach).
 * `npx tsx bench/seed-quality.ts [--skip 0] [--limit 20] [--configs '[{}, {"smoothness":5}]']`
 * (each configuration is a partial LeafCutOptions; "seed" inside it holds other SeedOptions).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadCocoPanoptic } from "../src/eval/proposals-data.js";
import type { Detection } from "../src/proposers/builtin/detector-model.js";
import { type SeedOptions, seedRegions } from "../src/proposers/builtin/detector-seed.js";
import type { RegionHierarchy } from "../src/proposers/builtin/hierarchy.js";
import { createBuiltinProposer } from "../src/proposers/builtin/index.js";
import { type Mask, maskArea, maskFromFull, maskIntersection, maskIoU } from "../src/regions/mask.js";

const { values } = parseArgs({
  options: {
    dir: { type: "string", default: "../shared/datasets/coco-panoptic-val2017" },
    limit: { type: "string", default: "20" },
    skip: { type: "string", default: "0" },
    configs: { type: "string", default: "[{}]" },
  },
});
const gt = JSON.parse(readFileSync(join(values.dir, "panoptic_val2017.json"), "utf8"));
const thing = new Set<number>(
  gt.categories.filter((c: { isthing: number }) => c.isthing).map((c: { id: number }) => c.id),
);
const catOf = new Map<number, number>();
for (const a of gt.annotations) for (const s of a.segments_info) catOf.set(s.id, s.category_id);
// biome-ignore lint/suspicious/noExplicitAny: configurations are free-form JSON
const configs = JSON.parse(values.configs) as any[];

const p = createBuiltinProposer({ detector: "centernet" });
// biome-ignore lint/suspicious/noExplicitAny: bench-only access to the seeding internals
const seeding = (p as any).seeding;

type Row = {
  frac: number;
  seed: number;
  cuts: number[];
  ellipse: number;
  ceiling: number;
  /** Precision and recall of the first cut against the GT. */
  prec: number;
  rec: number;
};
const rows: Row[] = [];
const boxIoU = (a: readonly number[], b: readonly number[]) => {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const i = ix * iy;
  return i / (a[2] * a[3] + b[2] * b[3] - i);
};
const t0 = performance.now();
let cutMs = 0;
for await (const im of loadCocoPanoptic(values.dir, Number(values.limit), Number(values.skip))) {
  const { width: W, height: H } = im.image;
  const dets: Detection[] = await seeding.detect(im.image);
  const h: RegionHierarchy = await p.hierarchyFor(im.image);
  const byDet = (opts: Partial<SeedOptions>) => {
    const m = new Map<Detection, Mask>();
    for (const s of seedRegions(h, im.image, dets, opts)) m.set(s.detection, s.mask);
    return m;
  };
  const seeds = byDet({ method: "leaves" });
  const cuts = configs.map(({ seed, ...cut }) => {
    const c0 = performance.now();
    const r = byDet({ ...seed, method: "cut", cut });
    cutMs += performance.now() - c0;
    return r;
  });
  const labelMap = im.labelMaps[0];
  // Working-grid GT pixels per leaf, for the leaf ceiling.
  const { workWidth: w, workHeight: wh } = h;
  for (const id of im.segments[0]) {
    if (!thing.has(catOf.get(id) ?? -1)) continue;
    const full = new Uint8Array(W * H);
    let x0 = W;
    let y0 = H;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        if (labelMap[y * W + x] === id) {
          full[y * W + x] = 1;
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
    const gtMask = maskFromFull(full, W, H);
    const gtArea = maskArea(gtMask);
    const gtBox = [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
    let best: Detection | undefined;
    let bestIoU = 0.5;
    for (const d of dets) {
      const v = boxIoU(d.box, gtBox);
      if (v >= bestIoU) {
        bestIoU = v;
        best = d;
      }
    }
    if (!best) continue;
    const iou = (m: Mask | undefined) => (m ? maskIoU(m, gtMask, maskArea(m), gtArea) : 0);
    // Ellipse inscribed in the box.
    const [bx, by, bw, bh] = best.box;
    let ei = 0;
    let ea = 0;
    for (let y = Math.max(0, Math.floor(by)); y < Math.min(H, Math.ceil(by + bh)); y++)
      for (let x = Math.max(0, Math.floor(bx)); x < Math.min(W, Math.ceil(bx + bw)); x++) {
        const dx = (x + 0.5 - (bx + bw / 2)) / (bw / 2);
        const dy = (y + 0.5 - (by + bh / 2)) / (bh / 2);
        if (dx * dx + dy * dy > 1) continue;
        ea++;
        ei += full[y * W + x];
      }
    // Leaf ceiling: the best union of leaves is a prefix of the leaves sorted by their share inside the GT.
    const inter = new Float64Array(h.leafCount);
    let g = 0;
    for (let y = 0; y < wh; y++) {
      const Y = Math.min(H - 1, Math.floor(((y + 0.5) * H) / wh));
      for (let x = 0; x < w; x++) {
        const X = Math.min(W - 1, Math.floor(((x + 0.5) * W) / w));
        if (full[Y * W + X]) {
          inter[h.leafLabels[y * w + x]]++;
          g++;
        }
      }
    }
    const leaves = [...inter.keys()].filter((l) => inter[l] > 0);
    leaves.sort((a, b) => inter[b] / h.workArea(b) - inter[a] / h.workArea(a) || a - b);
    let si = 0;
    let sa = 0;
    let ceiling = 0;
    for (const l of leaves) {
      si += inter[l];
      sa += h.workArea(l);
      ceiling = Math.max(ceiling, si / (sa + g - si));
    }
    const c0 = cuts[0]?.get(best);
    const ci = c0 ? maskIntersection(c0, gtMask) : 0;
    rows.push({
      prec: c0 ? ci / Math.max(1, maskArea(c0)) : 0,
      rec: ci / gtArea,
      frac: gtArea / (W * H),
      seed: iou(seeds.get(best)),
      cuts: cuts.map((c) => iou(c.get(best))),
      ellipse: ei / (ea + gtArea - ei),
      ceiling,
    });
  }
}
const mean = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : 0);
const buckets: [string, (f: number) => boolean][] = [
  ["all", () => true],
  ["< 0.3 %", (f) => f < 0.003],
  ["0.3–1 %", (f) => f >= 0.003 && f < 0.01],
  ["1–5 %", (f) => f >= 0.01 && f < 0.05],
  ["≥ 5 %", (f) => f >= 0.05],
];
console.log(
  `thing segments with a box (IoU ≥ 0.5): ${rows.length}; ${((performance.now() - t0) / 1000).toFixed(1)} s, cuts ${(cutMs / 1000).toFixed(2)} s in all`,
);
console.log(
  `bucket    n    seed   ${configs.map((_, i) => `cut${i}  `).join(" ")} ellipse ceiling  (cut0 precision / recall)  best-of`,
);
for (const [name, f] of buckets) {
  const g = rows.filter((r) => f(r.frac));
  console.log(
    `${name.padEnd(8)} ${String(g.length).padStart(4)}  ${mean(g.map((r) => r.seed)).toFixed(3)}  ${configs.map((_, i) => mean(g.map((r) => r.cuts[i])).toFixed(3)).join("  ")}  ${mean(g.map((r) => r.ellipse)).toFixed(3)}  ${mean(g.map((r) => r.ceiling)).toFixed(3)}  (${mean(g.map((r) => r.prec)).toFixed(2)} / ${mean(g.map((r) => r.rec)).toFixed(2)})  ${mean(g.map((r) => Math.max(r.seed, ...r.cuts))).toFixed(3)}`,
  );
}
if (process.env.SQ_DEBUG)
  for (const r of rows.filter((r) => r.frac < 0.01))
    console.log(
      r.frac.toFixed(4),
      r.seed.toFixed(2),
      r.cuts.map((c) => c.toFixed(2)).join(" "),
      r.ellipse.toFixed(2),
      r.ceiling.toFixed(2),
    );
for (let i = 0; i < configs.length; i++) console.log(`cut${i} = ${JSON.stringify(configs[i])}`);
