import type { Command } from "commander";
import type { SetExit } from "./set-exit.js";

/** Print a report: JSON (NaN becomes null) with --json, else the readable table. */
function print<T>(report: T, json: boolean | undefined, format: (r: T) => string): void {
  process.stdout.write(`${json ? JSON.stringify(report, null, 2) : format(report)}\n`);
}

/** `som metrics <kind>`: score prediction files exactly as the official evaluators do. */
export function registerMetrics(program: Command, _setExit: SetExit): void {
  const metrics = program
    .command("metrics")
    .description(
      "score prediction files exactly as the official evaluators do (panoptic, davis, refer, rec, flickr)",
    );

  metrics
    .command("panoptic")
    .description(
      "COCO panoptic quality (panopticapi pq_compute): PQ, SQ, RQ for All / Things / Stuff and per class",
    )
    .requiredOption("--gt-json <file>", "ground-truth panoptic JSON (annotations + categories)")
    .requiredOption("--gt-folder <dir>", "ground-truth panoptic PNGs")
    .requiredOption("--pred-json <file>", "predicted panoptic JSON (annotations with segments_info)")
    .requiredOption("--pred-folder <dir>", "predicted panoptic PNGs")
    .option("--json", "print one JSON object instead of a table")
    .action(
      async (o: {
        gtJson: string;
        gtFolder: string;
        predJson: string;
        predFolder: string;
        json?: boolean;
      }) => {
        const { evaluatePanoptic } = await import("../../metrics/panoptic.js");
        const { formatPanoptic } = await import("../../metrics/format.js");
        print(await evaluatePanoptic(o), o.json, formatPanoptic);
      },
    );

  metrics
    .command("davis")
    .description("DAVIS semi-supervised J&F (davis2017-evaluation): mean, recall, decay of J and F")
    .requiredOption(
      "--davis-path <dir>",
      "DAVIS root: ImageSets/2017/<set>.txt, Annotations/480p/<seq>/*.png",
    )
    .requiredOption("--results-path <dir>", "results: <seq>/<frame>.png, indexed PNGs (index = object id)")
    .option("--set <name>", "subset listed in ImageSets/2017", "val")
    .option("--json", "print one JSON object instead of a table")
    .action(async (o: { davisPath: string; resultsPath: string; set: string; json?: boolean }) => {
      const { evaluateDavis } = await import("../../metrics/davis.js");
      const { formatDavis } = await import("../../metrics/format.js");
      print(await evaluateDavis(o), o.json, formatDavis);
    });

  metrics
    .command("refer")
    .description("referring segmentation (LAVT conventions): mIoU, cIoU, precision@0.5..0.9")
    .requiredOption("--gt-masks <dir>", "ground-truth binary PNG masks (non-zero = foreground)")
    .requiredOption("--pred-masks <dir>", "predicted masks, same file names")
    .option("--json", "print one JSON object instead of a table")
    .action(async (o: { gtMasks: string; predMasks: string; json?: boolean }) => {
      const { evaluateRefer } = await import("../../metrics/refer.js");
      const { formatRefer } = await import("../../metrics/format.js");
      print(await evaluateRefer(o), o.json, formatRefer);
    });

  metrics
    .command("rec")
    .description("referring expression comprehension: accuracy at box IoU >= 0.5")
    .requiredOption("--gt <file>", "JSON array [{id, bbox: [x, y, w, h]}]")
    .requiredOption("--pred <file>", "JSON array [{id, bbox: [x, y, w, h]}], one per ground-truth id")
    .option("--json", "print one JSON object instead of a table")
    .action(async (o: { gt: string; pred: string; json?: boolean }) => {
      const { evaluateRec } = await import("../../metrics/rec.js");
      const { formatRec } = await import("../../metrics/format.js");
      print(await evaluateRec(o), o.json, formatRec);
    });

  metrics
    .command("flickr")
    .description("Flickr30K Entities phrase grounding recall@1/5/10 and upper bound (MDETR/GLIP evaluator)")
    .requiredOption("--flickr-path <dir>", "folder with Annotations/*.xml, Sentences/*.txt and <split>.txt")
    .option("--split <name>", "image list <split>.txt", "test")
    .requiredOption(
      "--predictions <file>",
      "JSON array [{image_id, sentence_id, boxes}], boxes: one ranked xyxy list per phrase",
    )
    .option("--merge-boxes", "MERGED-BOXES protocol: one box enclosing each phrase's boxes (default ANY-BOX)")
    .option("--json", "print one JSON object instead of a table")
    .action(
      async (o: {
        flickrPath: string;
        split: string;
        predictions: string;
        mergeBoxes?: boolean;
        json?: boolean;
      }) => {
        const warn = (m: string) => process.stderr.write(`som: warning: ${m}\n`);
        const { evaluateFlickr } = await import("../../metrics/flickr.js");
        const { formatFlickr } = await import("../../metrics/format.js");
        print(await evaluateFlickr({ ...o, warn }), o.json, formatFlickr);
      },
    );
}
