import { mkdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { UserError } from "../errors.js";
import { decodeImage, loadImage } from "../image/load.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { assertDetectorFits } from "../proposers/builtin/detector-model.js";
import { loadMaskRegions } from "../proposers/masks/index.js";
import type { Proposer } from "../proposers/proposer.js";
import type { Region } from "../regions/region.js";
import { type MarkOptions, markImage } from "./mark.js";

/** How one file is marked (`som mark` and `som batch mark`): markImage's options plus where masks come from. */
export interface MarkFileOptions extends Omit<MarkOptions, "regions" | "file" | "signal" | "onProgress"> {
  /** Regions from a file, or from `<masks>/<stem>.json|png` when `masksIsDir`. */
  masks?: string;
  masksIsDir?: boolean;
  segmentsInfo?: string;
  maxPixels?: number;
}

/** The flags of `som mark` that say how to mark (as parsed by commander). */
export interface MarkFlags {
  proposer?: string;
  masks?: string;
  segmentsInfo?: string;
  detector?: unknown;
  granularity?: number;
  maxMarks?: number;
  marks?: MarkOptions["marks"];
  labels?: MarkOptions["labels"];
  alpha?: number;
  fontSize?: number;
  pngLevel?: number;
  maxPixels?: number;
}

/** markImage's drawing flags, passed through by name. */
const DRAW_FLAGS = ["granularity", "maxMarks", "marks", "labels", "alpha", "fontSize", "pngLevel"] as const;

/** The proposer name the flags select; throws on contradictory flags. */
export function markProposerName(opts: MarkFlags): string {
  const proposerName = opts.proposer ?? (opts.masks ? "masks" : "builtin");
  if (proposerName === "masks" && !opts.masks) throw new UserError("--proposer masks needs --masks FILE");
  if (opts.masks && proposerName !== "masks")
    throw new UserError(`--masks cannot be combined with --proposer ${proposerName}`);
  assertDetectorFits(opts.detector, proposerName);
  return proposerName;
}

/** markFileTo's options from the flags (the proposer made once by the caller). */
export function markFileOptions(
  opts: MarkFlags,
  proposer: Proposer | undefined,
  masksIsDir: boolean,
): MarkFileOptions {
  const draw = Object.fromEntries(
    DRAW_FLAGS.filter((k) => opts[k] !== undefined).map((k) => [k, opts[k]]),
  ) as Partial<MarkFileOptions>;
  return {
    proposer,
    masks: opts.masks,
    masksIsDir,
    segmentsInfo: opts.segmentsInfo,
    maxPixels: opts.maxPixels,
    ...draw,
  };
}

export interface MarkFileResult {
  marks: number;
  pngPath: string;
  jsonPath: string;
}

/**
 * Mark one image file and write `<outBase>.som.png` and `<outBase>.som.json`, each written to a temporary
 * name and renamed, so a failure or a kill never leaves a half-written file. `bytes`, when given, are the
 * file's contents already read (som batch hashes them first); errors name `file`.
 */
export async function markFileTo(
  file: string,
  outBase: string,
  o: MarkFileOptions,
  bytes?: Uint8Array,
): Promise<MarkFileResult> {
  const image = bytes
    ? await decodeImage(bytes, { maxPixels: o.maxPixels }).catch((err: Error) => {
        throw new UserError(`${file}: ${err.message}`, (err as UserError).code ?? "bad_image");
      })
    : await loadImage(file, { maxPixels: o.maxPixels });
  const name = basename(file);
  let regions: Region[] | undefined;
  if (o.masks) {
    const stem = basename(outBase);
    const maskFile = o.masksIsDir ? await findMaskFile(o.masks, stem) : o.masks;
    regions = await loadMaskRegions(maskFile, image, { imageFile: name, segmentsInfo: o.segmentsInfo });
  }
  const { masks: _m, masksIsDir: _d, segmentsInfo: _s, maxPixels: _p, ...markOptions } = o;
  const result = await markImage(image, { ...markOptions, regions, file: name });
  const pngPath = `${outBase}.som.png`;
  const jsonPath = `${outBase}.som.json`;
  await mkdir(dirname(outBase), { recursive: true });
  await writeFileAtomic(pngPath, result.png);
  await writeFileAtomic(jsonPath, `${JSON.stringify(result.manifest)}\n`);
  return { marks: result.marks.length, pngPath, jsonPath };
}

/** Is `masks` a folder of per-image mask files? */
export async function isMasksDir(masks: string | undefined): Promise<boolean> {
  return masks ? (await stat(masks).catch(() => undefined))?.isDirectory() === true : false;
}

async function findMaskFile(dir: string, stem: string): Promise<string> {
  for (const ext of [".json", ".png"]) {
    const candidate = join(dir, `${stem}${ext}`);
    if (await stat(candidate).catch(() => undefined)) return candidate;
  }
  throw new UserError(`no masks for this image in ${dir} (looked for ${stem}.json and ${stem}.png)`);
}
