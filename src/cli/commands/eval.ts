import { stat } from "node:fs/promises";
import { type Command, InvalidArgumentError } from "commander";
import type { evaluateProposals } from "../../eval/proposals-run.js";
import type { parseDatasetSpec } from "../../eval/proposals-data.js";
import { registerEvalTasks } from "./eval-tasks.js";
import { addDetectorOption } from "../../proposers/builtin/detector-cli.js";
import { UserError } from "../../errors.js";
import { DEFAULT_GRANULARITY } from "../defaults.js";
import { parseNonNegativeInt, parsePositiveInt } from "../options.js";
import type { SetExit } from "./set-exit.js";

function parseGranularities(v: string): number[] {
  const gs = v.split(",").map((s) => Number(s.trim()));
  if (gs.length === 0 || gs.some((g) => !Number.isFinite(g) || g < 0 || g > 1)) {
    throw new InvalidArgumentError("--granularity must be numbers from 0 to 1, comma-separated");
  }
  return gs;
}

/** `som eval <task>`: run a task over a data set and print its metric. */
export function registerEval(program: Command, setExit: SetExit): void {
  const ev = program.command("eval").description("evaluate a stage of the pipeline on a data set");
  registerEvalProposals(ev, setExit);
  registerEvalTasks(ev);
}

function registerEvalProposals(ev: Command, _setExit: SetExit): void {
  const cmd = ev.command("proposals");
  addDetectorOption(cmd);
  cmd
    .description(
      "score region proposals against ground truth: oracle mIoU (best IoU per GT segment, non-crowd, ≥ 0.1% of the image), recall@0.5, marks and seconds per image; for BSDS also boundary P/R/F",
    )
    .requiredOption(
      "-d, --dataset <spec>",
      "coco-panoptic:DIR (panoptic_*.json, panoptic/, images/) or bsds:DIR",
    )
    .option("-p, --proposer <name>", "proposer to score", "builtin")
    .option("-g, --granularity <g>", "granularity, or several comma-separated", parseGranularities, [
      DEFAULT_GRANULARITY,
    ])
    .option("-n, --max-marks <n>", "cap regions per image", parsePositiveInt("--max-marks"))
    .option("--limit <n>", "score only the first N images (in file-name order)", parsePositiveInt("--limit"))
    .option(
      "--skip <n>",
      "pass over the first N images (e.g. to score images a tuning did not see)",
      parseNonNegativeInt("--skip"),
    )
    .option("--json", "print one JSON object instead of a table")
    .option("-v, --verbose", "print a line per image")
    .action(
      async (o: {
        dataset: string;
        proposer: string;
        detector?: string;
        granularity: number[];
        maxMarks?: number;
        limit?: number;
        skip?: number;
        json?: boolean;
        verbose?: boolean;
      }) => {
        const { evaluateProposals } = await import("../../eval/proposals-run.js");
        const { BOUNDARY_TOLERANCE } = await import("../../eval/proposals.js");
        const { parseDatasetSpec } = await import("../../eval/proposals-data.js");
        const { createProposer } = await import("../../proposers/registry.js");
        let spec: ReturnType<typeof parseDatasetSpec>;
        try {
          spec = parseDatasetSpec(o.dataset);
        } catch (e) {
          throw new UserError((e as Error).message);
        }
        const isDir = await stat(spec.dir).then(
          (s) => s.isDirectory(),
          () => false,
        );
        if (!isDir) throw new UserError(`${spec.dir}: dataset folder not found`);
        const proposer = await createProposer(o.proposer, { detector: o.detector });
        let results: Awaited<ReturnType<typeof evaluateProposals>>;
        try {
          results = await evaluateProposals({
            kind: spec.kind,
            dir: spec.dir,
            proposer,
            granularities: o.granularity,
            maxMarks: o.maxMarks,
            limit: o.limit,
            skip: o.skip,
            onImage: o.verbose
              ? (name, scores) =>
                  process.stderr.write(
                    `${name}: ${scores.map((s) => `${s.marks} marks, ${s.seconds.toFixed(2)} s`).join("; ")}\n`,
                  )
              : undefined,
          });
        } catch (e) {
          if (e instanceof UserError) throw e;
          throw new UserError(`${o.dataset}: ${(e as Error).message}`);
        }
        if (results[0].summary.images === 0)
          throw new UserError(
            `${spec.dir}: no images with ground truth found${o.skip ? ` after skipping ${o.skip}` : ""}`,
          );
        if (o.json) {
          process.stdout.write(
            `${JSON.stringify({
              dataset: spec.kind,
              proposer: o.proposer,
              ...proposer.describe?.(),
              skip: o.skip,
              boundaryTolerance: spec.kind === "bsds" ? BOUNDARY_TOLERANCE : undefined,
              results: results.map((r) => ({ granularity: r.granularity, ...r.summary })),
            })}\n`,
          );
          return;
        }
        const head = ["granularity", "images", "segments", "oracle mIoU", "recall@0.5", "marks/img", "s/img"];
        if (spec.kind === "bsds") head.push("bdry P", "bdry R", "bdry F");
        const rows = results.map((r) => {
          const s = r.summary;
          const row = [
            String(r.granularity),
            String(s.images),
            String(s.segments),
            s.oracleMIoU.toFixed(3),
            s.recall50.toFixed(3),
            s.marksPerImage.toFixed(1),
            s.secondsPerImage.toFixed(3),
          ];
          if (s.boundary)
            row.push(s.boundary.precision.toFixed(3), s.boundary.recall.toFixed(3), s.boundary.f.toFixed(3));
          return row;
        });
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
        for (const r of [head, ...rows])
          process.stdout.write(`${r.map((c, i) => c.padStart(widths[i])).join("  ")}\n`);
        const ran = proposer.describe?.();
        if (ran?.detector !== undefined)
          process.stdout.write(
            `detector: ${String(ran.detector)}${ran.detectorVersion ? ` (${String(ran.detectorVersion)})` : ""}\n`,
          );
        if (spec.kind === "bsds") {
          process.stdout.write(
            `boundary tolerance ${BOUNDARY_TOLERANCE} × image diagonal (no one-to-one matching; see docs/builtin-proposer.md)\n`,
          );
        }
      },
    );
}
