import { parseMarkRefs } from "../parse/mark-refs.js";
import { DEFAULT_TEMPLATES, fillTemplate } from "../prompts/templates.js";
import type { Region } from "../regions/region.js";
import { type AnswerJson, addUsage, allCached, referenced, stillUnknown } from "./answer.js";
import { markForProvider } from "./marked-view.js";
import { renderRegions } from "./render-regions.js";
import { askGroups, checkRefusal } from "./run-groups.js";
import { baseJson, idKind, indexOf, type TaskInput, type TaskOutput } from "./task-input.js";

/**
 * `som ask`: send the marked image and a free question; every mark the answer names comes back as a region.
 * Several groups give several answers, joined in the `answer` text and listed in `answers`.
 */
export async function runAsk(input: TaskInput & { question: string }): Promise<TaskOutput> {
  const template = input.template ?? DEFAULT_TEMPLATES.ask;
  const view = await markForProvider(
    input.image,
    input.regions,
    input.provider.imageLimits,
    input.style,
    input.groupSize,
  );
  const vars = { question: input.question, idKind: idKind(input.style) };
  const answers = await askGroups(
    input.provider,
    view.groups,
    () => ({ system: fillTemplate(template.system, vars), prompt: fillTemplate(template.prompt, vars) }),
    input.onProgress,
  );
  const byId = new Map(input.regions.map((r) => [r.id, r]));
  const ids: number[] = [];
  const unknown: string[] = [];
  let usage = {};
  const perGroup: { marks: number[]; answer: string; ids: number[] }[] = [];
  for (const a of answers) {
    const refs = parseMarkRefs(a.parseText, indexOf(a.group.regions, input.style));
    checkRefusal(input.provider, a.result.text, refs.ids.length > 0);
    for (const id of refs.ids) if (!ids.includes(id)) ids.push(id);
    for (const u of refs.unknown) if (!unknown.includes(u)) unknown.push(u);
    usage = addUsage(usage, a.result.usage);
    perGroup.push({ marks: a.group.regions.map((r) => r.id), answer: a.result.text, ids: refs.ids });
  }
  const chosen = ids.map((id) => byId.get(id)!) as Region[];
  const json: AnswerJson = {
    ...baseJson("ask", input, view, input.question),
    answer: answers.map((a) => a.result.text).join("\n\n"),
    referenced: chosen.map((r) => referenced(r, input.style.labels)),
    unknown: stillUnknown(unknown, ids, input.style.labels),
    usage,
    cached: allCached(answers.map((a) => a.result)),
    ...(answers.length > 1 ? { answers: perGroup } : {}),
  };
  const png = await renderRegions(input.image, chosen, input.style);
  return { json, png, files: [] };
}
