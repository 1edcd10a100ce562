/** The readable summary `som eval` prints (the JSON summary carries full precision). */
import { table } from "../metrics/format.js";
import type { EvalSummary } from "./task-types.js";

const pct = (v: number | null) => (v === null || Number.isNaN(v) ? "n/a" : (v * 100).toFixed(2));

export function formatSummary(s: EvalSummary, maxRows = 15): string {
  const head =
    `som eval ${s.task} · ${s.dataset}\n` +
    `provider ${s.provider} (${s.model}) · marks from ${s.marksFrom} · ${s.samples} samples` +
    `${s.failed ? `, ${s.failed} failed (scored as empty answers)` : ""} · ${s.marksPerSample.toFixed(1)} marks/sample`;
  const metrics = table(
    ["metric", "%"],
    Object.entries(s.metrics).map(([k, v]) => [k === s.primary ? `${k} *` : k, pct(v)]),
  );
  let out = `${head}\n\n${metrics}`;
  const b = s.breakdown;
  if (b && b.rows.length > 0) {
    const rows = b.rows
      .slice(0, maxRows)
      .map((r) => [r.name, ...r.values.map((v, i) => (b.fractions[i] ? pct(v) : String(v ?? "n/a")))]);
    const more = b.rows.length > maxRows ? `\n… ${b.rows.length - maxRows} more rows in the report` : "";
    out += `\n\n${b.title}\n${table(["", ...b.columns], rows)}${more}`;
  }
  for (const note of s.notes ?? []) out += `\nnote: ${note}`;
  return `${out}\n`;
}
