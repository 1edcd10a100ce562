import { mkdir, stat } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { loadImage } from "../../image/load.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { markImage } from "../../pipeline/mark.js";
import { loadMaskRegions } from "../../proposers/masks/index.js";
import type { Proposer } from "../../proposers/proposer.js";
import { addDetectorOption } from "../../proposers/builtin/detector-cli.js";
import { createProposer, PROPOSER_NAMES } from "../../proposers/registry.js";
import { addSamOptions } from "../../proposers/sam/cli-options.js";
import type { Region } from "../../regions/region.js";
import { DEFAULT_PNG_LEVEL } from "../../render/render.js";
import { UserError } from "../../errors.js";
import { addDrawOptions, addRegionCountOptions, type MarkingCliFlags } from "../options.js";
import type { SetExit } from "./set-exit.js";

export interface MarkCliOptions extends MarkingCliFlags {
  out: string;
  pngLevel?: number;
  quiet?: boolean;
  [key: string]: unknown;
}

export function registerMark(program: Command, setExit: SetExit): void {
  const cmd = program
    .command("mark")
    .description(
      "mark regions of each image: writes DIR/<stem>.som.png (marked image) and DIR/<stem>.som.json",
    )
    .argument("<images...>", "input images (JPEG, PNG, WebP, GIF, TIFF, AVIF)")
    .option("-o, --out <dir>", "output folder", ".")
    .addOption(
      new Option(
        "-p, --proposer <name>",
        "where regions come from (default: masks when --masks is given, else builtin)",
      ).choices([...PROPOSER_NAMES]),
    )
    .option(
      "--masks <file>",
      "regions from a file: COCO JSON (results array or dataset), label PNG, or COCO panoptic PNG; a folder holds <stem>.json/.png per image",
    )
    .option("--segments-info <file>", "COCO panoptic JSON giving category/crowd for --masks panoptic PNGs");
  addRegionCountOptions(cmd);
  addDrawOptions(cmd, "numeric")
    .option(
      "--png-level <0-9>",
      `zlib level of the marked PNG: ${DEFAULT_PNG_LEVEL} is fast, 9 is smallest (default ${DEFAULT_PNG_LEVEL})`,
      parsePngLevel,
    )
    .option("-q, --quiet", "no progress lines");
  // The built-in proposer's detector (--detector, default auto): src/proposers/builtin/detector-cli.ts
  addDetectorOption(cmd);
  // SAM proposer flags (--model, --dtype, --device, --points-per-side, …): see src/proposers/sam/cli-options.ts
  addSamOptions(cmd).action(async (images: string[], opts: MarkCliOptions) => {
    const failed = await runMark(images, opts);
    if (failed > 0) setExit(1);
  });
}

function parsePngLevel(v: string): number {
  const n = v.trim() === "" ? Number.NaN : Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 9)
    throw new InvalidArgumentError("--png-level must be a whole number 0 to 9");
  return n;
}

/** Mark every image; one bad input does not stop the others. Returns the number of failures. */
export async function runMark(images: string[], opts: MarkCliOptions): Promise<number> {
  const proposerName = opts.proposer ?? (opts.masks ? "masks" : "builtin");
  if (proposerName === "masks" && !opts.masks) throw new UserError("--proposer masks needs --masks FILE");
  if (opts.masks && proposerName !== "masks")
    throw new UserError(`--masks cannot be combined with --proposer ${proposerName}`);
  if (opts.detector !== undefined && proposerName !== "builtin")
    throw new UserError(`--detector works with the builtin proposer only, not --proposer ${proposerName}`);
  const stems = new Map<string, string>();
  for (const img of images) {
    const stem = basename(img, extname(img));
    const other = stems.get(stem);
    if (other && resolve(other) !== resolve(img)) {
      throw new UserError(
        `${img} and ${other} would both write ${stem}.som.png: mark them into different --out folders`,
      );
    }
    stems.set(stem, img);
  }
  await mkdir(opts.out, { recursive: true }).catch((err: Error) => {
    throw new UserError(`cannot create output folder ${opts.out}: ${err.message}`);
  });
  const proposer: Proposer | undefined =
    proposerName === "masks" ? undefined : await createProposer(proposerName, opts);
  const masksIsDir = opts.masks
    ? (await stat(opts.masks).catch(() => undefined))?.isDirectory() === true
    : false;

  let failed = 0;
  for (const [i, file] of images.entries()) {
    const started = performance.now();
    const stem = basename(file, extname(file));
    try {
      const image = await loadImage(file, { maxPixels: opts.maxPixels });
      let regions: Region[] | undefined;
      if (opts.masks) {
        const maskFile = masksIsDir ? await findMaskFile(opts.masks, stem) : opts.masks;
        regions = await loadMaskRegions(maskFile, image, {
          imageFile: basename(file),
          segmentsInfo: opts.segmentsInfo,
        });
      }
      const result = await markImage(image, {
        proposer,
        regions,
        granularity: opts.granularity,
        maxMarks: opts.maxMarks,
        marks: opts.marks,
        labels: opts.labels,
        alpha: opts.alpha,
        fontSize: opts.fontSize,
        pngLevel: opts.pngLevel,
        file: basename(file),
      });
      const pngPath = join(opts.out, `${stem}.som.png`);
      const jsonPath = join(opts.out, `${stem}.som.json`);
      await writeFileAtomic(pngPath, result.png);
      await writeFileAtomic(jsonPath, `${JSON.stringify(result.manifest)}\n`);
      if (!opts.quiet) {
        const ms = Math.round(performance.now() - started);
        process.stderr.write(
          `[${i + 1}/${images.length}] ${file}: ${result.marks.length} marks → ${pngPath}, ${jsonPath} (${ms} ms)\n`,
        );
      }
    } catch (err) {
      failed++;
      const msg = err instanceof Error ? err.message : String(err);
      process.stderr.write(
        `som: ${err instanceof UserError && msg.startsWith(file) ? msg : `${file}: ${msg}`}\n`,
      );
    }
  }
  if (failed > 0 && images.length > 1) {
    process.stderr.write(`som: ${failed} of ${images.length} images failed\n`);
  }
  return failed;
}

async function findMaskFile(dir: string, stem: string): Promise<string> {
  for (const ext of [".json", ".png"]) {
    const candidate = join(dir, `${stem}${ext}`);
    if (await stat(candidate).catch(() => undefined)) return candidate;
  }
  throw new UserError(`no masks for this image in ${dir} (looked for ${stem}.json and ${stem}.png)`);
}
