/**
 * ui proposer benchmark, the DOM as the oracle: `npx tsx bench/ui.ts [--limit N]`.
 * Renders generated form / toolbar / list pages (light, dark, dense; ×1, ×2) and MiniWoB++ tasks in Chromium,
 * screenshots them, and scores the ui proposer and tesseract.js (OCR anchor) on the screenshot alone.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { chromium } from "playwright-core";
import sharp from "sharp";
import { createWorker } from "tesseract.js";
import { createUiProposer } from "../src/proposers/ui/index.js";
import { loadOcrModels } from "../src/proposers/ui/ocr/models.js";
import { benchPages } from "./ui-pages.js";

type Box = [number, number, number, number];
interface Oracle {
  interactive: Box[];
  lines: { box: Box; text: string }[];
}
interface Mark {
  box: Box;
  point: [number, number];
  text?: string;
}

const limitArg = process.argv.indexOf("--limit");
const limit = limitArg > 0 ? Number(process.argv[limitArg + 1]) : Number.POSITIVE_INFINITY;

const inside = (p: [number, number], b: Box, pad = 2) =>
  p[0] >= b[0] - pad && p[0] <= b[0] + b[2] + pad && p[1] >= b[1] - pad && p[1] <= b[1] + b[3] + pad;
const centre = (b: Box): [number, number] => [b[0] + b[2] / 2, b[1] + b[3] / 2];
function iou(a: Box, b: Box) {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const i = ix * iy;
  return i / (a[2] * a[3] + b[2] * b[3] - i);
}
const hits = (e: Box, m: Mark) => iou(e, m.box) >= 0.5 || (inside(centre(e), m.box, 0) && inside(m.point, e));

function editDistance(a: string, b: string) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
const norm = (s: string) => s.replace(/\s+/g, " ").trim();

/** Text-line recall and CER of OCR lines against DOM text lines (reference = DOM lines centred in an OCR line). */
function scoreText(oracle: Oracle, ocr: { box: Box; text: string }[]) {
  let found = 0;
  let errors = 0;
  let chars = 0;
  for (const l of oracle.lines) if (ocr.some((o) => inside(centre(l.box), o.box))) found++;
  for (const o of ocr) {
    const ref = oracle.lines
      .filter((l) => inside(centre(l.box), o.box))
      .sort((a, b) => a.box[0] - b.box[0])
      .map((l) => l.text)
      .join(" ");
    if (ref === "") continue;
    errors += editDistance(norm(o.text), norm(ref));
    chars += norm(ref).length;
  }
  return { lines: oracle.lines.length, found, errors, chars };
}

async function main() {
  const req = createRequire(import.meta.url);
  const t0 = performance.now();
  const models = await loadOcrModels();
  const loadMs = performance.now() - t0;
  const tessDir = join(dirname(req.resolve("@tesseract.js-data/eng/package.json")), "4.0.0_best_int");
  const t1 = performance.now();
  const tess = await createWorker("eng", 1, { langPath: tessDir, cacheMethod: "none", gzip: true });
  const tessLoadMs = performance.now() - t1;
  const browser = await chromium.launch({
    executablePath: process.env.SOM_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const proposer = createUiProposer();
  const acc = {
    tune: { el: 0, elHit: 0, marks: 0, good: 0, t: [0, 0, 0, 0], tess: [0, 0, 0, 0], ms: 0, tessMs: 0, n: 0 },
    held: { el: 0, elHit: 0, marks: 0, good: 0, t: [0, 0, 0, 0], tess: [0, 0, 0, 0], ms: 0, tessMs: 0, n: 0 },
  };
  const pages = benchPages().slice(0, limit);
  for (const [k, p] of pages.entries()) {
    const page = await browser.newPage({
      viewport: { width: 1280, height: 800 },
      deviceScaleFactor: p.scale,
    });
    if (p.url) {
      await page.goto(p.url);
      await page.evaluate("typeof core !== 'undefined' && core.startEpisodeReal && core.startEpisodeReal()");
      await page.waitForTimeout(300);
    } else await page.setContent(p.html ?? "");
    const oracle: Oracle = await page.evaluate(`(() => {
      const s = ${p.scale}, vis = (r) => r.width > 2 && r.height > 2 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight;
      const box = (r) => [r.left * s, r.top * s, r.width * s, r.height * s];
      const interactive = [...document.querySelectorAll('button,a[href],input,select,textarea,[role=button],[onclick]')]
        .filter((e) => e.id !== 'sync-task-cover' && getComputedStyle(e).visibility !== 'hidden')
        .map((e) => e.getBoundingClientRect()).filter(vis).map(box);
      const lines = [];
      const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        if (!n.textContent.trim() || getComputedStyle(n.parentElement).visibility === 'hidden') continue;
        const range = document.createRange(); range.selectNodeContents(n);
        for (const r of range.getClientRects()) if (vis(r)) lines.push({ box: box(r), text: n.textContent.trim() });
      }
      for (const e of document.querySelectorAll('input[placeholder],input[type=text][value],input[type=submit],input[type=button]')) {
        const r = e.getBoundingClientRect(); const t = e.value || e.placeholder;
        if (vis(r) && t) lines.push({ box: box(r), text: t });
      }
      return { interactive, lines };
    })()`);
    const png = await page.screenshot();
    await page.close();
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const image = { width: info.width, height: info.height, data: new Uint8Array(data) };
    const ts = performance.now();
    const regions = await proposer.propose(image);
    const ms = performance.now() - ts;
    const marks: Mark[] = regions.map((r) => ({
      box: r.bbox,
      point: r.extra?.point as [number, number],
      text: r.extra?.text as string | undefined,
    }));
    const tt = performance.now();
    const tr = await tess.recognize(png, {}, { blocks: true });
    const tessMs = performance.now() - tt;
    const tessLines = (tr.data.blocks ?? []).flatMap((b) =>
      b.paragraphs.flatMap((para) =>
        para.lines.map((l) => ({
          box: [l.bbox.x0, l.bbox.y0, l.bbox.x1 - l.bbox.x0, l.bbox.y1 - l.bbox.y0] as Box,
          text: l.text.trim(),
        })),
      ),
    );
    const a = p.heldOut ? acc.held : acc.tune;
    a.n++;
    if (p.scale === 1) a.ms += ms;
    if (p.scale === 1) a.tessMs += tessMs;
    a.el += oracle.interactive.length;
    a.elHit += oracle.interactive.filter((e) => marks.some((m) => hits(e, m))).length;
    a.marks += marks.length;
    a.good += marks.filter(
      (m) =>
        oracle.interactive.some((e) => hits(e, m)) || oracle.lines.some((l) => inside(m.point, l.box, 4)),
    ).length;
    const ours = scoreText(
      oracle,
      marks.filter((m) => m.text).map((m) => ({ box: m.box, text: m.text ?? "" })),
    );
    const theirs = scoreText(oracle, tessLines);
    a.t = a.t.map((v, i) => v + [ours.lines, ours.found, ours.errors, ours.chars][i]);
    a.tess = a.tess.map((v, i) => v + [theirs.lines, theirs.found, theirs.errors, theirs.chars][i]);
    process.stderr.write(`\r${k + 1}/${pages.length} ${p.name}                    `);
  }
  process.stderr.write("\n");
  await browser.close();
  await tess.terminate();
  console.log(
    `model load: ui (PP-OCRv4 det+rec) ${loadMs.toFixed(0)} ms (${models.loadMs.toFixed(0)} in session create), tesseract.js ${tessLoadMs.toFixed(0)} ms`,
  );
  console.log(
    "| split | pages | interactive recall | precision | text-line recall (ui / tesseract) | CER (ui / tesseract) | ms per ×1 screenshot (ui / tesseract) |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const [name, a] of Object.entries(acc)) {
    if (a.n === 0) continue;
    const shots1 = pages.filter((p) => p.scale === 1 && (name === "held") === p.heldOut).length || 1;
    console.log(
      `| ${name === "held" ? "held out" : "tuning"} | ${a.n} | ${(a.elHit / a.el).toFixed(3)} | ${(a.good / a.marks).toFixed(3)} | ${(a.t[1] / a.t[0]).toFixed(3)} / ${(a.tess[1] / a.tess[0]).toFixed(3)} | ${((100 * a.t[2]) / a.t[3]).toFixed(1)} % / ${((100 * a.tess[2]) / a.tess[3]).toFixed(1)} % | ${(a.ms / shots1).toFixed(0)} / ${(a.tessMs / shots1).toFixed(0)} |`,
    );
  }
}

await main();
