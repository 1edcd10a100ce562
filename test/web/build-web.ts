import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "vite";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const WEB_DIR = join(ROOT, "dist-web");

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

/** Build the web app when dist-web is missing or older than its sources (about a second). */
export async function ensureWebBuilt(): Promise<string> {
  const index = join(WEB_DIR, "index.html");
  // The app also bundles src/regions/rle.ts (COCO RLE decoding).
  const sources = Math.max(
    newest(join(ROOT, "web")),
    statSync(join(ROOT, "src", "regions", "rle.ts")).mtimeMs,
  );
  if (!existsSync(index) || statSync(index).mtimeMs < sources) {
    await build({ configFile: join(ROOT, "web", "vite.config.ts"), logLevel: "error" });
  }
  return WEB_DIR;
}
