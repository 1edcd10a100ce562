/**
 * Readable tables for `som metrics` (the `--json` output carries full precision). Each table rounds
 * as its official evaluator prints: panoptic PQ ×100 to 1 decimal, DAVIS fractions to 3, referring
 * and grounding figures as percentages to 2.
 */
import type { DavisReport, DavisScores } from "./davis.js";
import type { FlickrReport } from "./flickr.js";
import type { PanopticReport } from "./panoptic.js";
import type { RecReport } from "./rec.js";
import type { ReferReport } from "./refer.js";

/** Left-aligned first column, right-aligned others. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const fixed = (v: number | null, digits: number, scale = 1) =>
  v === null || Number.isNaN(v) ? "n/a" : (v * scale).toFixed(digits);

export function formatPanoptic(r: PanopticReport): string {
  const rows = (["All", "Things", "Stuff"] as const).map((name) => {
    const g = r[name];
    return [
      name,
      fixed(g?.pq ?? null, 1, 100),
      fixed(g?.sq ?? null, 1, 100),
      fixed(g?.rq ?? null, 1, 100),
      String(g?.n ?? 0),
    ];
  });
  return table(["", "PQ", "SQ", "RQ", "N"], rows);
}

const DAVIS_COLUMNS: [string, keyof DavisScores][] = [
  ["J&F-Mean", "JF_mean"],
  ["J-Mean", "J_mean"],
  ["J-Recall", "J_recall"],
  ["J-Decay", "J_decay"],
  ["F-Mean", "F_mean"],
  ["F-Recall", "F_recall"],
  ["F-Decay", "F_decay"],
];

export function formatDavis(r: DavisReport): string {
  const row = (name: string, s: DavisScores) => [name, ...DAVIS_COLUMNS.map(([, k]) => fixed(s[k], 3))];
  const rows = [row("global", r.global)];
  for (const [seq, { objects }] of Object.entries(r.sequences)) {
    for (const [id, s] of Object.entries(objects)) rows.push(row(`${seq}_${id}`, s));
  }
  return table(["", ...DAVIS_COLUMNS.map(([h]) => h)], rows);
}

export function formatRefer(r: ReferReport): string {
  const rows = [
    ["mIoU", fixed(r.mIoU, 2, 100)],
    ["cIoU (overall)", fixed(r.cIoU, 2, 100)],
    ...Object.entries(r.precision).map(([t, v]) => [`precision@${t}`, fixed(v, 2, 100)]),
  ];
  return table(["metric", "%"], rows);
}

export function formatRec(r: RecReport): string {
  return table(["metric", "%"], [["accuracy@0.5", fixed(r.accuracy, 2, 100)]]);
}

export function formatFlickr(r: FlickrReport): string {
  const rows = [
    ["recall@1", fixed(r["recall@1"], 2, 100)],
    ["recall@5", fixed(r["recall@5"], 2, 100)],
    ["recall@10", fixed(r["recall@10"], 2, 100)],
    ...Object.entries(r.upper_bound).map(([cat, v]) => [`upper bound (${cat})`, fixed(v, 2, 100)]),
  ];
  return table(["metric", "%"], rows);
}
