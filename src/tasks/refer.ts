import { parseMarkRefs } from "../parse/mark-refs.js";
import { referSchema } from "../prompts/schemas.js";
import { DEFAULT_TEMPLATES, fillTemplate } from "../prompts/templates.js";
import { encodeMaskPng } from "./mask-png.js";
import { type AnswerJson, addUsage, allCached, referenced, stillUnknown, unionOf } from "./answer.js";
import { markForProvider } from "./marked-view.js";
import { renderRegions } from "./render-regions.js";
import { askGroups, checkRefusal } from "./run-groups.js";
import { baseJson, idKind, indexOf, type TaskInput, type TaskOutput } from "./task-input.js";

/**
 * Referring segmentation / comprehension: the mark(s) an expression means. Output: the referenced regions,
 * their union as `mask` (RLE, box, area; null when none) and `<stem>.mask.png` (0/255).
 */
export async function runRefer(input: TaskInput & { expression: string }): Promise<TaskOutput> {
  const template = input.template ?? DEFAULT_TEMPLATES.refer;
  const view = await markForProvider(
    input.image,
    input.regions,
    input.provider.imageLimits,
    input.style,
    input.groupSize,
  );
  const vars = { expression: input.expression, idKind: idKind(input.style) };
  const answers = await askGroups(
    input.provider,
    view.groups,
    () => ({
      system: fillTemplate(template.system, vars),
      prompt: fillTemplate(template.prompt, vars),
      schema: referSchema,
    }),
    input.onProgress,
  );
  const byId = new Map(input.regions.map((r) => [r.id, r]));
  const ids: number[] = [];
  const unknown: string[] = [];
  let usage = {};
  for (const a of answers) {
    const refs = parseMarkRefs(a.parseText, indexOf(a.group.regions, input.style));
    checkRefusal(input.provider, a.result.text, refs.ids.length > 0);
    for (const id of refs.ids) if (!ids.includes(id)) ids.push(id);
    for (const u of refs.unknown) if (!unknown.includes(u)) unknown.push(u);
    usage = addUsage(usage, a.result.usage);
  }
  const chosen = ids.map((id) => byId.get(id)!);
  const mask = unionOf(chosen);
  const json: AnswerJson = {
    ...baseJson("refer", input, view, input.expression),
    answer: answers.map((a) => a.result.text).join("\n\n"),
    referenced: chosen.map((r) => referenced(r, input.style.labels)),
    unknown: stillUnknown(unknown, ids, input.style.labels),
    usage,
    cached: allCached(answers.map((a) => a.result)),
    expression: input.expression,
    mask,
  };
  const png = await renderRegions(input.image, chosen, input.style);
  const maskPng = await encodeMaskPng(chosen, input.image.width, input.image.height);
  return { json, png, files: [{ suffix: ".mask.png", data: maskPng }] };
}
