/**
 * Command-line flags of the SAM proposer, shared by `som mark --proposer sam` and `som segment`, and the
 * mapping from parsed flags to createSamProposer options.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { UserError } from "../../errors.js";
import type { Proposer } from "../proposer.js";
import { isSamDevice, type SamDevice } from "./device.js";
import type { SamProposerOptions } from "./proposer.js";

function num(name: string, min: number, max: number, integer = false) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      const kind = integer ? "an integer" : "a number";
      throw new InvalidArgumentError(`${name} must be ${kind} from ${min} to ${max}`);
    }
    return n;
  };
}

function device(v: string): SamDevice {
  if (!isSamDevice(v)) throw new InvalidArgumentError('must be "cpu" or "cuda"');
  return v;
}

/** --model, --dtype, --device (every SAM command). */
export function addSamModelOptions(cmd: Command): Command {
  return cmd
    .option(
      "--model <dir|name>",
      "SAM / SAM 2 / EdgeTAM model folder (transformers.js layout) or registered name",
    )
    .option(
      "--dtype <dtype>",
      "which ONNX files: fp32 (default when present), fp16, q8, int8, uint8, q4, q4f16, bnb4",
    )
    .addOption(new Option("--device <device>", "execution provider: cpu or cuda").argParser(device));
}

/** Model flags plus the automatic generator's thresholds (official SamAutomaticMaskGenerator defaults). */
export function addSamOptions(cmd: Command): Command {
  return addSamModelOptions(cmd)
    .option(
      "--points-per-side <n>",
      "sam: prompt grid n×n (default 32)",
      num("--points-per-side", 1, 1024, true),
    )
    .option(
      "--points-per-batch <n>",
      "sam: prompts per decoder run (default 64)",
      num("--points-per-batch", 1, 4096, true),
    )
    .option(
      "--pred-iou-thresh <t>",
      "sam: keep masks with predicted IoU above t (default 0.88)",
      num("--pred-iou-thresh", 0, 1),
    )
    .option(
      "--stability-thresh <t>",
      "sam: keep masks with stability ≥ t (default 0.95)",
      num("--stability-thresh", 0, 1),
    )
    .option(
      "--stability-offset <o>",
      "sam: logit offset of the stability score (default 1.0)",
      num("--stability-offset", 0, 100),
    )
    .option("--box-nms <t>", "sam: box NMS IoU threshold (default 0.7)", num("--box-nms", 0, 1))
    .option(
      "--min-area <px>",
      "sam: fill holes / drop islands under px pixels (default 0 = off)",
      num("--min-area", 0, 1e12, true),
    )
    .option("--crop-layers <k>", "sam: extra crop layers (default 0)", num("--crop-layers", 0, 4, true))
    .option("--crop-overlap <r>", "sam: crop overlap ratio (default 512/1500)", num("--crop-overlap", 0, 1))
    .option("--crop-nms <t>", "sam: box NMS between crops (default 0.7)", num("--crop-nms", 0, 1));
}

/** Parsed commander options → SamProposerOptions (flags left out keep the official defaults). */
export function samOptionsFromCli(opts: Record<string, unknown>): SamProposerOptions {
  if (typeof opts.model !== "string" || opts.model === "") {
    throw new UserError(
      "--proposer sam needs --model DIR (a SAM-family ONNX folder or a name from `som models list`)",
    );
  }
  const n = (k: string) => (typeof opts[k] === "number" ? (opts[k] as number) : undefined);
  return {
    model: opts.model,
    dtype: typeof opts.dtype === "string" ? opts.dtype : undefined,
    device: opts.device as SamDevice | undefined,
    pointsPerSide: n("pointsPerSide"),
    pointsPerBatch: n("pointsPerBatch"),
    predIouThresh: n("predIouThresh"),
    stabilityScoreThresh: n("stabilityThresh"),
    stabilityScoreOffset: n("stabilityOffset"),
    boxNmsThresh: n("boxNms"),
    minMaskRegionArea: n("minArea"),
    cropNLayers: n("cropLayers"),
    cropOverlapRatio: n("cropOverlap"),
    cropNmsThresh: n("cropNms"),
  };
}

/** Progress on stderr: one rewritten line on a terminal, a line per 25% otherwise. */
export function progressPrinter(label: string, stream: NodeJS.WriteStream = process.stderr) {
  let lastQuarter = -1;
  return ({ done, total }: { done: number; total: number }) => {
    if (stream.isTTY) {
      stream.write(`\r${label}: ${done}/${total} prompt batches${done === total ? "\n" : ""}`);
      return;
    }
    const quarter = Math.floor((4 * done) / total);
    if (quarter !== lastQuarter) {
      lastQuarter = quarter;
      stream.write(`${label}: ${done}/${total} prompt batches\n`);
    }
  };
}

/**
 * For `som mark --proposer sam`: the proposer, printing progress unless --quiet. Loaded lazily so other
 * commands never pay for onnxruntime / transformers.js.
 */
export async function createSamProposerFromCli(opts: Record<string, unknown>): Promise<Proposer> {
  const options = samOptionsFromCli(opts);
  const { createSamProposer } = await import("./proposer.js");
  const proposer = createSamProposer(options);
  if (opts.quiet) return proposer;
  return {
    name: proposer.name,
    propose: (image, o = {}) =>
      proposer.propose(image, { ...o, onProgress: o.onProgress ?? progressPrinter("sam") }),
  };
}
