import type { z } from "zod";
import { parseMarkRefs } from "../parse/mark-refs.js";
import { looksLikeRefusal } from "../parse/refusal.js";
import { DEFAULT_TEMPLATES, fillTemplate, type TaskName } from "../prompts/templates.js";
import { ProviderError } from "../providers/errors.js";
import type { CompleteRequest, CompleteResult, Provider, Usage } from "../providers/types.js";
import { addUsage, allCached } from "./answer.js";
import { type MarkedView, type MarkGroup, markForProvider } from "./marked-view.js";
import { indexOf, type TaskInput } from "./task-input.js";

export interface GroupAnswer {
  group: MarkGroup;
  result: CompleteResult;
  /** The answer as the parser should read it: the JSON text of a structured answer, else the text. */
  parseText: string;
}

/**
 * One request per group of marks, in order. `build` gives the request (prompts, schema) for a group; extra
 * images (e.g. the first video frame) go before the group's marked image.
 */
export async function askGroups(
  provider: Provider,
  groups: readonly MarkGroup[],
  build: (group: MarkGroup, index: number) => Omit<CompleteRequest, "image"> & { before?: Uint8Array[] },
  onProgress?: (message: string) => void,
): Promise<GroupAnswer[]> {
  const out: GroupAnswer[] = [];
  for (const [i, group] of groups.entries()) {
    const { before, ...req } = build(group, i);
    if (groups.length > 1) onProgress?.(`request ${i + 1}/${groups.length} (${group.regions.length} marks)`);
    const image = before?.length ? [...before, group.png] : group.png;
    const result = await provider.complete({
      ...req,
      image,
      schema: provider.structuredOutput ? req.schema : undefined,
    });
    const parseText = result.object !== undefined ? JSON.stringify(result.object) : result.text;
    out.push({ group, result, parseText });
  }
  return out;
}

/** What every task's answer JSON says of its requests: the answers joined, tokens summed, cache state. */
export function answerSummary(answers: readonly GroupAnswer[]): {
  answer: string;
  usage: Usage;
  cached: boolean;
} {
  let usage: Usage = {};
  for (const a of answers) usage = addUsage(usage, a.result.usage);
  return {
    answer: answers.map((a) => a.result.text).join("\n\n"),
    usage,
    cached: allCached(answers.map((a) => a.result)),
  };
}

export interface TaskRequests {
  view: MarkedView;
  answers: GroupAnswer[];
  /** The user prompt as filled (the same for every group). */
  prompt: string;
}

/**
 * The steps every single-image task shares: mark the image within the provider's limits (one marked image
 * per group of marks), fill the task's template (the user's, else the default), ask once per group.
 */
export async function askTask(
  input: TaskInput,
  task: TaskName,
  vars: Readonly<Record<string, string>>,
  schema?: z.ZodType,
): Promise<TaskRequests> {
  const template = input.template ?? DEFAULT_TEMPLATES[task];
  const view = await markForProvider(
    input.image,
    input.regions,
    input.provider.imageLimits,
    input.style,
    input.groupSize,
  );
  const system = fillTemplate(template.system, vars);
  const prompt = fillTemplate(template.prompt, vars);
  const answers = await askGroups(
    input.provider,
    view.groups,
    () => ({ system, prompt, schema }),
    input.onProgress,
  );
  return { view, answers, prompt };
}

/**
 * The marks the answers name (ids in order of first mention, over all groups) and the labels they name
 * that no mark of their group carries. A plain-text refusal that names no mark is an error.
 */
export function namedMarks(
  answers: readonly GroupAnswer[],
  input: Pick<TaskInput, "provider" | "style">,
): { ids: number[]; unknown: string[] } {
  const ids: number[] = [];
  const unknown: string[] = [];
  for (const a of answers) {
    const refs = parseMarkRefs(a.parseText, indexOf(a.group.regions, input.style));
    checkRefusal(input.provider, a.result.text, refs.ids.length > 0);
    for (const id of refs.ids) if (!ids.includes(id)) ids.push(id);
    for (const u of refs.unknown) if (!unknown.includes(u)) unknown.push(u);
  }
  return { ids, unknown };
}

/** A plain-text refusal that named no mark is an error, like an API-flagged refusal. */
export function checkRefusal(provider: Provider, text: string, namedAnything: boolean): void {
  if (!namedAnything && looksLikeRefusal(text)) {
    const said = text.trim().split("\n")[0].slice(0, 200);
    throw new ProviderError(
      `${provider.name} (${provider.model}): the model refused to answer: "${said}"`,
      "refusal",
    );
  }
}
