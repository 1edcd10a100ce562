import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createCanvas, GlobalFonts, type SKRSContext2D } from "@napi-rs/canvas";
import type { LabelSize } from "../marks/allocate.js";

/** Family name under which the shipped font is registered. No system font is ever relied on. */
export const LABEL_FONT_FAMILY = "SoM Sans";

// Same relative path from src/render (tsx, tests) and dist/render (built package).
const FONT_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "assets",
  "fonts",
  "DejaVuSans-Bold.ttf",
);

let registered = false;

/** Register the shipped font once; fails loudly if it is missing, since text must never silently vanish. */
export function ensureLabelFont(): void {
  if (registered) return;
  if (!existsSync(FONT_FILE)) throw new Error(`label font missing: ${FONT_FILE} (reinstall som)`);
  const key = GlobalFonts.registerFromPath(FONT_FILE, LABEL_FONT_FAMILY);
  if (!key) throw new Error(`cannot load label font ${FONT_FILE}`);
  registered = true;
}

export function labelFont(fontSize: number): string {
  return `${fontSize}px "${LABEL_FONT_FAMILY}"`;
}

/** Default label font size: grows with the image so labels stay legible after a model's resize. */
export function defaultFontSize(width: number, height: number): number {
  return Math.max(11, Math.min(72, Math.round(0.03 * Math.min(width, height))));
}

/** Geometry of a label rectangle: text plus padding. */
export interface LabelMetrics {
  fontSize: number;
  padX: number;
  measure: (text: string) => LabelSize;
}

let measureCtx: SKRSContext2D | undefined;
let measureFont = "";
/** Label sizes by font size and text: measuring goes through skia (font parsing, shaping), ~50 µs a call. */
const sizes = new Map<number, Map<string, LabelSize>>();

export function labelMetrics(fontSize: number): LabelMetrics {
  ensureLabelFont();
  measureCtx ??= createCanvas(8, 8).getContext("2d");
  const ctx = measureCtx;
  const padX = Math.max(2, Math.round(fontSize * 0.25));
  const h = Math.round(fontSize * 1.2);
  let cache = sizes.get(fontSize);
  if (!cache) {
    cache = new Map();
    sizes.set(fontSize, cache);
  }
  const known = cache;
  const font = labelFont(fontSize);
  return {
    fontSize,
    padX,
    measure(text) {
      let size = known.get(text);
      if (!size) {
        if (measureFont !== font) {
          ctx.font = font;
          measureFont = font;
        }
        size = { w: Math.ceil(ctx.measureText(text).width) + 2 * padX, h };
        known.set(text, size);
      }
      return size;
    },
  };
}
