/**
 * Where the detector path loses oracle mIoU on COCO panoptic: per GT segment, the best IoU of the proposed
 * marks and of any node of the (box-guided) hierarchy, grouped by stuff/thing and size. Prints each group's
 * count, mean IoU and its share of the total 1 − mIoU.
 * `npx tsx bench/detector-loss.ts [--limit 100] [--skip 0] [--no-detector]`
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadCocoPanoptic } from "../src/eval/proposals-data.js";
import { oracleIoUs } from "../src/eval/proposals.js";
import { createBuiltinProposer } from "../src/proposers/builtin/index.js";
import { nodeOverlap } from "./node-overlap.js";

const { values } = parseArgs({
  options: {
    dir: { type: "string", default: "../shared/datasets/coco-panoptic-val2017" },
    limit: { type: "string", default: "100" },
    skip: { type: "string", default: "0" },
    granularity: { type: "string", default: "0.5" },
    "no-detector": { type: "boolean", default: false },
  },
});
const gt = JSON.parse(readFileSync(join(values.dir, "panoptic_val2017.json"), "utf8"));
const thing = new Set<number>(
  gt.categories.filter((c: { isthing: number }) => c.isthing).map((c: { id: number }) => c.id),
);
const catName = new Map<number, string>(
  gt.categories.map((c: { id: number; name: string }) => [c.id, c.name]),
);
const seg = new Map<number, { category_id: number; area: number }>();
for (const a of gt.annotations) for (const s of a.segments_info) seg.set(s.id, s);
const p = createBuiltinProposer({ detector: values["no-detector"] ? "none" : "centernet" });
type Row = { stuff: boolean; frac: number; sel: number; tree: number; cat: string };
const rows: Row[] = [];
for await (const im of loadCocoPanoptic(values.dir, Number(values.limit), Number(values.skip))) {
  const regions = await p.propose(im.image, { granularity: Number(values.granularity) });
  const sel = oracleIoUs(regions, im.labelMaps[0], im.image.width, im.segments[0]);
  const h = await p.hierarchyFor(im.image);
  const best = nodeOverlap(h, im.labelMaps[0], im.segments[0]).bestOf(
    Array.from({ length: h.nodeCount }, (_, v) => v),
  );
  const px = im.image.width * im.image.height;
  im.segments[0].forEach((id, k) => {
    const s = seg.get(id)!;
    rows.push({
      stuff: !thing.has(s.category_id),
      frac: s.area / px,
      sel: sel[k],
      tree: best[k],
      cat: catName.get(s.category_id) ?? "?",
    });
  });
}
const N = rows.length;
const mean = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : 0);
console.log(
  `segments ${N}: marks mIoU ${mean(rows.map((r) => r.sel)).toFixed(3)}, any tree node ${mean(rows.map((r) => r.tree)).toFixed(3)}`,
);
const groups: [string, (r: Row) => boolean][] = [
  ["stuff", (r) => r.stuff],
  ["stuff < 5 %", (r) => r.stuff && r.frac < 0.05],
  ["stuff ≥ 5 %", (r) => r.stuff && r.frac >= 0.05],
  ["things < 1 %", (r) => !r.stuff && r.frac < 0.01],
  ["things 1–5 %", (r) => !r.stuff && r.frac >= 0.01 && r.frac < 0.05],
  ["things ≥ 5 %", (r) => !r.stuff && r.frac >= 0.05],
];
for (const [name, f] of groups) {
  const g = rows.filter(f);
  console.log(
    `${name.padEnd(14)} n ${String(g.length).padStart(4)}  marks ${mean(g.map((r) => r.sel)).toFixed(3)} (loss ${(g.reduce((a, r) => a + 1 - r.sel, 0) / N).toFixed(3)})  tree ${mean(g.map((r) => r.tree)).toFixed(3)} (loss ${(g.reduce((a, r) => a + 1 - r.tree, 0) / N).toFixed(3)})`,
  );
}
const byCat = new Map<string, Row[]>();
for (const r of rows) byCat.set(r.cat, [...(byCat.get(r.cat) ?? []), r]);
const worst = [...byCat.entries()]
  .map(
    ([c, g]) => [c, g.length, g.reduce((a, r) => a + 1 - r.sel, 0) / N, mean(g.map((r) => r.sel))] as const,
  )
  .sort((a, b) => b[2] - a[2])
  .slice(0, 15);
for (const [c, n, loss, m] of worst)
  console.log(`  ${c.padEnd(20)} n ${n} mIoU ${m.toFixed(3)} loss ${loss.toFixed(3)}`);
