import { mkdir } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { RasterImage } from "../../image/raster.js";
import { addSamModelOptions } from "../../proposers/sam/cli-options.js";
import type { PointInput } from "../../proposers/sam/interactive.js";
import type { BBox, Mask } from "../../regions/mask.js";
import type { Region } from "../../regions/region.js";
import { UserError } from "../../errors.js";
import { DEFAULT_MARKS, DEFAULT_MAX_PIXELS } from "../defaults.js";
import { parseMarkTypes } from "../options.js";
import type { SetExit } from "./set-exit.js";

function numbers(v: string, count: number[], what: string): number[] {
  const parts = v.split(",").map((s) => Number(s.trim()));
  if (!count.includes(parts.length) || parts.some((n) => !Number.isFinite(n))) {
    throw new InvalidArgumentError(
      `${what} must be ${what === "--box" ? "x,y,w,h" : "x,y or x,y,label"} (got "${v}")`,
    );
  }
  return parts;
}

export function parsePoint(v: string, prev: PointInput[] = []): PointInput[] {
  const [x, y, label = 1] = numbers(v, [2, 3], "--point");
  if (label !== 0 && label !== 1)
    throw new InvalidArgumentError(`--point label must be 1 (positive) or 0 (negative)`);
  return [...prev, { x, y, label }];
}

export function parseBox(v: string, prev: BBox[] = []): BBox[] {
  const [x, y, w, h] = numbers(v, [4], "--box");
  if (!(w > 0 && h > 0))
    throw new InvalidArgumentError(`--box width and height must be positive (got "${v}")`);
  return [...prev, [x, y, w, h]];
}

/** A scribble image: pixels that are opaque and bright (any channel ≥ 128) are strokes. */
export async function loadScribble(file: string, image: RasterImage): Promise<Mask> {
  const { loadImage } = await import("../../image/load.js");
  const { maskFromFull } = await import("../../regions/mask.js");
  const s = await loadImage(file, { keepAlpha: true });
  if (s.width !== image.width || s.height !== image.height) {
    throw new UserError(
      `--scribble ${file} is ${s.width}x${s.height} but the image is ${image.width}x${image.height}`,
    );
  }
  const full = new Uint8Array(s.width * s.height);
  for (let i = 0; i < full.length; i++) {
    const d = s.data;
    full[i] = d[i * 4 + 3] >= 128 && Math.max(d[i * 4], d[i * 4 + 1], d[i * 4 + 2]) >= 128 ? 1 : 0;
  }
  return maskFromFull(full, s.width, s.height);
}

interface SegmentCliOptions {
  model?: string;
  dtype?: string;
  device?: "cpu" | "cuda";
  point?: PointInput[];
  box?: BBox[];
  scribble?: string;
  out: string;
  marks: ReturnType<typeof parseMarkTypes>;
  quiet?: boolean;
}

export function registerSegment(program: Command, setExit: SetExit): void {
  addSamModelOptions(
    program
      .command("segment")
      .description(
        "segment what you point at with a SAM-family model: all --point's make one region, each --box one, " +
          "each connected part of a --scribble one; writes DIR/<stem>.som.json and DIR/<stem>.som.png",
      )
      .argument("<image>", "input image"),
  )
    .option(
      "--point <x,y[,label]>",
      "a prompt point in image pixels; label 1 = positive (default), 0 = negative (repeatable)",
      parsePoint,
    )
    .option(
      "--box <x,y,w,h>",
      "a box prompt in image pixels (repeatable; each box makes one region)",
      parseBox,
    )
    .option("--scribble <png>", "scribble strokes: bright opaque pixels of a PNG the size of the image")
    .option("-o, --out <dir>", "output folder", ".")
    .addOption(
      new Option("--marks <types>", "what to draw: number,mask,contour,box in any mix")
        .argParser(parseMarkTypes)
        .default([...DEFAULT_MARKS], DEFAULT_MARKS.join(",")),
    )
    .option("-q, --quiet", "no progress lines")
    .action(async (file: string, opts: SegmentCliOptions) => {
      await runSegment(file, opts);
      setExit(0);
    });
}

export async function runSegment(file: string, opts: SegmentCliOptions): Promise<void> {
  if (!opts.model) throw new UserError("segment needs --model DIR (or a name from `som models list`)");
  if (!opts.point?.length && !opts.box?.length && !opts.scribble) {
    throw new UserError("give at least one prompt: --point x,y[,label], --box x,y,w,h or --scribble PNG");
  }
  const started = performance.now();
  const { loadImage } = await import("../../image/load.js");
  const { markImage } = await import("../../pipeline/mark.js");
  const { writeFileAtomic } = await import("../../io/atomic-write.js");
  const image = await loadImage(file, { maxPixels: DEFAULT_MAX_PIXELS });
  const scribble = opts.scribble ? await loadScribble(opts.scribble, image) : undefined;
  // Loaded here, not at startup: other commands never pay for onnxruntime / transformers.js.
  const { openSamSession } = await import("../../proposers/sam/proposer.js");
  const { segmentPrompts } = await import("../../proposers/sam/interactive.js");
  const { predictor } = await openSamSession({ model: opts.model, dtype: opts.dtype, device: opts.device });
  let regions: Region[];
  try {
    regions = await segmentPrompts(predictor, image, { points: opts.point, boxes: opts.box, scribble });
  } catch (err) {
    if (err instanceof RangeError) throw new UserError(err.message);
    throw err;
  }
  if (regions.every((r) => r.area === 0))
    throw new UserError("the model found no region for these prompts", "no_regions");
  await mkdir(opts.out, { recursive: true }).catch((err: Error) => {
    throw new UserError(`cannot create output folder ${opts.out}: ${err.message}`);
  });
  const folder = predictor.runtime.folder;
  const result = await markImage(image, {
    regions,
    marks: opts.marks,
    file: basename(file),
    settings: {
      proposer: "sam",
      model: folder.dir,
      modelType: folder.modelType,
      dtype: folder.dtype,
      device: predictor.runtime.device,
    },
  });
  const stem = basename(file, extname(file));
  const jsonPath = join(opts.out, `${stem}.som.json`);
  const pngPath = join(opts.out, `${stem}.som.png`);
  await writeFileAtomic(jsonPath, `${JSON.stringify(result.manifest)}\n`);
  await writeFileAtomic(pngPath, result.png);
  if (!opts.quiet) {
    const ms = Math.round(performance.now() - started);
    process.stderr.write(`${file}: ${result.marks.length} regions → ${jsonPath}, ${pngPath} (${ms} ms)\n`);
  }
}
