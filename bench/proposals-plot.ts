/**
 * Granularity curve of the built-in proposer: marks per image vs oracle mIoU and recall@0.5 on 20 COCO
 * panoptic photos, weight-free (solid) and detector-guided, the default (dashed, skipped when its packages
 * are missing). Prints Markdown tables and writes bench/builtin-granularity.png.
 * `npx tsx bench/proposals-plot.ts [--limit 20]`
 */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createCanvas } from "@napi-rs/canvas";
import { evaluateProposals } from "../src/eval/proposals-run.js";
import { createBuiltinProposer, detectorAvailable } from "../src/proposers/builtin/index.js";

const { values } = parseArgs({
  options: {
    dir: { type: "string", default: "../shared/datasets/coco-panoptic-val2017" },
    limit: { type: "string", default: "20" },
    out: { type: "string", default: "bench/builtin-granularity.png" },
  },
});
const gs = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
const curve = async (detector: boolean) => {
  const results = await evaluateProposals({
    kind: "coco-panoptic",
    dir: values.dir,
    proposer: createBuiltinProposer({ detector: detector ? "centernet" : "none" }),
    granularities: gs,
    limit: Number(values.limit),
  });
  console.log(detector ? "\ndetector-guided (the default):" : "weight-free (--detector none):");
  console.log("| granularity | marks/image | oracle mIoU | recall@0.5 |");
  console.log("|---|---|---|---|");
  for (const r of results) {
    const s = r.summary;
    console.log(
      `| ${r.granularity} | ${s.marksPerImage.toFixed(1)} | ${s.oracleMIoU.toFixed(3)} | ${s.recall50.toFixed(3)} |`,
    );
  }
  return results;
};
const results = await curve(false);
const withDetector = detectorAvailable() ? await curve(true) : [];

// Plot: x = marks per image (log scale), y = score.
const W = 480;
const H = 300;
const m = { l: 48, r: 16, t: 28, b: 40 };
const c = createCanvas(W, H);
const g = c.getContext("2d");
g.fillStyle = "#fff";
g.fillRect(0, 0, W, H);
const xs = [...results, ...withDetector].map((r) => Math.log10(r.summary.marksPerImage));
const x0 = Math.floor(Math.min(...xs));
const x1 = Math.ceil(Math.max(...xs));
const px = (v: number) => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
const py = (v: number) => H - m.b - v * (H - m.t - m.b);
g.strokeStyle = "#ccc";
g.fillStyle = "#333";
g.font = "11px sans-serif";
for (let v = 0; v <= 1.0001; v += 0.2) {
  g.beginPath();
  g.moveTo(m.l, py(v));
  g.lineTo(W - m.r, py(v));
  g.stroke();
  g.fillText(v.toFixed(1), 18, py(v) + 4);
}
for (let e = x0; e <= x1; e++) {
  g.beginPath();
  g.moveTo(px(e), m.t);
  g.lineTo(px(e), H - m.b);
  g.stroke();
  g.fillText(String(10 ** e), px(e) - 8, H - m.b + 14);
}
g.fillText("marks per image (log)", W / 2 - 50, H - 8);
g.fillText("built-in proposer, 20 COCO panoptic val photos; dots: granularity 0, 0.1 … 1", m.l, 16);
// The bar: mIoU 0.55 and recall 0.50 with at most 60 marks (grey dotted).
g.setLineDash([2, 3]);
g.strokeStyle = "#888";
for (const [a, b] of [
  [
    [m.l, py(0.55)],
    [px(Math.log10(60)), py(0.55)],
  ],
  [
    [m.l, py(0.5)],
    [px(Math.log10(60)), py(0.5)],
  ],
  [
    [px(Math.log10(60)), m.t],
    [px(Math.log10(60)), H - m.b],
  ],
]) {
  g.beginPath();
  g.moveTo(a[0], a[1]);
  g.lineTo(b[0], b[1]);
  g.stroke();
}
type Result = (typeof results)[number];
const draw = (rs: Result[], dash: number[]) => {
  const lx = rs.map((r) => px(Math.log10(r.summary.marksPerImage)));
  const series: [string, (r: Result) => number][] = [
    ["#1f77b4", (r) => r.summary.oracleMIoU],
    ["#d62728", (r) => r.summary.recall50],
  ];
  for (const [colour, val] of series) {
    g.strokeStyle = colour;
    g.fillStyle = colour;
    g.lineWidth = 2;
    g.setLineDash(dash);
    g.beginPath();
    rs.forEach((r, i) => {
      if (i === 0) g.moveTo(lx[i], py(val(r)));
      else g.lineTo(lx[i], py(val(r)));
    });
    g.stroke();
    g.setLineDash([]);
    rs.forEach((r, i) => {
      g.beginPath();
      g.arc(lx[i], py(val(r)), 3, 0, 2 * Math.PI);
      g.fill();
    });
  }
};
draw(results, []);
draw(withDetector, [6, 4]);
g.fillStyle = "#1f77b4";
g.fillText("oracle mIoU", m.l + 8, m.t + 14);
g.fillStyle = "#d62728";
g.fillText("recall@0.5", m.l + 8, m.t + 28);
g.fillStyle = "#333";
if (withDetector.length > 0) g.fillText("solid: weight-free; dashed: detector (default)", m.l + 90, m.t + 14);
g.fillText("dotted: bar (0.55 / 0.50, ≤ 60 marks)", m.l + 90, m.t + 28);
await writeFile(values.out, c.toBuffer("image/png"));
console.log(`wrote ${values.out}`);
