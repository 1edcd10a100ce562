import type { Manifest } from "../manifest/manifest.js";
import type { LabelStyle } from "../marks/labels.js";
import { markImage } from "../pipeline/mark.js";
import { type Mask, maskArea, maskIoU, maskUnion } from "../regions/mask.js";
import { makeRegion, type Region } from "../regions/region.js";
import { decodeRle } from "../regions/rle.js";
import type { MarkType } from "../render/render.js";
import type { ComputeContext } from "./compute/context.js";
import { HttpError } from "./errors.js";
import type { ImageEntry } from "./image-store.js";
import type { MarkOptionsInput } from "./schemas.js";

export interface MarkedImage {
  imageId: string;
  manifest: Manifest;
  /** The marked PNG. */
  png: Buffer;
  /** The regions as marked (ids = mark ids), for tasks run on the same marks. */
  regions: Region[];
  timings: Record<string, number>;
}

/** A proposer region that matches an `exclude` mask this closely is dropped. */
const EXCLUDE_IOU = 0.8;

/**
 * Mark an image with the request's options: proposer regions, minus `exclude`, plus `include`. Runs in a
 * compute worker; a request that is given up ends the worker, so there is no abort signal to check here.
 */
export async function markEntry(
  ctx: ComputeContext,
  entry: ImageEntry,
  options: MarkOptionsInput,
): Promise<MarkedImage> {
  const key = JSON.stringify(options);
  const cached = entry.results.get(key) as MarkedImage | undefined;
  if (cached) return { ...cached, timings: { ...cached.timings, totalMs: 0, cached: 1 } };
  const t0 = performance.now();
  const proposer = options.proposer ?? "builtin";
  let regions: Region[];
  if (proposer === "sam") {
    const sam = await ctx.sam();
    regions = await sam.propose(entry.image, {
      granularity: options.granularity,
      maxMarks: options.maxMarks,
    });
  } else if (proposer === "ui") {
    const { createUiProposer } = await import("../proposers/ui/index.js");
    regions = await createUiProposer().propose(entry.image, { maxMarks: options.maxMarks });
  } else {
    await ctx.prepareBuiltin(entry);
    regions = await entry.builtinRegions(options.granularity, options.maxMarks);
  }
  // Node references name nodes of the built-in hierarchy: the box-guided one when a detector is set.
  if (options.include.some((ref) => "node" in ref)) await ctx.prepareBuiltin(entry);
  regions = applyEdits(entry, regions, options);
  if (regions.length === 0) {
    throw new HttpError(422, "no_regions", "no regions left to mark (all were excluded)");
  }
  const t1 = performance.now();
  const result = await markImage(entry.image, {
    regions,
    marks: options.marks as MarkType[],
    labels: options.labels as LabelStyle,
    alpha: options.alpha,
    fontSize: options.fontSize,
    settings: {
      proposer,
      ...(proposer === "builtin" ? await ctx.builtinSettings() : {}),
      granularity: options.granularity,
      ...(options.maxMarks !== undefined ? { maxMarks: options.maxMarks } : {}),
      ...(options.include.length > 0 ? { included: options.include.length } : {}),
      ...(options.exclude.length > 0 ? { excluded: options.exclude.length } : {}),
    },
  });
  const t2 = performance.now();
  const marked: MarkedImage = {
    imageId: entry.id,
    manifest: result.manifest,
    png: result.png,
    regions: result.regions,
    timings: {
      proposeMs: round(t1 - t0),
      allocateMs: round(result.timings.allocateMs),
      renderMs: round(result.timings.renderMs),
      totalMs: round(t2 - t0),
    },
  };
  entry.results.set(key, marked);
  ctx.images.trim();
  return marked;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function applyEdits(entry: ImageEntry, regions: Region[], options: MarkOptionsInput): Region[] {
  const { width, height } = entry.image;
  let out = regions;
  if (options.exclude.length > 0) {
    const nodes = new Set<number>();
    const masks: Mask[] = [];
    for (const ref of options.exclude) {
      if ("node" in ref) nodes.add(ref.node);
      else masks.push(checkedMask(ref.segmentation, width, height, "exclude"));
    }
    out = out.filter((r) => {
      if (typeof r.extra?.node === "number" && nodes.has(r.extra.node)) return false;
      return !masks.some((m) => maskIoU(r.mask, m, r.area) >= EXCLUDE_IOU);
    });
  }
  if (options.include.length > 0) {
    out = [...out];
    for (const [i, ref] of options.include.entries()) {
      if ("node" in ref) {
        const h = entry.hierarchy();
        if (ref.node >= h.nodeCount) {
          throw new HttpError(
            400,
            "invalid_request",
            `options.include.${i}.node: no node ${ref.node} in this image`,
          );
        }
        const mask = maskUnion(h.nodeMasks(ref.node, false), width, height);
        out.push(makeRegion(out.length + 1, mask, "builtin", 1, { node: ref.node, added: true }));
      } else {
        const mask = checkedMask(ref.segmentation, width, height, `options.include.${i}`);
        if (maskArea(mask) === 0) continue;
        out.push(makeRegion(out.length + 1, mask, "prompt", 1, { added: true }));
      }
    }
  }
  return out;
}

function checkedMask(
  rle: { size: [number, number]; counts: string },
  width: number,
  height: number,
  where: string,
) {
  if (rle.size[0] !== height || rle.size[1] !== width) {
    throw new HttpError(
      400,
      "invalid_request",
      `${where}: mask size ${rle.size[1]}x${rle.size[0]} differs from the image (${width}x${height})`,
    );
  }
  try {
    return decodeRle(rle);
  } catch (err) {
    throw new HttpError(400, "invalid_request", `${where}: bad RLE (${(err as Error).message})`);
  }
}
