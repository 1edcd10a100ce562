import type { RasterImage } from "../image/raster.js";
import { buildManifest, type Manifest } from "../manifest/manifest.js";
import type { PlacedMark } from "../marks/allocate.js";
import type { LabelStyle } from "../marks/labels.js";
import { placeMarks } from "../marks/place.js";
import type { ProposeOptions, Proposer } from "../proposers/proposer.js";
import type { Region } from "../regions/region.js";
import { DEFAULT_GRANULARITY, regionsFor } from "./regions.js";
import { defaultFontSize } from "../render/font.js";
import { defaultLineWidth, encodeRgbaPng, type MarkType, renderMarksRgba } from "../render/render.js";

export interface MarkOptions {
  /** Where regions come from; ignored when `regions` is given. */
  proposer?: Proposer;
  /** Regions supplied directly (user masks, a previous run…). */
  regions?: readonly Region[];
  granularity?: number;
  maxMarks?: number;
  marks?: readonly MarkType[];
  labels?: LabelStyle;
  alpha?: number;
  /** Label font size in pixels; default grows with the image. */
  fontSize?: number;
  lineWidth?: number;
  /** zlib level of the marked PNG, 0…9; default 1 (fast; 6 or 9 give ~1/3 smaller files, ~3× slower). */
  pngLevel?: number;
  /** Input file name recorded in the manifest. */
  file?: string;
  /** Extra settings recorded in the manifest (e.g. model folder). */
  settings?: Record<string, unknown>;
  onProgress?: ProposeOptions["onProgress"];
  signal?: AbortSignal;
}

export const DEFAULT_MARKS: readonly MarkType[] = ["number", "mask", "contour"];
export const DEFAULT_ALPHA = 0.3;
export { DEFAULT_GRANULARITY };

export interface MarkResult {
  manifest: Manifest;
  /** The marked image, PNG-encoded. */
  png: Buffer;
  /** Regions as marked (ids = mark ids). */
  regions: Region[];
  marks: PlacedMark[];
  timings: { proposeMs: number; allocateMs: number; renderMs: number };
}

/** The main job: regions → marks → marked image + manifest. */
export async function markImage(image: RasterImage, options: MarkOptions = {}): Promise<MarkResult> {
  const t0 = performance.now();
  const regions = await regionsFor(image, options);
  const proposerName = options.regions ? (options.regions[0]?.source ?? "user") : options.proposer!.name;
  const t1 = performance.now();

  const labels = options.labels ?? "numeric";
  const marksWanted = options.marks ?? DEFAULT_MARKS;
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const drawn = await drawMarks(image, regions, {
    labels,
    marks: marksWanted,
    alpha,
    fontSize: options.fontSize,
    lineWidth: options.lineWidth,
    pngLevel: options.pngLevel,
  });

  const manifest = buildManifest(
    { width: image.width, height: image.height, file: options.file },
    {
      proposer: proposerName,
      ...(options.regions ? {} : { granularity: options.granularity ?? DEFAULT_GRANULARITY }),
      ...(options.maxMarks !== undefined ? { maxMarks: options.maxMarks } : {}),
      marks: [...marksWanted],
      labels,
      alpha,
      fontSize: drawn.fontSize,
      ...(options.regions ? {} : options.proposer?.describe?.()),
      ...options.settings,
    },
    drawn.marks,
  );
  return {
    manifest,
    png: drawn.png,
    regions,
    marks: drawn.marks,
    timings: { proposeMs: t1 - t0, allocateMs: drawn.allocateMs, renderMs: drawn.renderMs },
  };
}

/** How marks are drawn: label style, mark types, tint, sizes (default: they follow the image size). */
export interface DrawStyle {
  labels: LabelStyle;
  marks: readonly MarkType[];
  alpha: number;
  fontSize?: number;
  lineWidth?: number;
  /** zlib level of the PNG, 0…9 (default DEFAULT_PNG_LEVEL). */
  pngLevel?: number;
}

/**
 * Allocate labels for these regions (ids are the labels) and draw them over the image: the step shared by
 * `som mark` and every image sent to a model or shown as an answer.
 */
export async function drawMarks(image: RasterImage, regions: readonly Region[], style: DrawStyle) {
  const t0 = performance.now();
  const placed = placeMarks(regions, image.width, image.height, {
    labels: style.labels,
    fontSize: style.fontSize ?? defaultFontSize(image.width, image.height),
  });
  const t1 = performance.now();
  const rgba = renderMarksRgba(image, placed.marks, {
    marks: style.marks,
    alpha: style.alpha,
    fontSize: placed.fontSize,
    lineWidth: style.lineWidth ?? defaultLineWidth(image.width, image.height),
  });
  const png = await encodeRgbaPng(rgba, image.width, image.height, style.pngLevel);
  return {
    png,
    marks: placed.marks,
    fontSize: placed.fontSize,
    allocateMs: t1 - t0,
    renderMs: performance.now() - t1,
  };
}
