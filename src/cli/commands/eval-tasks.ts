/** The `som eval classify|refer|ground|track` subcommands (added to `som eval` by ./eval.ts). */
import type { Command } from "commander";
import { parsePositiveInt } from "../options.js";
import { addEvalOptions, type EvalCliOptions, runFromCli, settingsFromCli } from "./eval-options.js";

export function registerEvalTasks(ev: Command): void {
  const classify = ev
    .command("classify")
    .description(
      "open-vocabulary segmentation over COCO panoptic / ADE20K: a category per mark; precision (the paper's metric) and PQ",
    )
    .option("--gt-json <file>", "panoptic JSON (default: the panoptic*.json in the data set folder)")
    .option("--gt-folder <dir>", "panoptic PNG folder (default: <json name>/ or panoptic/)")
    .option("--images <dir>", "image folder (default: images/, val2017/ or images/validation/)");
  addEvalOptions(classify, { labels: "numeric", marks: ["number", "mask"] }).addHelpText(
    "after",
    "\nData sets: coco-panoptic:DIR (panoptic_val2017.json, panoptic/, images/), ade20k-panoptic:DIR (the same\nlayout, e.g. Mask2Former's ADE20K panoptic), ade20k:DIR (ADE20K full format, mapped to the 150 classes).",
  );
  classify.action(async (opts: EvalCliOptions & { gtJson?: string; gtFolder?: string; images?: string }) => {
    // The model is offered the data set's own categories (the paper's protocol), so answers score by id.
    const { loadClassifyDataset } = await import("../../eval/classify-data.js");
    const { classifyTask } = await import("../../eval/classify-task.js");
    const data = await loadClassifyDataset(opts.dataset, opts);
    const prepared = await settingsFromCli(opts, { task: "classify", groupSize: 5 });
    await runFromCli(classifyTask(data), opts, prepared);
  });

  const refer = ev
    .command("refer")
    .description(
      "referring segmentation and comprehension: the mark(s) an expression means; mIoU, cIoU, P@k and acc@0.5",
    )
    .option("--split <name>", "refer layout: which split to evaluate", "val")
    .option("--split-by <name>", "refer layout: refs(<name>).json (default umd for refcocog, else unc)")
    .option(
      "--images <dir>",
      "refer layout: COCO train2014 images (default DIR/../images/mscoco/images/train2014)",
    )
    .option(
      "--per-sentence",
      'one sample per sentence (default: one per object, its sentences joined by "; " as the paper did)',
    );
  addEvalOptions(refer, { labels: "numeric", marks: ["number", "mask"] }).addHelpText(
    "after",
    "\nData sets: refer:DIR (the refer toolkit's data/<dataset> folder: refs(<splitBy>).json exported from the pickle,\ninstances.json), refcocos:DIR (refcocos_val2017_subset.json beside a COCO panoptic folder).",
  );
  refer.action(
    async (
      opts: EvalCliOptions & { split: string; splitBy?: string; images?: string; perSentence?: boolean },
    ) => {
      const { loadReferDataset } = await import("../../eval/refer-data.js");
      const { referTask } = await import("../../eval/refer-task.js");
      const samples = await loadReferDataset(opts.dataset, opts);
      const prepared = await settingsFromCli(opts, { task: "refer" });
      await runFromCli(referTask(samples, opts.dataset), opts, prepared, {
        split: opts.split,
        splitBy: opts.splitBy,
        perSentence: opts.perSentence ?? false,
      });
    },
  );

  const track = ev
    .command("track")
    .description(
      "video object segmentation (DAVIS 2016/2017): first-frame objects matched to the marks of each later frame; J&F",
    )
    .option("--set <name>", "ImageSets list to evaluate", "val")
    .option("--sequences <list>", "only these sequences (comma-separated)")
    .option(
      "--max-frames <n>",
      "only the first N scored frames of each sequence",
      parsePositiveInt("--max-frames"),
    );
  addEvalOptions(track, { labels: "alpha", marks: ["number", "mask"] }).addHelpText(
    "after",
    "\nData sets: davis:DIR (DAVIS 2017 with ImageSets/2017/<set>.txt, or DAVIS 2016: JPEGImages/480p, Annotations/480p).\nResults: <out>/davis/<seq>/<frame>.png (palette PNGs, as DAVIS tools read them).",
  );
  track.action(async (opts: EvalCliOptions & { set: string; sequences?: string; maxFrames?: number }) => {
    const sequences = opts.sequences
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const { loadDavisDataset } = await import("../../eval/track-data.js");
    const { trackTask } = await import("../../eval/track-task.js");
    const samples = await loadDavisDataset(opts.dataset, {
      set: opts.set,
      sequences,
      maxFrames: opts.maxFrames,
    });
    const prepared = await settingsFromCli(opts, { task: "track" });
    await runFromCli(trackTask(samples, opts.dataset), opts, prepared, {
      set: opts.set,
      sequences: opts.sequences,
      maxFrames: opts.maxFrames,
    });
  });

  const ground = ev
    .command("ground")
    .description("phrase grounding on Flickr30K Entities: marks for each phrase of a sentence; recall@1/5/10")
    .option("--split <name>", "split list <name>.txt", "test")
    .option("--images <dir>", "image folder (default DIR/flickr30k-images)")
    .option("--merge-boxes", "MERGED-BOXES protocol (one box enclosing each phrase's boxes)");
  addEvalOptions(ground, { labels: "numeric", marks: ["number", "mask", "box"] }).addHelpText(
    "after",
    "\nData sets: flickr30k:DIR (Annotations/<id>.xml, Sentences/<id>.txt, <split>.txt, flickr30k-images/<id>.jpg).\nWrites <out>/flickr_predictions.json for `som metrics flickr`.",
  );
  ground.action(async (opts: EvalCliOptions & { split: string; images?: string; mergeBoxes?: boolean }) => {
    const { loadGroundDataset } = await import("../../eval/ground-data.js");
    const { groundTask } = await import("../../eval/ground-task.js");
    const data = await loadGroundDataset(opts.dataset, opts);
    const prepared = await settingsFromCli(opts, { task: "ground" });
    await runFromCli(groundTask(data, opts.dataset), opts, prepared, {
      split: opts.split,
      mergeBoxes: opts.mergeBoxes ?? false,
    });
  });
}
