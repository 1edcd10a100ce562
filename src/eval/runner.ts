/**
 * Runs an eval task over its samples with a pool of concurrent workers. With a results folder, every
 * finished sample is appended to `samples.jsonl` at once; a rerun with the same folder skips them (failed
 * samples run again) and the summary covers old and new records alike, in sample order.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { createProgress } from "./progress.js";
import { renderHtmlReport } from "./report-html.js";
import { openResultsLog, type ResultsLog } from "./results-log.js";
import type { EvalSettings, EvalSummary, EvalTask, SampleRecord } from "./task-types.js";

export interface RunOptions {
  outDir?: string;
  limit?: number;
  concurrency?: number;
  /** Show the progress bar (default: on). */
  progress?: boolean;
  /** Settings that must match when resuming a results folder (provider, proposer, dataset…). */
  config: Record<string, unknown>;
  /** For the summary header. */
  describe: { provider: string; model: string; marksFrom: string };
}

export interface RunResult {
  summary: EvalSummary;
  records: SampleRecord[];
  /** Samples that ran in this call (the rest came from the results folder). */
  ran: number;
}

export const RESULTS_FILE = "samples.jsonl";

export async function runEval<S extends { id: string }>(
  task: EvalTask<S>,
  settings: EvalSettings,
  options: RunOptions,
): Promise<RunResult> {
  const samples = task.samples.slice(0, options.limit ?? task.samples.length);
  const ids = new Set<string>();
  for (const s of samples) {
    if (ids.has(s.id)) throw new UserError(`${task.dataset}: sample id ${s.id} appears twice`);
    ids.add(s.id);
  }
  let log: ResultsLog<SampleRecord> | undefined;
  if (options.outDir) {
    await mkdir(options.outDir, { recursive: true }).catch((err: Error) => {
      throw new UserError(`cannot create results folder ${options.outDir}: ${err.message}`);
    });
    await checkRunConfig(options.outDir, options.config);
    log = await openResultsLog<SampleRecord>(join(options.outDir, RESULTS_FILE));
  }
  const records = new Map<string, SampleRecord>();
  for (const [id, rec] of log?.existing ?? []) if (ids.has(id) && !rec.error) records.set(id, rec);
  const todo = samples.map((s, index) => ({ s, index })).filter(({ s }) => !records.has(s.id));

  const progress = createProgress({
    label: `som eval ${task.name}`,
    total: samples.length,
    already: samples.length - todo.length,
    enabled: options.progress !== false,
  });
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < todo.length) {
      const { s, index } = todo[next++];
      const t0 = performance.now();
      let fields: Awaited<ReturnType<typeof task.run>>;
      try {
        fields = await task.run(s, settings);
      } catch (err) {
        failure ??= err;
        return;
      }
      const record: SampleRecord = {
        id: s.id,
        index,
        ...fields,
        seconds: Math.round(performance.now() - t0) / 1000,
      };
      records.set(s.id, record);
      await log?.append(record);
      progress.tick(record.error ? `${s.id}: ${record.error.slice(0, 60)}` : undefined);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 1, todo.length));
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    progress.done();
    await log?.close();
  }
  if (failure !== undefined) throw failure;

  const ordered = samples.map((s) => records.get(s.id)!);
  const summary = summarize(task, ordered, options.describe);
  if (options.outDir) {
    await task.finish?.(ordered, options.outDir);
    await writeFileAtomic(join(options.outDir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    await writeFileAtomic(join(options.outDir, "report.html"), renderHtmlReport(summary));
  }
  return { summary, records: ordered, ran: todo.length };
}

export function summarize<S extends { id: string }>(
  task: EvalTask<S>,
  records: readonly SampleRecord[],
  describe: RunOptions["describe"],
): EvalSummary {
  const n = records.length;
  const scored = task.summarize(records);
  return {
    task: task.name,
    dataset: task.dataset,
    ...describe,
    samples: n,
    failed: records.filter((r) => r.error).length,
    marksPerSample: n ? records.reduce((a, r) => a + r.marks, 0) / n : 0,
    seconds: Math.round(records.reduce((a, r) => a + r.seconds, 0) * 1000) / 1000,
    ...scored,
  };
}

/** A results folder belongs to one configuration: resuming with other settings would mix two runs. */
async function checkRunConfig(outDir: string, config: Record<string, unknown>): Promise<void> {
  const file = join(outDir, "run.json");
  let saved: Record<string, unknown> | undefined;
  try {
    saved = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new UserError(`${file}: not valid JSON`);
  }
  if (saved) {
    const keys = new Set([...Object.keys(saved), ...Object.keys(config)]);
    for (const k of keys) {
      if (JSON.stringify(saved[k]) !== JSON.stringify(config[k])) {
        throw new UserError(
          `${outDir} holds a run with ${k} = ${JSON.stringify(saved[k])}, not ${JSON.stringify(config[k])}; ` +
            "use another --out folder (or delete this one) to start a new run",
        );
      }
    }
    return;
  }
  await writeFileAtomic(file, `${JSON.stringify(config, null, 2)}\n`);
}
