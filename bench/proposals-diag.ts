/**
 * Tuning aid for the built-in proposer: how good is the hierarchy itself? For each image, on the working
 * grid, the best IoU per GT segment over (a) every tree node, (b) the regions selected at each granularity.
 * `npx tsx bench/proposals-diag.ts [--limit 20] [--opts JSON] [--granularity 0.5]`
 */
import { parseArgs } from "node:util";
import { buildHierarchy } from "../src/proposers/builtin/hierarchy.js";
import { selectNodes } from "../src/proposers/builtin/select.js";
import { loadCocoPanoptic } from "../src/eval/proposals-data.js";
import { nodeOverlap } from "./node-overlap.js";

const { values } = parseArgs({
  options: {
    dataset: { type: "string", default: "../shared/datasets/coco-panoptic-val2017" },
    limit: { type: "string", default: "20" },
    opts: { type: "string", default: "{}" },
    granularity: { type: "string", default: "0.5" },
  },
});
const opts = JSON.parse(values.opts);
const gs = values.granularity.split(",").map(Number);
const allBest: number[] = [];
const selBest: number[][] = gs.map(() => []);
const selCount: number[] = gs.map(() => 0);
let leaves = 0;
const K = 40;
const rankBest: number[][] = [[], [], [], [], [], [], []];
const cutCounts = [3, 5, 8, 12, 20, 30, 50, 80, 120];
const cutBest: number[][] = cutCounts.map(() => []);
let n = 0;
let secs = 0;
for await (const gt of loadCocoPanoptic(values.dataset, Number(values.limit))) {
  const t0 = performance.now();
  const h = buildHierarchy(gt.image, opts);
  secs += (performance.now() - t0) / 1000;
  n++;
  leaves += h.leafCount;
  const t = h.tree;
  const { bestOf } = nodeOverlap(h, gt.labelMaps[0], gt.segments[0]);
  allBest.push(...bestOf(Array.from({ length: t.nodeCount }, (_, i) => i)));
  {
    const ok = Array.from({ length: t.nodeCount }, (_, i) => i).filter(
      (v) => h.areaFraction(v) >= 0.0005 && h.areaFraction(v) < 0.95,
    );
    const hp = (v: number) => {
      const p = t.parent[v];
      return p < 0 ? 10 : Math.log((t.height[p] + 1e-6) / (t.height[v] + 1e-6));
    };
    const rankers: ((v: number) => number)[] = [
      (v) => h.contrast(v),
      (v) => h.contrast(v) * Math.min(1, h.areaFraction(v) * 100) ** 0.5,
      (v) => h.contrast(v) * h.areaFraction(v) ** 0.25,
      (v) => h.persistence(v),
      hp,
      (v) => hp(v) * Math.min(1, h.areaFraction(v) * 100),
      (v) => h.persistence(v) * Math.min(1, h.areaFraction(v) * 100),
    ];
    const lv = new Set<number>();
    for (let c = 200; c >= 2; c = Math.min(c - 1, Math.floor(c * 0.7))) for (const v of h.cut(c)) lv.add(v);
    const okl = ok.filter((v) => lv.has(v));
    rankers.forEach((f, i) => {
      const sorted = [...okl].sort((a, b) => f(b) - f(a));
      const kept: number[] = [];
      for (const v of sorted) {
        if (kept.length >= K) break;
        const dup = kept.some((k) => {
          const [s, l] = t.area[k] < t.area[v] ? [k, v] : [v, k];
          if (t.area[s] / t.area[l] <= 0.9) return false;
          for (let p = t.parent[s]; p >= 0 && t.area[p] <= t.area[l]; p = t.parent[p])
            if (p === l) return true;
          return false;
        });
        if (!dup) kept.push(v);
      }
      rankBest[i].push(...bestOf(kept));
    });
  }
  cutCounts.forEach((c, i) => {
    cutBest[i].push(...bestOf(h.cut(c)));
  });
  gs.forEach((g, i) => {
    const sel = selectNodes(h, { granularity: g });
    selCount[i] += sel.length;
    selBest[i].push(...bestOf(sel));
  });
}
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const r50 = (a: number[]) => a.filter((v) => v >= 0.5).length / a.length;
console.log(`images ${n} leaves/img ${(leaves / n).toFixed(0)} s/img ${(secs / n).toFixed(3)}`);
console.log(`all nodes: mIoU ${mean(allBest).toFixed(3)} R@0.5 ${r50(allBest).toFixed(3)}`);
gs.forEach((g, i) => {
  console.log(
    `g=${g}: mIoU ${mean(selBest[i]).toFixed(3)} R@0.5 ${r50(selBest[i]).toFixed(3)} nodes ${(selCount[i] / n).toFixed(1)}`,
  );
});
cutCounts.forEach((c, i) => {
  console.log(`cut ${c}: mIoU ${mean(cutBest[i]).toFixed(3)} R@0.5 ${r50(cutBest[i]).toFixed(3)}`);
});
rankBest.forEach((b, i) => {
  console.log(`ranker ${i} top ${K}: mIoU ${mean(b).toFixed(3)} R@0.5 ${r50(b).toFixed(3)}`);
});
