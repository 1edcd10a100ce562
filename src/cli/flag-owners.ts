/**
 * Which proposer owns which flag: the one rule `som mark`, `ask`, `task` and `batch` consult so that no flag
 * is ignored silently (issue 17). A flag the user set (on the command line or through the environment,
 * not a default) whose owners do not include the selected proposer is an error. To add a proposer (e.g.
 * `ui`), add its flags here with their owners; commands need no change.
 */
import type { Command } from "commander";
import { UserError } from "../errors.js";

const SAM = ["sam"] as const;

/** commander attribute name → the proposers that read it. Flags not listed work with every proposer. */
export const FLAG_OWNERS: Readonly<Record<string, readonly string[]>> = {
  samModel: SAM,
  dtype: SAM,
  device: SAM,
  pointsPerSide: SAM,
  pointsPerBatch: SAM,
  predIouThresh: SAM,
  stabilityThresh: SAM,
  stabilityOffset: SAM,
  boxNms: SAM,
  minArea: SAM,
  cropLayers: SAM,
  cropOverlap: SAM,
  cropNms: SAM,
  detector: ["builtin"],
  segmentsInfo: ["masks"],
  // Regions from a file come as they are: no proposer to make them coarser or finer.
  granularity: ["builtin", "sam"],
};

/** The proposer the flags select: --proposer, else masks when a file of regions is given, else builtin. */
export function selectedProposer(opts: object, regionsFile: unknown): string {
  const proposer = (opts as { proposer?: unknown }).proposer;
  return typeof proposer === "string" ? proposer : regionsFile ? "masks" : "builtin";
}

/** The flag as typed: the option's long name (falls back to the kebab-case of the attribute). */
function flagName(cmd: Command, key: string): string {
  const opt = cmd.options.find((o) => o.attributeName() === key);
  return opt?.long ?? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Was `key` given by the user (command line or environment), not left at its default? */
export function userSet(cmd: Command, key: string): boolean {
  const source = cmd.getOptionValueSource(key);
  return source === "cli" || source === "env";
}

/** Throw a one-line UserError for the first user-set flag that `proposer` does not read. */
export function checkFlagOwners(
  cmd: Command,
  proposer: string,
  extraOwners: Record<string, readonly string[]> = {},
): void {
  const owners = { ...FLAG_OWNERS, ...extraOwners };
  for (const [key, by] of Object.entries(owners)) {
    if (!userSet(cmd, key) || by.includes(proposer)) continue;
    const who = by.length === 1 ? `the ${by[0]} proposer` : `the ${by.join(" and ")} proposers`;
    const masks = by.length === 1 && by[0] === "masks" ? " (it needs --masks)" : "";
    throw new UserError(
      `${flagName(cmd, key)} is read only by ${who}${masks}; it does nothing with --proposer ${proposer}`,
    );
  }
}

/**
 * `som mark` and `som batch mark` once named the SAM folder `--model` (which means the language model in
 * `ask`): `--sam-model` now, `--model` still accepted with a one-line warning. Leaves the folder in
 * `opts.model`, where the SAM proposer reads it.
 */
export function samModelFlag(cmd: Command, opts: { [key: string]: unknown }, warn = stderrWarn): void {
  if (userSet(cmd, "model")) {
    if (opts.samModel !== undefined)
      throw new UserError("give the SAM model folder once: --sam-model DIR (--model is its old name)");
    warn(
      "--model in som mark is deprecated: use --sam-model DIR (--model means the language model in som ask)",
    );
    cmd.setOptionValueWithSource("samModel", opts.model, "cli");
    opts.samModel = opts.model;
  }
  if (opts.samModel !== undefined) opts.model = opts.samModel;
}

function stderrWarn(m: string): void {
  process.stderr.write(`som: warning: ${m}\n`);
}
