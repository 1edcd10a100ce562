import { mkdir } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { Proposer } from "../../proposers/proposer.js";
import { addDetectorOption } from "../../proposers/builtin/detector-cli.js";
import { PROPOSER_NAMES } from "../../proposers/registry.js";
import { addSamOptions } from "../../proposers/sam/cli-options.js";
import { UserError } from "../../errors.js";
import { DEFAULT_PNG_LEVEL } from "../defaults.js";
import { checkFlagOwners, samModelFlag, selectedProposer } from "../flag-owners.js";
import { addDrawOptions, addRegionCountOptions, type MarkingCliFlags } from "../options.js";
import type { SetExit } from "./set-exit.js";

export interface MarkCliOptions extends MarkingCliFlags {
  out: string;
  pngLevel?: number;
  quiet?: boolean;
  json?: boolean;
  overwrite?: boolean;
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
    .option(
      "--json",
      "print one JSON line per image on stdout: file, marks, outputs, milliseconds (or error)",
    )
    .option(
      "--overwrite",
      "replace <stem>.som.png / .som.json of an earlier run (default: that image fails)",
    );
  addMarkFlags(cmd).action(async (images: string[], opts: MarkCliOptions, c: Command) => {
    checkMarkFlags(c, opts);
    const failed = await runMark(images, opts);
    if (failed > 0) setExit(1);
  });
}

/** Every flag of `som mark` but --out: proposer, masks, drawing, detector, SAM (also used by `som batch mark`). */
export function addMarkFlags(cmd: Command): Command {
  cmd
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
  // SAM proposer flags (--dtype, --device, --points-per-side, …): see src/proposers/sam/cli-options.ts
  addSamOptions(cmd).option(
    "--sam-model <dir|name>",
    "sam: SAM / SAM 2 / EdgeTAM model folder (transformers.js layout) or registered name",
  );
  // --model is the old name of --sam-model here (it means the language model in `som ask`).
  cmd.options.find((o) => o.long === "--model")?.hideHelp();
  return cmd;
}

/**
 * The flag rule (src/cli/flag-owners.ts) for `som mark` and `som batch mark`: --model → --sam-model with a
 * warning, and no flag the selected proposer would ignore. Throws a one-line UserError.
 */
export function checkMarkFlags(cmd: Command, opts: { [key: string]: unknown }): void {
  samModelFlag(cmd, opts);
  checkFlagOwners(cmd, selectedProposer(opts, opts.masks));
}

/** Outputs are never replaced silently: an earlier run's files make this image fail unless --overwrite. */
async function refuseExisting(outBase: string): Promise<void> {
  const { access } = await import("node:fs/promises");
  for (const p of [`${outBase}.som.png`, `${outBase}.som.json`]) {
    const exists = await access(p).then(
      () => true,
      () => false,
    );
    if (exists) throw new UserError(`${p} exists (give --overwrite to replace it, or another --out)`);
  }
}

function parsePngLevel(v: string): number {
  const n = v.trim() === "" ? Number.NaN : Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 9)
    throw new InvalidArgumentError("--png-level must be a whole number 0 to 9");
  return n;
}

/** Mark every image; one bad input does not stop the others. Returns the number of failures. */
export async function runMark(images: string[], opts: MarkCliOptions): Promise<number> {
  const { isMasksDir, markFileOptions, markFileTo, markProposerName } = await import(
    "../../pipeline/mark-file.js"
  );
  const { createProposer } = await import("../../proposers/registry.js");
  const proposerName = markProposerName(opts);
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
  const fileOptions = markFileOptions(opts, proposer, await isMasksDir(opts.masks));

  let failed = 0;
  for (const [i, file] of images.entries()) {
    const started = performance.now();
    const stem = basename(file, extname(file));
    // On a terminal, say which image is being marked (a 48 MP photo takes seconds); the result line replaces it.
    const tty = !opts.quiet && process.stderr.isTTY;
    if (tty) process.stderr.write(`[${i + 1}/${images.length}] ${file}: marking…`);
    try {
      if (!opts.overwrite) await refuseExisting(join(opts.out, stem));
      const result = await markFileTo(file, join(opts.out, stem), fileOptions);
      const ms = Math.round(performance.now() - started);
      if (tty) process.stderr.write("\r\x1b[K");
      if (opts.json) {
        const line = {
          file,
          marks: result.marks,
          outputs: { png: result.pngPath, json: result.jsonPath },
          ms,
        };
        process.stdout.write(`${JSON.stringify(line)}\n`);
      }
      if (!opts.quiet) {
        process.stderr.write(
          `[${i + 1}/${images.length}] ${file}: ${result.marks} marks → ${result.pngPath}, ${result.jsonPath} (${ms} ms)\n`,
        );
      }
    } catch (err) {
      failed++;
      if (tty) process.stderr.write("\r\x1b[K");
      const msg = err instanceof Error ? err.message : String(err);
      if (opts.json) process.stdout.write(`${JSON.stringify({ file, error: msg })}\n`);
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
