import type { OcrLine } from "./ocr/index.js";
import type { ElementBox } from "./elements.js";
import type { UiKind } from "./kind.js";

export interface UiElement {
  x: number;
  y: number;
  w: number;
  h: number;
  kind: UiKind;
  text?: string;
  confidence?: number;
}

/** Thresholds of the merge (fractions of the smaller box's area). */
export const INSIDE = 0.8;
export const DUPLICATE_IOU = 0.7;

function inter(
  a: { x: number; y: number; w: number; h: number },
  b: { x: number; y: number; w: number; h: number },
) {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  return ix * iy;
}

/**
 * OmniParser's merge, both ways: text inside a control names it (the line is then not marked on its own);
 * an element inside a text line (a glyph, an underline) is dropped; near-duplicate elements collapse.
 */
export function mergeUi(lines: readonly OcrLine[], elements: readonly ElementBox[]): UiElement[] {
  const used = new Set<OcrLine>();
  const out: UiElement[] = [];
  const sorted = [...elements].sort((a, b) => a.w * a.h - b.w * b.h);
  for (const e of sorted) {
    const area = e.w * e.h;
    // A box inside (or mostly inside) a text line: a glyph or part of the text.
    if (lines.some((l) => inter(e, l) > INSIDE * area)) continue;
    if (out.some((o) => inter(o, e) > DUPLICATE_IOU * Math.max(area, o.w * o.h))) continue;
    const named = lines.filter((l) => !used.has(l) && inter(e, l) > INSIDE * l.w * l.h);
    // Icons never contain text; a box containing a lot of lines is a panel, not a control.
    if (e.shape === "box" && named.length > 0 && named.length <= 2) {
      for (const l of named) used.add(l);
      const text = named.map((l) => l.text).join(" ");
      const wide = e.w > 4 * e.h;
      const left = named[0].x - e.x < e.w * 0.15 && wide;
      out.push({
        ...pick(e),
        kind: left ? "input" : "button",
        text,
        confidence: Math.min(...named.map((l) => l.confidence)),
      });
    } else if (e.shape === "box" && named.length === 0) {
      const square = Math.abs(e.w - e.h) <= 3 && e.w <= 28;
      out.push({ ...pick(e), kind: square ? "checkbox" : e.w > 3 * e.h ? "input" : "image" });
    } else if (e.shape === "icon") {
      const square = Math.abs(e.w - e.h) <= 2 && e.w <= 24 && e.w >= 10;
      out.push({ ...pick(e), kind: square ? "checkbox" : "icon" });
    }
  }
  for (const l of lines) {
    if (!used.has(l)) out.push({ ...pick(l), kind: "text", text: l.text, confidence: l.confidence });
  }
  return out.sort((a, b) => a.y - b.y || a.x - b.x);
}

function pick(b: { x: number; y: number; w: number; h: number }) {
  return { x: b.x, y: b.y, w: b.w, h: b.h };
}
