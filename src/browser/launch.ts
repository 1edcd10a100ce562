import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { UserError } from "../errors.js";

/** Flags for a headless system Chromium in containers and CI: no sandbox, GPU, network chatter or updates. */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

/** Names tried on PATH, in order (Debian: chromium; others: chromium-browser, google-chrome). */
const CANDIDATES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Path of the system Chromium: `SOM_CHROMIUM` when set, else the first known name on PATH. Throws a UserError
 * naming the install step when there is none (we never download a browser).
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.SOM_CHROMIUM;
  if (override) {
    if (isExecutable(override)) return override;
    throw new UserError(
      `Chromium not found at ${override} (SOM_CHROMIUM): point it at a Chromium binary or unset it`,
    );
  }
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    for (const name of CANDIDATES) {
      const p = join(dir, name);
      if (isExecutable(p)) return p;
    }
  }
  throw new UserError(
    "Chromium not found: install it with `sh scripts/system-packages.sh` (Debian package chromium), or set SOM_CHROMIUM to a Chromium binary",
  );
}

export interface LaunchOptions {
  executablePath?: string;
  /** Extra Chromium flags. */
  args?: string[];
}

/** Launch the system Chromium headless through playwright-core. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? findChromium();
  const { chromium } = await import("playwright-core");
  try {
    return await chromium.launch({
      executablePath,
      headless: true,
      args: [...CHROMIUM_FLAGS, ...(options.args ?? [])],
    });
  } catch (err) {
    const msg = err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err);
    throw new UserError(`cannot start Chromium (${executablePath}): ${msg}`);
  }
}

export interface ContextOptions {
  viewport?: { width: number; height: number };
  deviceScaleFactor?: number;
  /** Init scripts added before any page opens (e.g. the marking recorder). */
  initScripts?: string[];
}

/** A fresh context (no cookies, no storage) with the given viewport and init scripts. */
export async function newContext(browser: Browser, options: ContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    deviceScaleFactor: options.deviceScaleFactor ?? 1,
  });
  for (const content of options.initScripts ?? []) await context.addInitScript({ content });
  return context;
}
