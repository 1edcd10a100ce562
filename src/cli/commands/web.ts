import { mkdir } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { UserError } from "../../errors.js";
import {
  parseLabelStyle,
  parseMarkTypes,
  parsePositiveInt,
  parsePositiveNumber,
  parseUnit,
} from "../options.js";
import type { SetExit } from "./set-exit.js";

interface WebCliOptions {
  out: string;
  viewport: { width: number; height: number };
  deviceScaleFactor: number;
  fullPage?: boolean;
  waitUntil: "load" | "networkidle" | "domcontentloaded";
  waitFor?: string;
  setup?: string;
  timeout: number;
  maxMarks?: number;
  marks?: import("../../render/render.js").MarkType[];
  labels: "numeric" | "alpha";
  alpha?: number;
  fontSize?: number;
  pngLevel?: number;
  quiet?: boolean;
}

function parseViewport(v: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/i.exec(v.trim());
  const width = m ? Number(m[1]) : 0;
  const height = m ? Number(m[2]) : 0;
  if (!m || width < 100 || height < 100 || width > 8192 || height > 8192) {
    throw new InvalidArgumentError(
      "--viewport must be WIDTHxHEIGHT in CSS px, 100–8192 each (e.g. 1280x800)",
    );
  }
  return { width, height };
}

export function registerWeb(program: Command, setExit: SetExit): void {
  program
    .command("web")
    .description(
      "mark a live page's interactive elements: writes DIR/<stem>.som.png, <stem>.som.json and <stem>.elements.txt",
    )
    .argument("<target>", "URL (http, https, file) or a local .html file")
    .option("-o, --out <dir>", "output folder", ".")
    .option("--viewport <WxH>", "viewport in CSS px", parseViewport, { width: 1280, height: 800 })
    .option(
      "--device-scale-factor <n>",
      "device pixels per CSS px (image px = CSS px × n)",
      parsePositiveNumber("--device-scale-factor"),
      1,
    )
    .option("--full-page", "mark and capture the whole page, not only the viewport")
    .addOption(
      new Option("--wait-until <event>", "when navigation counts as done")
        .choices(["load", "networkidle", "domcontentloaded"])
        .default("load"),
    )
    .option("--wait-for <selector>", "wait until this CSS selector is visible before marking")
    .option("--setup <file.js>", "JavaScript run in the page after load, before marking")
    .option("--timeout <ms>", "navigation / wait timeout in ms", parsePositiveInt("--timeout"), 30000)
    .option("-n, --max-marks <n>", "mark at most N elements (reading order)", parsePositiveInt("--max-marks"))
    .addOption(
      new Option("--marks <types>", "what to draw: number,mask,contour,box (default number,box)").argParser(
        parseMarkTypes,
      ),
    )
    .option("--labels <style>", "label text: numeric or alpha", parseLabelStyle, "numeric")
    .option("--alpha <a>", "tint opacity 0..1 (with --marks mask)", parseUnit("--alpha"))
    .option(
      "--font-size <px>",
      "badge font size in image px (default 12 × device scale factor)",
      parsePositiveInt("--font-size"),
    )
    .option("--png-level <0-9>", "zlib level of the marked PNG", parsePngLevel)
    .option("-q, --quiet", "no progress line")
    .action(async (target: string, opts: WebCliOptions) => {
      await runWeb(target, opts);
      setExit(0);
    });
}

function parsePngLevel(v: string): number {
  const n = v.trim() === "" ? Number.NaN : Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 9)
    throw new InvalidArgumentError("--png-level must be a whole number 0 to 9");
  return n;
}

/** Stem of the output files: the file's name, or the URL's host + last path part. */
function stemOf(target: string): string {
  if (/^https?:/i.test(target)) {
    const u = new URL(target);
    const last = u.pathname.split("/").filter(Boolean).pop();
    return `${u.hostname}${last ? `-${basename(last, extname(last))}` : ""}`.replace(/[^\w.-]+/g, "_");
  }
  const p = target.replace(/^file:\/\//i, "");
  return basename(p, extname(p)) || "page";
}

async function runWeb(target: string, opts: WebCliOptions): Promise<void> {
  const started = performance.now();
  const { capturePage, readSetup, targetUrl } = await import("../../proposers/web/capture.js");
  const { renderWebMarks, formatElementList } = await import("../../proposers/web/index.js");
  const { writeFileAtomic } = await import("../../io/atomic-write.js");
  const url = await targetUrl(target);
  const setup = opts.setup ? await readSetup(opts.setup) : undefined;
  const { marks, screenshot } = await capturePage(url, {
    viewport: opts.viewport,
    deviceScaleFactor: opts.deviceScaleFactor,
    fullPage: opts.fullPage === true,
    waitUntil: opts.waitUntil,
    waitFor: opts.waitFor,
    setup,
    timeoutMs: opts.timeout,
    maxMarks: opts.maxMarks,
  });
  const stem = stemOf(target);
  const { png, manifest } = await renderWebMarks(screenshot, marks, {
    marks: opts.marks,
    labels: opts.labels,
    alpha: opts.alpha,
    fontSize: opts.fontSize,
    pngLevel: opts.pngLevel,
    file: url,
  });
  const text = formatElementList(marks.marks, marks);
  await mkdir(opts.out, { recursive: true }).catch((err: Error) => {
    throw new UserError(`cannot create output folder ${opts.out}: ${err.message}`);
  });
  const base = join(opts.out, stem);
  // Everything is computed before the first write; each file is written atomically.
  await writeFileAtomic(`${base}.som.png`, png);
  await writeFileAtomic(`${base}.som.json`, `${JSON.stringify(manifest, null, 1)}\n`);
  await writeFileAtomic(`${base}.elements.txt`, text);
  if (!opts.quiet) {
    const ms = Math.round(performance.now() - started);
    process.stderr.write(
      `${target}: ${marks.marks.length} marks → ${base}.som.png, ${base}.som.json, ${base}.elements.txt (${ms} ms)\n`,
    );
  }
}
