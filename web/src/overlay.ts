import { type Runs, runsContain, toRuns } from "./rle";
import type { ManifestMark } from "./types";

/** Decoded runs per mark id, computed once per manifest. */
export type RunsById = Map<number, Runs>;

export function runsOf(marks: readonly ManifestMark[]): RunsById {
  return new Map(marks.map((m) => [m.id, toRuns(m.segmentation)]));
}

/** Longest side of the overlay bitmap; larger images are painted at a reduced scale (CSS stretches it). */
const MAX_OVERLAY_SIDE = 2048;

export function overlayScale(width: number, height: number): number {
  return Math.min(1, MAX_OVERLAY_SIDE / Math.max(width, height));
}

function hexRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * Paint selection and highlights. Highlighted regions (from an answer) stay bright while the rest of the
 * image dims; selected regions get a fill in their mark colour and a thick white outline.
 */
export function paintOverlay(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
  marks: readonly ManifestMark[],
  runs: RunsById,
  selected: ReadonlySet<number>,
  highlighted: ReadonlySet<number>,
): void {
  const s = overlayScale(width, height);
  const w = Math.max(1, Math.round(width * s));
  const h = Math.max(1, Math.round(height * s));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext("2d")!;
  ctx.clearRect(0, 0, w, h);
  if (selected.size === 0 && highlighted.size === 0) return;
  const img = ctx.createImageData(w, h);
  const px = img.data;
  const inside = new Uint8Array(w * h); // 1 = highlighted, 2 = selected (bits)
  const colour = new Int32Array(w * h).fill(-1);
  const paint = (id: number, bit: number) => {
    const r = runs.get(id);
    if (!r) return;
    for (let j = 0; j < r.starts.length; j++) {
      for (let i = r.starts[j]; i < r.ends[j]; i++) {
        const x = (Math.floor(i / r.height) * s) | 0;
        const y = ((i % r.height) * s) | 0;
        const k = y * w + x;
        inside[k] |= bit;
        if (bit === 2) colour[k] = id;
      }
    }
  };
  for (const id of highlighted) paint(id, 1);
  // Nested selections: each pixel takes the colour of the smallest selected region over it (largest painted
  // first), and is filled once, like the mask tint of the marked image (src/render).
  const areas = new Map(marks.map((m) => [m.id, m.area]));
  for (const id of [...selected].sort((a, b) => (areas.get(b) ?? 0) - (areas.get(a) ?? 0))) paint(id, 2);
  const colours = new Map(marks.map((m) => [m.id, hexRgb(m.color)]));
  // Labels stay readable: the selection fill leaves every mark's label rectangle clear.
  const onLabel = new Uint8Array(w * h);
  for (const m of marks) {
    const [lx, ly, lw, lh] = m.labelBox;
    const x0 = Math.max(0, Math.floor(lx * s));
    const x1 = Math.min(w, Math.ceil((lx + lw) * s));
    for (let y = Math.max(0, Math.floor(ly * s)); y < Math.min(h, Math.ceil((ly + lh) * s)); y++)
      onLabel.fill(1, y * w + x0, y * w + Math.max(x0, x1));
  }
  const dim = highlighted.size > 0;
  for (let k = 0; k < inside.length; k++) {
    const v = inside[k];
    const o = k * 4;
    if (v & 2 && onLabel[k]) {
      if (dim && !(v & 1)) px[o + 3] = 170;
    } else if (v & 2) {
      const [r, g, b] = colours.get(colour[k]) ?? [255, 255, 255];
      px[o] = r;
      px[o + 1] = g;
      px[o + 2] = b;
      px[o + 3] = 150;
    } else if (dim && !(v & 1)) {
      px[o + 3] = 170; // black veil outside the answer's regions
    }
  }
  // Outlines: pixels inside with an outside pixel within `t` steps, thick enough to see at a glance
  // (the mask tint of the marked image is the same colour as the selection fill).
  const t = Math.max(2, Math.round(Math.max(w, h) / 400));
  const edge = (k: number, bit: number) => {
    const x = k % w;
    const y = (k - x) / w;
    for (let d = 1; d <= t; d++) {
      if (
        (x >= d && !(inside[k - d] & bit)) ||
        (x < w - d && !(inside[k + d] & bit)) ||
        (y >= d && !(inside[k - d * w] & bit)) ||
        (y < h - d && !(inside[k + d * w] & bit))
      )
        return true;
    }
    return false;
  };
  for (let k = 0; k < inside.length; k++) {
    const v = inside[k];
    if (!v) continue;
    const o = k * 4;
    if ((v & 1 && edge(k, 1)) || (v & 2 && edge(k, 2))) {
      const hl = v & 1 && edge(k, 1);
      px[o] = 255;
      px[o + 1] = hl ? 214 : 255;
      px[o + 2] = hl ? 10 : 255;
      px[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

/** The smallest mark containing image pixel (x, y), or undefined. */
export function markAt(marks: readonly ManifestMark[], runs: RunsById, x: number, y: number) {
  let best: ManifestMark | undefined;
  for (const m of marks) {
    const [bx, by, bw, bh] = m.bbox;
    if (x < bx || y < by || x >= bx + bw || y >= by + bh) continue;
    if (best && m.area >= best.area) continue;
    const r = runs.get(m.id);
    if (r && runsContain(r, x, y)) best = m;
  }
  return best;
}
