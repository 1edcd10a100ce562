/**
 * Granularity curve of the built-in proposer: marks per image vs oracle mIoU and recall@0.5 on 20 COCO
 * panoptic photos. Prints a Markdown table and writes bench/builtin-granularity.png.
 * `npx tsx bench/proposals-plot.ts [--limit 20]`
 */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createCanvas } from "@napi-rs/canvas";
import { evaluateProposals } from "../src/eval/proposals-run.js";
import { createBuiltinProposer } from "../src/proposers/builtin/index.js";

const { values } = parseArgs({
  options: {
    dir: { type: "string", default: "../shared/datasets/coco-panoptic-val2017" },
    limit: { type: "string", default: "20" },
    out: { type: "string", default: "bench/builtin-granularity.png" },
  },
});
const gs = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
const results = await evaluateProposals({
  kind: "coco-panoptic",
  dir: values.dir,
  proposer: createBuiltinProposer(),
  granularities: gs,
  limit: Number(values.limit),
});
console.log("| granularity | marks/image | oracle mIoU | recall@0.5 |");
console.log("|---|---|---|---|");
for (const r of results) {
  const s = r.summary;
  console.log(
    `| ${r.granularity} | ${s.marksPerImage.toFixed(1)} | ${s.oracleMIoU.toFixed(3)} | ${s.recall50.toFixed(3)} |`,
  );
}

// Plot: x = marks per image (log scale), y = score.
const W = 480;
const H = 300;
const m = { l: 48, r: 16, t: 28, b: 40 };
const c = createCanvas(W, H);
const g = c.getContext("2d");
g.fillStyle = "#fff";
g.fillRect(0, 0, W, H);
const xs = results.map((r) => Math.log10(r.summary.marksPerImage));
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
const series: [string, (i: number) => number][] = [
  ["#1f77b4", (i) => results[i].summary.oracleMIoU],
  ["#d62728", (i) => results[i].summary.recall50],
];
for (const [colour, val] of series) {
  g.strokeStyle = colour;
  g.fillStyle = colour;
  g.lineWidth = 2;
  g.beginPath();
  results.forEach((_, i) => {
    if (i === 0) g.moveTo(px(xs[i]), py(val(i)));
    else g.lineTo(px(xs[i]), py(val(i)));
  });
  g.stroke();
  results.forEach((_, i) => {
    g.beginPath();
    g.arc(px(xs[i]), py(val(i)), 3, 0, 2 * Math.PI);
    g.fill();
  });
}
g.fillStyle = "#1f77b4";
g.fillText("oracle mIoU", m.l + 8, m.t + 14);
g.fillStyle = "#d62728";
g.fillText("recall@0.5", m.l + 8, m.t + 28);
await writeFile(values.out, c.toBuffer("image/png"));
console.log(`wrote ${values.out}`);
