/**
 * CLI side of the built-in proposer's detector: `--detector auto|none|centernet` on `som mark`, `ask`,
 * `task`, `eval`. Unset means "auto": the default detector when its optional packages load, else the
 * weight-free path with one warning. A detector named explicitly is loaded up front, so a missing optional
 * package is reported once, as a one-line error, before any image is read.
 */
import { type Command, Option } from "commander";
import { UserError } from "../../errors.js";
import type { BuiltinDetectorOption } from "./index.js";
import { assertDetectorFits, DETECTOR_CHOICES, type DetectorName, loadDetector } from "./detector-model.js";

export function addDetectorOption(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      "--detector <name>",
      "built-in proposer: the COCO detector that guides the hierarchy and seeds object regions (default: centernet when its optional packages load, else none with a warning; none = weight-free; see docs/builtin-proposer.md)",
    ).choices([...DETECTOR_CHOICES]),
  );
}

/** The `detector` option for createBuiltinProposer, after checking an explicitly named one can run. */
export async function detectorFromCli(
  opts: { detector?: unknown },
  proposerName: string,
): Promise<BuiltinDetectorOption> {
  if (opts.detector === undefined) return "auto";
  assertDetectorFits(opts.detector, proposerName);
  const name = String(opts.detector);
  if (!(DETECTOR_CHOICES as readonly string[]).includes(name))
    throw new UserError(`unknown detector "${name}" (choose from ${DETECTOR_CHOICES.join(", ")})`);
  if (name === "none") return "none";
  await loadDetector(name as DetectorName);
  return name as DetectorName;
}
