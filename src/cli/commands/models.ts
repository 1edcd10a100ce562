import { existsSync } from "node:fs";
import type { Command } from "commander";
import { downloadModel } from "../../models/download.js";
import { isCommit, KNOWN_MODELS } from "../../models/known-models.js";
import { registryFile } from "../../models/paths.js";
import { addModel, listModels, removeModel } from "../../models/registry.js";
import { UserError } from "../../errors.js";
import type { SetExit } from "./set-exit.js";

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}

/** A commit as `models list` shows it: its first 7 hex digits (a branch or tag name as is). */
function shortRevision(revision: string): string {
  return isCommit(revision) ? revision.slice(0, 7) : revision;
}

/** A download progress bar on stderr (rewritten in place on a terminal, every 10% otherwise). */
function downloadProgress(stream: NodeJS.WriteStream = process.stderr) {
  let lastFile = "";
  let lastStep = -1;
  return ({ file, received, total }: { file: string; received: number; total: number }) => {
    const frac = total > 0 ? received / total : 1;
    if (file !== lastFile) {
      if (lastFile && stream.isTTY) stream.write("\n");
      lastFile = file;
      lastStep = -1;
    }
    if (stream.isTTY) {
      const width = 30;
      const fill = Math.round(frac * width);
      stream.write(
        `\r${file} [${"#".repeat(fill)}${" ".repeat(width - fill)}] ${Math.floor(frac * 100)}% ${mb(received)}/${mb(total)} MB`,
      );
      if (received >= total) stream.write("\n");
      return;
    }
    const step = Math.floor(frac * 10);
    if (step !== lastStep) {
      lastStep = step;
      stream.write(`${file}: ${step * 10}% (${mb(received)}/${mb(total)} MB)\n`);
    }
  };
}

export function registerModels(program: Command, _setExit: SetExit): void {
  const models = program
    .command("models")
    .description("local registry of SAM-family model folders (names usable as --model NAME)");

  models
    .command("list")
    .description(
      "registered models (name, model type, dtypes, commit, folder), then the ones `som models download` knows",
    )
    .action(() => {
      const entries = listModels();
      if (entries.length === 0) {
        process.stdout.write(`no models registered (${registryFile()})\n`);
      }
      for (const e of entries) {
        const missing = existsSync(e.path) ? "" : "  [folder missing]";
        // "-": a folder added by hand, whose origin som does not know.
        const rev = e.revision ? shortRevision(e.revision) : "-";
        process.stdout.write(
          `${e.name}\t${e.modelType}\t${e.dtypes.join(",")}\t${rev}\t${e.path}${missing}\n`,
        );
      }
      const registered = new Set(entries.map((e) => e.name));
      const known = KNOWN_MODELS.filter((m) => !registered.has(m.name));
      if (known.length > 0) {
        const shown = known.map(
          (m) =>
            `${m.name} (${m.repo}@${shortRevision(m.revision)}${isCommit(m.revision) ? "" : ", not pinned"})`,
        );
        process.stdout.write(`downloadable: ${shown.join(", ")}\n`);
      }
    });

  models
    .command("add")
    .description("register a model folder (transformers.js layout) under a name")
    .argument("<name>", "name to use with --model")
    .argument("<dir>", "the model folder")
    .action((name: string, dir: string) => {
      const e = addModel(name, dir);
      process.stdout.write(`added ${e.name}: ${e.modelType} (${e.dtypes.join(", ")}) at ${e.path}\n`);
    });

  models
    .command("remove")
    .description("forget a registered name (the folder is left alone)")
    .argument("<name>")
    .action((name: string) => {
      if (!removeModel(name)) throw new UserError(`no model named "${name}" is registered`);
      process.stdout.write(`removed ${name}\n`);
    });

  models
    .command("download")
    .description(
      `fetch a known model at its pinned commit from the Hugging Face hub ($HF_ENDPOINT), verify checksums, register it`,
    )
    .argument("<name>", KNOWN_MODELS.map((m) => m.name).join(" | "))
    .option("--dtype <dtype>", "which ONNX files to fetch (fp32, fp16, q8, …)", "fp32")
    .option("--revision <rev>", "a commit, branch or tag to fetch instead of the pinned commit")
    .option("--dir <dir>", "parent folder (default $XDG_DATA_HOME/som/models)")
    .option("-q, --quiet", "no progress bar")
    .action(
      async (name: string, opts: { dtype: string; revision?: string; dir?: string; quiet?: boolean }) => {
        const e = await downloadModel(name, {
          dtype: opts.dtype,
          revision: opts.revision,
          dir: opts.dir,
          onProgress: opts.quiet ? undefined : downloadProgress(),
        });
        process.stdout.write(`downloaded ${e.name} (${e.source}@${e.revision}) to ${e.path}\n`);
      },
    );
}
