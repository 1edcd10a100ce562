import type { Trajectory } from "./trajectory-types.js";

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/** A self-contained page (images by relative path) showing each step: screenshot, action, result, answer. */
export function agentReportHtml(t: Trajectory): string {
  const outcome =
    t.stop === "answer"
      ? `answered ${esc(JSON.stringify(t.answer ?? ""))}`
      : t.stop === "max-steps"
        ? `stopped after ${t.maxSteps} steps without an answer`
        : "running…";
  const steps = t.steps
    .map(
      (s) => `<section class="step ${s.ok ? "ok" : "fail"}">
<h2>Step ${s.step}: <code>${esc(s.action ?? "(no action)")}</code></h2>
<p class="result">${esc(s.result)}</p>
<p class="meta">${esc(s.url)} · ${s.marks} marks · ${s.ms} ms${s.cached ? " · cached answer" : ""}</p>
<a href="${esc(s.files.screenshot)}"><img src="${esc(s.files.screenshot)}" alt="marked screenshot, step ${s.step}"></a>
<details><summary>Model answer</summary><pre>${esc(s.answer)}</pre></details>
<details><summary>Element list</summary><p><a href="${esc(s.files.elements)}">${esc(s.files.elements)}</a></p></details>
</section>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>som agent: ${esc(t.task)}</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
.step{border-left:4px solid #2a7;padding:.2rem 1rem;margin:1.5rem 0}.step.fail{border-color:#c33}
img{max-width:100%;border:1px solid #ccc}.result{font-weight:600}.meta{color:#666;font-size:13px}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.6rem}
</style></head><body>
<h1>${esc(t.task)}</h1>
<p>Start: <code>${esc(t.startUrl)}</code> · ${esc(t.provider)} (${esc(t.model)}) · ${t.steps.length} steps · <strong>${outcome}</strong>${t.finalUrl ? ` · final page <code>${esc(t.finalUrl)}</code>` : ""}</p>
${steps}
</body></html>
`;
}
