/**
 * `som web` on MiniWoB++ (../shared/datasets/miniwob-plusplus, served on loopback):
 *   (a) recall of each task's interactive elements and marks per page;
 *   (b) marking latency after load, on the task pages and on a generated page of 1,000 interactive elements,
 *       with the ratio to a per-element Playwright locator approach (one locator per candidate: isVisible +
 *       boundingBox) measured in the same run.
 *
 *   npm run bench:web -- [--seeds 2] [--tasks a,b] [--runs 5]
 *
 * Ground truth (the issue's definition, computed in the page independently of the marker): native controls
 * (a[href], button, input not hidden, select, textarea, summary), elements with an interactive ARIA role, and
 * elements with their own pointer listener (recorded by the same init script from page start), visible
 * (display, visibility, opacity, size, inside the viewport), whose centre hit-tests to themselves or a
 * descendant. An element counts as found when some mark's point hit-tests to it or inside it. The last line
 * printed is one JSON object.
 */
import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import { launchChromium, newContext } from "../src/browser/launch.js";
import { INIT_SCRIPT, markPage } from "../src/proposers/web/index.js";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "2" },
    tasks: { type: "string" },
    runs: { type: "string", default: "5" },
  },
});
const ROOT = resolve(import.meta.dirname, "..", "..", "shared", "datasets", "miniwob-plusplus");
const seeds = Number(values.seeds);
const runs = Number(values.runs);
const tasks = values.tasks
  ? values.tasks.split(",")
  : readdirSync(join(ROOT, "miniwob"))
      .filter((f) => f.endsWith(".html"))
      .map((f) => f.replace(/\.html$/, ""))
      .sort();

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".png": "image/png",
  ".json": "application/json",
};
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(
    /^[/\\]+/,
    "",
  );
  if (path === "gen/1000.html") {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(thousandPage());
    return;
  }
  try {
    const body = await readFile(join(ROOT, path));
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
const port = (server.address() as AddressInfo).port;

/** 1,000 interactive elements in a 1280×800 viewport: buttons, links, inputs, checkboxes and listener-only spans. */
function thousandPage(): string {
  const cells: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const k = i % 5;
    cells.push(
      k === 0
        ? `<button>b${i}</button>`
        : k === 1
          ? `<a href="#${i}">l${i}</a>`
          : k === 2
            ? `<input value="${i}" style="width:40px">`
            : k === 3
              ? `<input type="checkbox">`
              : `<span class="js">s${i}</span>`,
    );
  }
  return `<!doctype html><body style="margin:0;font:10px sans-serif"><div style="display:grid;grid-template-columns:repeat(40,32px);gap:0">${cells.map((c) => `<div style="height:30px;overflow:hidden">${c}</div>`).join("")}</div><script>for (const s of document.querySelectorAll(".js")) s.addEventListener("click", () => {});</script></body>`;
}

const GT_SCRIPT = `(() => {
  const state = window[Symbol.for("__som_marks_v1")];
  const CLICKY = ["click", "mousedown", "mouseup", "pointerdown", "pointerup"];
  const ROLES = new Set(["button", "link", "checkbox", "radio", "tab", "menuitem", "option", "switch", "combobox", "textbox", "slider", "spinbutton", "searchbox", "treeitem", "gridcell"]);
  const out = [];
  for (const el of document.querySelectorAll("*")) {
    if (el === document.documentElement || el === document.body) continue;
    const t = el.localName;
    const native = ((t === "a") && el.hasAttribute("href")) || t === "button" || t === "select" || t === "textarea" || t === "summary" || (t === "input" && el.type !== "hidden");
    const role = ROLES.has(el.getAttribute("role") || "");
    const ls = state && state.listeners.get(el);
    const listener = (ls && CLICKY.some((x) => ls.has(x))) || !!el.onclick || !!el.onmousedown;
    if (!native && !role && !listener) continue;
    const cs = getComputedStyle(el);
    if (cs.display === "none" || cs.visibility !== "visible" || Number(cs.opacity) === 0) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    if (cx < 0 || cy < 0 || cx >= innerWidth || cy >= innerHeight) continue;
    const h = document.elementFromPoint(cx, cy);
    if (!h || !(h === el || el.contains(h))) continue;
    out.push(el);
  }
  window.__gt = out;
  return out.length;
})()`;

const FOUND_SCRIPT = `(points) => {
  const gt = window.__gt;
  const found = new Set();
  for (const [x, y] of points) {
    const h = document.elementFromPoint(x, y);
    if (!h) continue;
    gt.forEach((el, i) => { if (el === h || el.contains(h)) found.add(i); });
  }
  return found.size;
}`;

/** The per-element Playwright approach: one locator per candidate, isVisible + boundingBox each (round trips). */
async function locatorBaseline(page: Page): Promise<number> {
  const all = await page
    .locator("a[href], button, input:not([type=hidden]), select, textarea, summary, [role], [onclick], .js")
    .all();
  let visible = 0;
  for (const l of all) {
    if (!(await l.isVisible())) continue;
    const box = await l.boundingBox();
    if (box && box.width > 0 && box.height > 0) visible++;
  }
  return visible;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : Number.NaN;
};

const browser = await launchChromium();
const context = await newContext(browser, {
  viewport: { width: 1280, height: 800 },
  initScripts: [INIT_SCRIPT],
});
const page = await context.newPage();
const perTask: { task: string; gt: number; found: number; marks: number }[] = [];
const latencies: number[] = [];
for (const task of tasks) {
  let gt = 0;
  let found = 0;
  let marks = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    await page.goto(`http://127.0.0.1:${port}/miniwob/${task}.html`, { waitUntil: "load" });
    await page.evaluate(`Math.seedrandom(${seed}); core.startEpisodeReal();`);
    await page.waitForTimeout(50);
    const t0 = performance.now();
    const m = await markPage(page);
    latencies.push(performance.now() - t0);
    gt += (await page.evaluate(GT_SCRIPT)) as number;
    found += (await page.evaluate(
      `(${FOUND_SCRIPT})(${JSON.stringify(m.marks.map((k) => k.point))})`,
    )) as number;
    marks += m.marks.length;
  }
  perTask.push({ task, gt, found, marks });
  process.stderr.write(
    `${task}: recall ${gt ? (found / gt).toFixed(3) : "-"} (${found}/${gt}), ${(marks / seeds).toFixed(1)} marks/page\n`,
  );
}
const gtTotal = perTask.reduce((s, t) => s + t.gt, 0);
const foundTotal = perTask.reduce((s, t) => s + t.found, 0);
const marksTotal = perTask.reduce((s, t) => s + t.marks, 0);
const pages = tasks.length * seeds;

// (b) 1,000 elements: som vs per-element locators, interleaved.
await page.goto(`http://127.0.0.1:${port}/gen/1000.html`);
const somMs: number[] = [];
const locMs: number[] = [];
let somCount = 0;
let locCount = 0;
await markPage(page); // warm-up
for (let r = 0; r < runs; r++) {
  let t = performance.now();
  somCount = (await markPage(page)).marks.length;
  somMs.push(performance.now() - t);
  t = performance.now();
  locCount = await locatorBaseline(page);
  locMs.push(performance.now() - t);
}
await browser.close();
server.close();
const result = {
  tasks: tasks.length,
  seeds,
  pages,
  recall: Number((foundTotal / gtTotal).toFixed(4)),
  gtPerPage: Number((gtTotal / pages).toFixed(2)),
  marksPerPage: Number((marksTotal / pages).toFixed(2)),
  marksOverGt: Number((marksTotal / gtTotal).toFixed(3)),
  taskPageLatencyMsMedian: Number(median(latencies).toFixed(1)),
  thousand: {
    somMarks: somCount,
    locatorVisible: locCount,
    somMsMedian: Number(median(somMs).toFixed(1)),
    locatorMsMedian: Number(median(locMs).toFixed(1)),
    ratio: Number((median(somMs) / median(locMs)).toFixed(3)),
  },
  missed: perTask.filter((t) => t.found < t.gt).map((t) => `${t.task} ${t.found}/${t.gt}`),
};
console.log(JSON.stringify(result));
