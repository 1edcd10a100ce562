import { finestLevelCount } from "../proposers/builtin/index.js";
import { type BBox, type Mask, maskArea, maskBBox, maskFromFull, maskUnion } from "../regions/mask.js";
import { encodeRle } from "../regions/rle.js";
import type { ComputeContext } from "./compute/context.js";
import { HttpError } from "./errors.js";
import type { ImageEntry } from "./image-store.js";
import type { SegmentRequest } from "./schemas.js";

export interface SegmentedRegion {
  segmentation: ReturnType<typeof encodeRle>;
  bbox: BBox;
  area: number;
  score: number;
  source: string;
  node?: number;
}

/** Prompted regions smaller than this fraction of the image grow to their parent region. */
const MIN_FRACTION = 0.0005;
/** The prompted region comes from a level this many times finer than the finest one marked. */
const FINER = 2;
/** A hierarchy node belongs to a box prompt when this much of it lies inside the box. */
const BOX_INSIDE = 0.6;

/** Interactive prompts → regions: SAM when asked for (or configured), else the built-in hierarchy. */
export async function segmentEntry(
  ctx: ComputeContext,
  entry: ImageEntry,
  request: SegmentRequest,
): Promise<{ method: "builtin" | "sam"; regions: SegmentedRegion[] }> {
  const { width, height } = entry.image;
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height;
  for (const p of request.points) {
    if (!inside(p.x, p.y))
      throw new HttpError(
        400,
        "invalid_request",
        `point ${p.x},${p.y} is outside the ${width}x${height} image`,
      );
  }
  const method = request.method ?? (ctx.hasSam ? "sam" : "builtin");
  if (method === "sam") {
    const sam = await ctx.sam();
    const { segmentPrompts } = await import("../proposers/sam/index.js");
    const { predictor } = await sam.session();
    const scribble =
      request.scribbles.length > 0 ? rasterizeStrokes(request.scribbles, width, height, 3) : undefined;
    const regions = await segmentPrompts(predictor, entry.image, {
      points: request.points.map((p) => ({ x: p.x, y: p.y, label: p.label as 0 | 1 })),
      boxes: request.boxes as BBox[],
      scribble,
    });
    return { method, regions: regions.map((r) => describe(r.mask, r.score, "sam")) };
  }
  await ctx.prepareBuiltin(entry);
  return { method, regions: builtinSegment(entry, request) };
}

function builtinSegment(entry: ImageEntry, request: SegmentRequest): SegmentedRegion[] {
  const h = entry.hierarchy();
  const count = Math.min(h.leafCount, finestLevelCount(request.granularity) * FINER);
  const { width, height } = entry.image;
  /** The node of the finer level under a pixel, grown until it is not a speck. */
  const nodeAt = (x: number, y: number) => {
    let n = h.nodeAt(x, y, count);
    while (h.areaFraction(n) < MIN_FRACTION && h.parentOf(n) >= 0) n = h.parentOf(n);
    return n;
  };
  const regionOf = (nodes: Set<number>): SegmentedRegion | undefined => {
    if (nodes.size === 0) return undefined;
    const masks = [...nodes].flatMap((n) => h.nodeMasks(n, false));
    const mask = masks.length === 1 ? masks[0] : maskUnion(masks, width, height);
    const single = nodes.size === 1 ? [...nodes][0] : undefined;
    return { ...describe(mask, 1, "builtin"), ...(single !== undefined ? { node: single } : {}) };
  };
  const out: SegmentedRegion[] = [];
  const positives = request.points.filter((p) => p.label === 1);
  if (positives.length > 0) {
    const negatives = new Set(request.points.filter((p) => p.label === 0).map((p) => nodeAt(p.x, p.y)));
    const nodes = new Set(positives.map((p) => nodeAt(p.x, p.y)).filter((n) => !negatives.has(n)));
    const r = regionOf(nodes);
    if (r) out.push(r);
  }
  for (const [x, y, w, bh] of request.boxes) {
    // Nodes of the finer level lying mostly inside the box; the node under its centre if none does.
    const nodes = new Set<number>();
    const wx0 = Math.floor((x * h.workWidth) / width);
    const wy0 = Math.floor((y * h.workHeight) / height);
    const wx1 = Math.ceil(((x + w) * h.workWidth) / width);
    const wy1 = Math.ceil(((y + bh) * h.workHeight) / height);
    const insideCount = new Map<number, number>();
    for (let wy = Math.max(0, wy0); wy < Math.min(h.workHeight, wy1); wy++) {
      for (let wx = Math.max(0, wx0); wx < Math.min(h.workWidth, wx1); wx++) {
        const n = h.nodeAt(((wx + 0.5) * width) / h.workWidth, ((wy + 0.5) * height) / h.workHeight, count);
        insideCount.set(n, (insideCount.get(n) ?? 0) + 1);
      }
    }
    for (const [n, c] of insideCount) if (c >= BOX_INSIDE * h.workArea(n)) nodes.add(n);
    if (nodes.size === 0) nodes.add(nodeAt(Math.min(width - 1, x + w / 2), Math.min(height - 1, y + bh / 2)));
    const r = regionOf(nodes);
    if (r) out.push(r);
  }
  for (const stroke of request.scribbles) {
    const nodes = new Set<number>();
    for (const [x, y] of strokePoints(stroke, Math.max(1, Math.min(width, height) / 200))) {
      if (x >= 0 && y >= 0 && x < width && y < height) nodes.add(nodeAt(x, y));
    }
    const r = regionOf(nodes);
    if (r) out.push(r);
  }
  return out;
}

function describe(mask: Mask, score: number, source: string): SegmentedRegion {
  return { segmentation: encodeRle(mask), bbox: maskBBox(mask), area: maskArea(mask), score, source };
}

/** Points every `step` pixels along a polyline (its vertices included). */
export function strokePoints(
  stroke: readonly (readonly [number, number])[],
  step: number,
): Array<[number, number]> {
  const out: Array<[number, number]> = [[stroke[0][0], stroke[0][1]]];
  for (let i = 1; i < stroke.length; i++) {
    const [x0, y0] = stroke[i - 1];
    const [x1, y1] = stroke[i];
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / step));
    for (let k = 1; k <= n; k++) out.push([x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n]);
  }
  return out;
}

/** Strokes drawn `radius` pixels thick into one mask (SAM splits it into connected parts itself). */
function rasterizeStrokes(
  strokes: readonly (readonly (readonly [number, number])[])[],
  width: number,
  height: number,
  radius: number,
): Mask {
  const full = new Uint8Array(width * height);
  for (const stroke of strokes) {
    for (const [px, py] of strokePoints(stroke, 1)) {
      for (let y = Math.floor(py - radius); y <= py + radius; y++) {
        for (let x = Math.floor(px - radius); x <= px + radius; x++) {
          if (x >= 0 && y >= 0 && x < width && y < height && (x - px) ** 2 + (y - py) ** 2 <= radius * radius)
            full[y * width + x] = 1;
        }
      }
    }
  }
  return maskFromFull(full, width, height);
}
