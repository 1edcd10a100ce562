/**
 * CLI side of the optional detector seeding: `--detector centernet` on `som mark` and
 * `som eval proposals` (built-in proposer only). The detector is loaded up front so a missing optional
 * package is reported once, as a one-line error, before any image is read.
 */
import { type Command, Option } from "commander";
import { UserError } from "../../errors.js";
import { DETECTOR_NAMES, type DetectorName, loadDetector } from "./detector-model.js";

export function addDetectorOption(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      "--detector <name>",
      "built-in proposer: a small COCO detector guides the hierarchy and seeds object regions (optional packages, see docs/builtin-proposer.md)",
    ).choices([...DETECTOR_NAMES]),
  );
}

/** The `detector` option for createBuiltinProposer, after checking it can run. */
export async function detectorFromCli(
  opts: { detector?: unknown },
  proposerName: string,
): Promise<DetectorName | undefined> {
  if (opts.detector === undefined) return undefined;
  const name = String(opts.detector);
  if (proposerName !== "builtin")
    throw new UserError(`--detector works with the builtin proposer only, not --proposer ${proposerName}`);
  if (!(DETECTOR_NAMES as readonly string[]).includes(name))
    throw new UserError(`unknown detector "${name}" (choose from ${DETECTOR_NAMES.join(", ")})`);
  await loadDetector(name as DetectorName);
  return name as DetectorName;
}
