/**
 * A self-contained HTML report of an eval run: headline metrics, the per-class (or per-sequence) table and
 * an inline SVG bar chart of it. No scripts, fonts or images from elsewhere, so it opens offline.
 */
import type { Breakdown, EvalSummary } from "./task-types.js";

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const pct = (v: number | null) => (v === null || Number.isNaN(v) ? "n/a" : (v * 100).toFixed(2));

export function renderHtmlReport(s: EvalSummary): string {
  const metricRows = Object.entries(s.metrics)
    .map(
      ([k, v]) => `<tr${k === s.primary ? ' class="primary"' : ""}><th>${esc(k)}</th><td>${pct(v)}</td></tr>`,
    )
    .join("\n");
  const info: [string, string][] = [
    ["data set", s.dataset],
    ["provider", `${s.provider} (${s.model})`],
    ["marks from", s.marksFrom],
    ["samples", `${s.samples}${s.failed ? ` (${s.failed} failed, scored as empty answers)` : ""}`],
    ["marks per sample", s.marksPerSample.toFixed(1)],
    ["time", `${s.seconds.toFixed(1)} s of sample processing`],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>som eval ${esc(s.task)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:72em}
table{border-collapse:collapse;margin:1em 0}th,td{padding:3px 10px;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child{text-align:left}tr.primary{font-weight:bold;background:#eef4ff}
caption{text-align:left;font-weight:bold;padding:4px 0;white-space:nowrap}svg text{font:11px system-ui,sans-serif}
.notes{color:#555}
</style></head><body>
<h1>som eval ${esc(s.task)}</h1>
<table>${info.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table>
<table><caption>Metrics (%; the paper's headline metric in bold)</caption>
${metricRows}
</table>
${s.breakdown && s.breakdown.rows.length > 0 ? `${barChart(s.breakdown)}\n${breakdownTable(s.breakdown)}` : ""}
${s.notes?.length ? `<ul class="notes">${s.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : ""}
</body></html>
`;
}

function breakdownTable(b: Breakdown): string {
  const head = `<tr><th></th>${b.columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>`;
  const rows = b.rows
    .map(
      (r) =>
        `<tr><td>${esc(r.name)}</td>${r.values
          .map((v, i) => `<td>${b.fractions[i] ? pct(v) : esc(String(v ?? "n/a"))}</td>`)
          .join("")}</tr>`,
    )
    .join("\n");
  return `<table><caption>${esc(b.title)}</caption>\n${head}\n${rows}\n</table>`;
}

/** Horizontal bars of the chart column, one per row (at most 40, lowest first: where the marks fail). */
export function barChart(b: Breakdown): string {
  const rows = b.rows
    .map((r) => ({ name: r.name, v: r.values[b.chart] }))
    .filter((r): r is { name: string; v: number } => typeof r.v === "number" && !Number.isNaN(r.v))
    .sort((a, c) => a.v - c.v)
    .slice(0, 40);
  if (rows.length === 0) return "";
  const frac = b.fractions[b.chart];
  const max = frac ? 1 : Math.max(...rows.map((r) => r.v), 1e-9);
  const labelW = 170;
  const barW = 420;
  const rowH = 18;
  const h = rows.length * rowH + 30;
  const bars = rows
    .map((r, i) => {
      const y = 20 + i * rowH;
      const w = Math.max(0, (r.v / max) * barW);
      const text = frac ? `${(r.v * 100).toFixed(1)}` : String(r.v);
      return (
        `<text x="${labelW - 6}" y="${y + 12}" text-anchor="end">${esc(r.name.slice(0, 28))}</text>` +
        `<rect x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 5}" fill="#4a7bd0"/>` +
        `<text x="${labelW + w + 4}" y="${y + 12}">${text}</text>`
      );
    })
    .join("\n");
  // "Per category" → "precision (%) by category".
  const title = `${b.columns[b.chart]}${frac ? " (%)" : ""} by ${b.title.toLowerCase().replace(/^per /, "")}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 60}" height="${h}" role="img" aria-label="${esc(title)}">
<text x="0" y="12" font-weight="bold">${esc(title)}</text>
<line x1="${labelW}" y1="18" x2="${labelW}" y2="${h - 8}" stroke="#888"/>
${bars}
</svg>`;
}
