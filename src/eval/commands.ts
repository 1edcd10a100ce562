/** The `som eval classify|refer|ground|track` subcommands (added to `som eval` by src/cli/commands/eval.ts). */
import type { Command } from "commander";
import { loadVocabulary } from "../prompts/vocab/vocabulary.js";
import { loadClassifyDataset } from "./classify-data.js";
import { classifyTask } from "./classify-task.js";
import { addEvalOptions, type EvalCliOptions, runFromCli, settingsFromCli } from "./cli.js";

export function registerEvalTasks(ev: Command): void {
  const classify = ev
    .command("classify")
    .description(
      "open-vocabulary segmentation over COCO panoptic / ADE20K: a category per mark; precision (the paper's metric) and PQ",
    )
    .option("--gt-json <file>", "panoptic JSON (default: the panoptic*.json in the data set folder)")
    .option("--gt-folder <dir>", "panoptic PNG folder (default: <json name>/ or panoptic/)")
    .option("--images <dir>", "image folder (default: images/, val2017/ or images/validation/)")
    .option("--vocab <name|file>", "names offered to the model (default: the data set's categories)");
  addEvalOptions(classify, { labels: "numeric" }).addHelpText(
    "after",
    "\nData sets: coco-panoptic:DIR (panoptic_val2017.json, panoptic/, images/), ade20k-panoptic:DIR (the same\nlayout, e.g. Mask2Former's ADE20K panoptic), ade20k:DIR (ADE20K full format, mapped to the 150 classes).",
  );
  classify.action(
    async (
      opts: EvalCliOptions & { gtJson?: string; gtFolder?: string; images?: string; vocab?: string },
    ) => {
      const data = await loadClassifyDataset(opts.dataset, opts);
      if (opts.vocab) {
        // A user vocabulary keeps the data set's ids where names match; others cannot score.
        const v = await loadVocabulary(opts.vocab);
        data.vocabulary = v;
      }
      const prepared = await settingsFromCli(classify, opts, {
        task: "classify",
        marks: ["number", "mask"],
        groupSize: 5,
      });
      await runFromCli(classifyTask(data), opts, prepared, { vocab: opts.vocab });
    },
  );
}
