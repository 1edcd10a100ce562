import { basename, extname } from "node:path";
import type { Command } from "commander";
import { checkFlagOwners, selectedProposer } from "../flag-owners.js";
import { UserError } from "../../errors.js";
import { type AskCliOptions, addMarkingOptions, addModelOptions, emit, prepare } from "./ask.js";
import type { SetExit } from "./set-exit.js";

/** `som task classify|refer|ground|track`: the paper's tasks, each with its prompt and output. */
export function registerTask(program: Command, _setExit: SetExit): void {
  const task = program.command("task").description("run a Set-of-Mark task: classify, refer, ground, track");

  const classify = task
    .command("classify")
    .description(
      "open-vocabulary segmentation: a category for every mark; also writes <stem>.panoptic.png/.json (COCO panoptic)",
    )
    .argument("<image>", "input image")
    .requiredOption(
      "--vocab <name|file>",
      "coco, ade20k, or a file (JSON list / COCO categories / one name per line)",
    );
  addModelOptions(classify);
  addMarkingOptions(classify, { masks: true, labels: "numeric" }).action(
    async (image: string, opts: AskCliOptions & { vocab: string }, cmd: Command) => {
      checkFlagOwners(cmd, selectedProposer(opts, opts.masks));
      const { loadVocabulary } = await import("../../prompts/vocab/vocabulary.js");
      const { runClassify } = await import("../../tasks/classify.js");
      const vocabulary = await loadVocabulary(opts.vocab);
      const ctx = await prepare(image, opts, "classify");
      await emit(await runClassify({ ...ctx.input, vocabulary, stem: ctx.stem }), ctx.stem, opts);
    },
  );

  const refer = task
    .command("refer")
    .description(
      "referring segmentation / comprehension: the mark(s) an expression means; also writes <stem>.mask.png",
    )
    .argument("<image>", "input image")
    .argument("<expression>", 'referring expression, e.g. "the laptop behind the beer bottle"');
  addModelOptions(refer);
  addMarkingOptions(refer, { masks: true, labels: "numeric" }).action(
    async (image: string, expression: string, opts: AskCliOptions, cmd: Command) => {
      checkFlagOwners(cmd, selectedProposer(opts, opts.masks));
      const ctx = await prepare(image, opts, "refer");
      const { runRefer } = await import("../../tasks/refer.js");
      await emit(await runRefer({ ...ctx.input, expression }), ctx.stem, opts);
    },
  );

  const ground = task
    .command("ground")
    .description("phrase grounding: regions for each phrase of a sentence")
    .argument("<image>", "input image")
    .argument("<sentence>", "the sentence describing the image")
    .requiredOption("--phrases <list>", 'phrases to ground, separated by ";" (e.g. "a man;a dog")');
  addModelOptions(ground);
  addMarkingOptions(ground, { masks: true, labels: "numeric" }).action(
    async (image: string, sentence: string, opts: AskCliOptions & { phrases: string }, cmd: Command) => {
      checkFlagOwners(cmd, selectedProposer(opts, opts.masks));
      const phrases = opts.phrases
        .split(";")
        .map((p) => p.trim())
        .filter(Boolean);
      if (phrases.length === 0) throw new UserError("--phrases: give at least one phrase");
      const ctx = await prepare(image, opts, "ground");
      const { runGround } = await import("../../tasks/ground.js");
      await emit(await runGround({ ...ctx.input, sentence, phrases }), ctx.stem, opts);
    },
  );

  const track = task
    .command("track")
    .description(
      "video object matching: objects of FRAME1 (from --masks) matched to regions of FRAME2; writes <frame2 stem>.masks.png with the object ids",
    )
    .argument("<frame1>", "first frame")
    .argument("<frame2>", "later frame")
    .requiredOption(
      "--masks <file>",
      "objects of frame 1: label PNG (e.g. a DAVIS annotation), panoptic PNG or COCO JSON",
    )
    .option("--candidates <file>", "regions of frame 2 from a file instead of proposing them");
  addModelOptions(track);
  addMarkingOptions(track, { masks: false, labels: "alpha", masksFlag: "--candidates" }).action(
    async (
      frame1File: string,
      frame2File: string,
      opts: AskCliOptions & { candidates?: string },
      cmd: Command,
    ) => {
      checkFlagOwners(cmd, selectedProposer(opts, opts.candidates));
      const { loadImage } = await import("../../image/load.js");
      const { loadMaskRegions } = await import("../../proposers/masks/index.js");
      const { maskObjectValue, runTrack } = await import("../../tasks/track.js");
      const frame1 = await loadImage(frame1File, { maxPixels: opts.maxPixels });
      const objects = await loadMaskRegions(opts.masks!, frame1, { imageFile: basename(frame1File) });
      const ctx = await prepare(frame2File, { ...opts, masks: opts.candidates }, "track", "--candidates");
      const out = await runTrack({
        ...ctx.input,
        frame1,
        objects,
        objectValue: maskObjectValue,
      });
      await emit(out, basename(frame2File, extname(frame2File)), opts);
    },
  );
}
