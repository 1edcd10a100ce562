/**
 * The work of one batch item, run inside a pool worker (thread or process) or a `som worker` job: the
 * same code as `som mark` (markFileTo) and `som task` (the task runners and writeTaskOutput). The
 * proposer, provider, vocabulary and template are made once per worker and reused for every item.
 */
import { hostname } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { threadId } from "node:worker_threads";
import { UserError } from "../errors.js";
import { decodeImage } from "../image/load.js";
import {
  isMasksDir,
  type MarkFlags,
  markFileOptions,
  markFileTo,
  markProposerName,
} from "../pipeline/mark-file.js";
import { loadTemplate, type PromptTemplate } from "../prompts/templates.js";
import type { Vocabulary } from "../prompts/vocab/types.js";
import { loadVocabulary } from "../prompts/vocab/vocabulary.js";
import type { Proposer } from "../proposers/proposer.js";
import { loadMaskRegions } from "../proposers/masks/index.js";
import { createProposer } from "../proposers/registry.js";
import type { Provider } from "../providers/types.js";
import { runAsk } from "../tasks/ask.js";
import { runClassify } from "../tasks/classify.js";
import {
  type ProviderFlags,
  proposerFromCli,
  providerFromCli,
  type RegionFlags,
  regionsFromCli,
} from "../tasks/from-flags.js";
import { runGround } from "../tasks/ground.js";
import { runRefer } from "../tasks/refer.js";
import { maskObjectValue, runTrack } from "../tasks/track.js";
import type { MarkStyle } from "../tasks/render-regions.js";
import type { TaskOutput } from "../tasks/task-input.js";
import { writeTaskOutput } from "../tasks/write-output.js";
import { readInput } from "./read-input.js";
import type { BatchItem, WorkSpec } from "./types.js";

export interface WorkOutcome {
  marks: number;
  /** Output files relative to the output folder. */
  outputs: string[];
}

export interface WorkRunner {
  run(item: BatchItem, bytes: Uint8Array, out: string): Promise<WorkOutcome>;
}

/** Who ran an item, for the ledger: host/pid, plus the thread inside a pool. */
export function workerLabel(): string {
  return `${hostname()}/${process.pid}${threadId ? `/t${threadId}` : ""}`;
}

/** Checks the flags up front (in the main process) so a bad combination fails before any item runs. */
export async function checkWork(work: WorkSpec): Promise<void> {
  const o = work.options;
  if (work.kind === "mark") {
    markProposerName(o as MarkFlags);
    return;
  }
  if (work.kind === "classify" && !o.vocab) throw new UserError("batch classify needs --vocab");
  if (work.kind === "ask" && !o.question) throw new UserError("batch ask needs --question");
  if (work.kind === "ground" && o.phrases !== undefined && splitPhrases(o.phrases).length === 0)
    throw new UserError("--phrases: give at least one phrase");
}

function splitPhrases(v: unknown): string[] {
  const list = Array.isArray(v) ? v.map(String) : String(v ?? "").split(";");
  return list.map((p) => p.trim()).filter(Boolean);
}

/** Make the per-worker state for `work` (lazily: the proposer loads on the first item). */
export function createWorkRunner(work: WorkSpec): WorkRunner {
  return work.kind === "mark" ? markRunner(work) : taskRunner(work);
}

function markRunner(work: WorkSpec): WorkRunner {
  const flags = work.options as MarkFlags & Record<string, unknown>;
  let ready: Promise<ReturnType<typeof markFileOptions>> | undefined;
  const setUp = async () => {
    const name = markProposerName(flags);
    const proposer = name === "masks" ? undefined : await createProposer(name, { ...flags, quiet: true });
    return markFileOptions(flags, proposer, await isMasksDir(flags.masks));
  };
  return {
    async run(item, bytes, out) {
      ready ??= setUp();
      const r = await markFileTo(item.input, join(out, item.name), await ready, bytes);
      return { marks: r.marks, outputs: [relative(out, r.pngPath), relative(out, r.jsonPath)] };
    },
  };
}

interface TaskState {
  provider: Provider;
  proposer: Proposer | undefined;
  template?: PromptTemplate;
  vocabulary?: Vocabulary;
}

function taskRunner(work: WorkSpec): WorkRunner {
  const task = work.kind as Exclude<WorkSpec["kind"], "mark">;
  const o = work.options as ProviderFlags & RegionFlags & Record<string, unknown>;
  let ready: Promise<TaskState> | undefined;
  const setUp = async (): Promise<TaskState> => ({
    provider: await providerFromCli({ ...o, quiet: true }),
    proposer: await proposerFromCli({ ...o, quiet: true }),
    template: o.template ? await loadTemplate(task, String(o.template)) : undefined,
    vocabulary: task === "classify" ? await loadVocabulary(String(o.vocab)) : undefined,
  });
  return {
    async run(item, bytes, out) {
      ready ??= setUp();
      const st = await ready;
      const image = await decodeImage(bytes, { maxPixels: o.maxPixels as number | undefined }).catch(
        (err: Error) => {
          throw new UserError(`${item.input}: ${err.message}`, (err as UserError).code ?? "bad_image");
        },
      );
      const regions = await regionsFromCli(image, item.input, o, "--masks", st.proposer);
      const input = {
        image,
        file: basename(item.input),
        regions,
        provider: st.provider,
        style: {
          labels: o.labels,
          marks: o.marks,
          alpha: o.alpha,
          fontSize: o.fontSize,
        } as MarkStyle,
        groupSize: o.groupSize as number | undefined,
        template: st.template,
      };
      const args = { ...o, ...(item.args ?? {}) };
      const stem = basename(item.name);
      let result: TaskOutput;
      if (task === "classify") result = await runClassify({ ...input, vocabulary: st.vocabulary!, stem });
      else if (task === "ask") result = await runAsk({ ...input, question: String(args.question) });
      else if (task === "refer") {
        if (!args.expression) throw new UserError(`${item.input}: no expression (give --expression)`);
        result = await runRefer({ ...input, expression: String(args.expression) });
      } else if (task === "track") {
        // As `som task track FRAME1 FRAME2 --masks MASKS`: the objects of frame 1, matched in this frame.
        const frame1File = String(args.frame1);
        const frame1 = await decodeImage(await readInput(frame1File), {
          maxPixels: o.maxPixels as number | undefined,
        }).catch((err: Error) => {
          throw new UserError(`${frame1File}: ${err.message}`, (err as UserError).code ?? "bad_image");
        });
        const objects = await loadMaskRegions(String(args.masks), frame1, {
          imageFile: basename(frame1File),
        });
        result = await runTrack({ ...input, frame1, objects, objectValue: maskObjectValue });
      } else {
        const phrases = splitPhrases(args.phrases);
        if (!args.sentence || phrases.length === 0)
          throw new UserError(`${item.input}: no sentence/phrases (give --sentence and --phrases)`);
        result = await runGround({ ...input, sentence: String(args.sentence), phrases });
      }
      const written = await writeTaskOutput(join(out, dirname(item.name)), stem, result);
      return { marks: regions.length, outputs: written.map((p) => relative(out, p)) };
    },
  };
}
