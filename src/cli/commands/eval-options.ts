/**
 * `som eval classify|refer|ground|track`: the flags every task shares (provider incl. oracle, marks,
 * results folder, limit, concurrency, output) and the step from parsed flags to a run.
 */
import type { Command } from "commander";
import { UserError } from "../../errors.js";
import { parsePositiveInt } from "../options.js";
import { type AskCliOptions, addMarkingOptions, addProviderOptions } from "./ask.js";
import type { TaskName } from "../../prompts/templates.js";
import type { MarkType } from "../../render/render.js";
import type { EvalSettings, EvalTask } from "../../eval/task-types.js";

export interface EvalCliOptions extends Omit<AskCliOptions, "out" | "masks"> {
  dataset: string;
  out?: string;
  masks?: string;
  limit?: number;
  concurrency: number;
  progress: boolean;
}

/** Flags of every `som eval <task>`; `marks` is the paper's mark types for the task (the --marks default). */
export function addEvalOptions(cmd: Command, o: { labels: "numeric" | "alpha"; marks: MarkType[] }): Command {
  cmd.requiredOption("-d, --dataset <spec>", "the data set (see `som eval <task> --help` and docs/eval.md)");
  addMarkingOptions(cmd, { masks: false, labels: o.labels });
  // The task's own default (commander stores a default when the option is added: set both).
  cmd.options.find((opt) => opt.long === "--marks")?.default([...o.marks], o.marks.join(","));
  cmd.setOptionValueWithSource("marks", [...o.marks], "default");
  cmd.option(
    "--masks <gt>",
    'mark the ground-truth masks instead of proposals ("gt", the paper\'s GT-mask rows)',
  );
  addProviderOptions(cmd, {
    extra: ["oracle"],
    help: "who answers: a model backend (keys from the environment, as som ask), or oracle (the ground truth picks the best mark: the marks' upper bound)",
  });
  return cmd
    .option(
      "-o, --out <dir>",
      "results folder: samples.jsonl (resumable), summary.json, report.html, predictions",
    )
    .option("--limit <n>", "evaluate only the first N samples", parsePositiveInt("--limit"))
    .option("-c, --concurrency <n>", "samples in flight at once", parsePositiveInt("--concurrency"), 1)
    .option("--no-progress", "no progress bar on stderr")
    .option("--json", "print the summary as JSON")
    .option("-q, --quiet", "no progress output");
}

export interface TaskDefaults {
  task: TaskName;
  /** The paper's group size (marks per request), if it used one. */
  groupSize?: number;
}

/** Build the eval settings from flags: provider (or oracle), proposer (or GT masks), mark style. */
export async function settingsFromCli(
  opts: EvalCliOptions,
  d: TaskDefaults,
): Promise<{
  settings: EvalSettings;
  config: Record<string, unknown>;
  describe: { provider: string; model: string; marksFrom: string };
}> {
  if (opts.masks !== undefined && opts.masks !== "gt") {
    throw new UserError(`--masks takes "gt" (ground-truth masks as marks), got "${opts.masks}"`);
  }
  const gtMasks = opts.masks === "gt";
  if (opts.proposer === "masks")
    throw new UserError("som eval takes marks from a proposer or from --masks gt, not --proposer masks");
  if (gtMasks && opts.proposer)
    throw new UserError(`--masks gt cannot be combined with --proposer ${opts.proposer}`);
  const { providerFromCli } = await import("../../tasks/from-flags.js");
  const { createProposer } = await import("../../proposers/registry.js");
  const { loadTemplate } = await import("../../prompts/templates.js");
  const oracle = opts.provider === "oracle";
  if (oracle && opts.replay)
    throw new UserError("--provider oracle answers from the ground truth; drop --replay");
  const marks = opts.marks;
  const groupSize = opts.groupSize ?? d.groupSize;
  const proposerName = opts.proposer ?? "builtin";
  const provider = oracle
    ? ("oracle" as const)
    : await providerFromCli({
        ...opts,
        provider: opts.provider,
        quiet: opts.quiet || !opts.progress,
      } as AskCliOptions);
  const proposer = gtMasks
    ? undefined
    : await createProposer(proposerName, { model: opts.samModel, quiet: true, detector: opts.detector });
  const settings: EvalSettings = {
    provider,
    proposer,
    gtMasks,
    granularity: opts.granularity,
    maxMarks: opts.maxMarks,
    style: { labels: opts.labels, marks, alpha: opts.alpha, fontSize: opts.fontSize },
    groupSize,
    template: opts.template ? await loadTemplate(d.task, opts.template) : undefined,
    maxPixels: opts.maxPixels,
    outDir: opts.out,
  };
  const describe = {
    provider: provider === "oracle" ? "oracle" : provider.name,
    model: provider === "oracle" ? "ground-truth" : provider.model,
    marksFrom: gtMasks ? "ground-truth masks" : `${proposerName} proposer (granularity ${opts.granularity})`,
  };
  const config = {
    task: d.task,
    dataset: opts.dataset,
    provider: describe.provider,
    model: describe.model,
    baseUrl: opts.baseUrl,
    marksFrom: gtMasks ? "gt" : proposerName,
    samModel: opts.samModel,
    granularity: gtMasks ? undefined : opts.granularity,
    maxMarks: opts.maxMarks,
    groupSize,
    marks,
    labels: opts.labels,
    alpha: opts.alpha,
    fontSize: opts.fontSize,
    template: opts.template,
  };
  return { settings, config, describe };
}

/** Run and print: the summary table (or JSON) on stdout, progress on stderr. */
export async function runFromCli<S extends { id: string }>(
  task: EvalTask<S>,
  opts: EvalCliOptions,
  prepared: Awaited<ReturnType<typeof settingsFromCli>>,
  extraConfig: Record<string, unknown> = {},
): Promise<void> {
  if (task.samples.length === 0) throw new UserError(`${opts.dataset}: no samples to evaluate`);
  const { runEval } = await import("../../eval/runner.js");
  const { formatSummary } = await import("../../eval/summary-format.js");
  const result = await runEval(task, prepared.settings, {
    outDir: opts.out,
    limit: opts.limit,
    concurrency: opts.concurrency,
    progress: opts.progress && !opts.quiet,
    config: { ...prepared.config, ...extraConfig },
    describe: prepared.describe,
  });
  if (opts.json) process.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
  else {
    process.stdout.write(formatSummary(result.summary));
    if (opts.out) process.stdout.write(`results in ${opts.out} (samples.jsonl, summary.json, report.html)\n`);
  }
}
