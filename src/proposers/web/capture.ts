import { readFile, stat } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { launchChromium, newContext } from "../../browser/launch.js";
import { UserError } from "../../errors.js";
import { INIT_SCRIPT } from "./init-script.js";
import { snapshotPage } from "./mark-page.js";
import type { WebMarks } from "./types.js";

export interface CaptureOptions {
  viewport: { width: number; height: number };
  deviceScaleFactor: number;
  fullPage: boolean;
  waitUntil: "load" | "networkidle" | "domcontentloaded";
  waitFor?: string;
  /** JavaScript source run in the page after load, before marking. */
  setup?: string;
  timeoutMs: number;
  maxMarks?: number;
  executablePath?: string;
}

/** URL for a command-line target: http(s)/file URLs as they are, anything else a local HTML file. */
export async function targetUrl(target: string): Promise<string> {
  if (/^(https?|file):/i.test(target)) return target;
  const path = resolve(target);
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) throw new UserError(`${target}: no such file (give a URL or an .html file)`);
  if (![".html", ".htm", ".xhtml"].includes(extname(path).toLowerCase())) {
    throw new UserError(`${target}: not an HTML file (expected .html / .htm / .xhtml)`);
  }
  return pathToFileURL(path).href;
}

/** Read a --setup script. */
export async function readSetup(file: string): Promise<string> {
  return readFile(file, "utf8").catch((err: Error) => {
    throw new UserError(`--setup ${file}: ${err.message}`);
  });
}

/** Open `url` in a fresh headless Chromium context (recorder installed first), mark it and screenshot it. */
export async function capturePage(
  url: string,
  options: CaptureOptions,
): Promise<{ marks: WebMarks; screenshot: Buffer }> {
  const browser = await launchChromium({ executablePath: options.executablePath });
  try {
    const context = await newContext(browser, {
      viewport: options.viewport,
      deviceScaleFactor: options.deviceScaleFactor,
      initScripts: [INIT_SCRIPT],
    });
    context.setDefaultTimeout(options.timeoutMs);
    const page = await context.newPage();
    await load(page, url, options);
    return await snapshotPage(page, { fullPage: options.fullPage, maxMarks: options.maxMarks });
  } finally {
    await browser.close().catch(() => {});
  }
}

async function load(page: Page, url: string, options: CaptureOptions): Promise<void> {
  let response: Awaited<ReturnType<Page["goto"]>>;
  try {
    response = await page.goto(url, { waitUntil: options.waitUntil, timeout: options.timeoutMs });
  } catch (err) {
    throw new UserError(`${url}: ${firstLine(err)}`);
  }
  if (response) {
    if (response.status() >= 400)
      throw new UserError(`${url}: HTTP ${response.status()} ${response.statusText()}`.trim());
    const type = (response.headers()["content-type"] ?? "").toLowerCase();
    if (type && !/text\/html|application\/xhtml\+xml/.test(type)) {
      throw new UserError(`${url}: not an HTML page (content-type ${type.split(";")[0]})`);
    }
  }
  const isHtml = await page.evaluate(() => document.contentType);
  if (!/html/.test(isHtml)) throw new UserError(`${url}: not an HTML page (${isHtml})`);
  if (options.setup) {
    try {
      await page.evaluate(options.setup);
    } catch (err) {
      throw new UserError(`--setup script failed: ${firstLine(err)}`);
    }
  }
  if (options.waitFor) {
    try {
      await page.waitForSelector(options.waitFor, { state: "visible", timeout: options.timeoutMs });
    } catch (err) {
      throw new UserError(`--wait-for ${options.waitFor}: ${firstLine(err)}`);
    }
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split("\n")[0] ?? msg).replace(/^page\.\w+: /, "");
}
