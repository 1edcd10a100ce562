import { referSchema } from "../prompts/schemas.js";
import { type AnswerJson, referenced, stillUnknown, unionOf } from "./answer.js";
import { encodeMaskPng } from "./mask-png.js";
import { renderRegions } from "./render-regions.js";
import { answerSummary, askTask, namedMarks } from "./run-groups.js";
import { baseJson, idKind, sentFiles, type TaskInput, type TaskOutput } from "./task-input.js";

/**
 * Referring segmentation / comprehension: the mark(s) an expression means. Output: the referenced regions,
 * their union as `mask` (RLE, box, area; null when none) and `<stem>.mask.png` (0/255).
 */
export async function runRefer(input: TaskInput & { expression: string }): Promise<TaskOutput> {
  const vars = { expression: input.expression, idKind: idKind(input.style) };
  const { view, answers } = await askTask(input, "refer", vars, referSchema);
  const { ids, unknown } = namedMarks(answers, input);
  const byId = new Map(input.regions.map((r) => [r.id, r]));
  const chosen = ids.map((id) => byId.get(id)!);
  const json: AnswerJson = {
    ...baseJson("refer", input, view, input.expression),
    ...answerSummary(answers),
    referenced: chosen.map((r) => referenced(r, input.style.labels)),
    unknown: stillUnknown(unknown, ids, input.style.labels),
    expression: input.expression,
    mask: unionOf(chosen),
  };
  const png = await renderRegions(input.image, chosen, input.style);
  const maskPng = await encodeMaskPng(chosen, input.image.width, input.image.height);
  return { json, png, files: [{ suffix: ".mask.png", data: maskPng }, ...sentFiles(view)] };
}
