import type { AnswerJson } from "./answer.js";
import { referenced, stillUnknown } from "./answer.js";
import { renderRegions } from "./render-regions.js";
import { answerSummary, askTask, namedMarks } from "./run-groups.js";
import { baseJson, idKind, sentFiles, type TaskInput, type TaskOutput } from "./task-input.js";

/**
 * `som ask`: send the marked image and a free question; every mark the answer names comes back as a region.
 * Several groups give several answers, joined in the `answer` text and listed in `answers`.
 */
export async function runAsk(input: TaskInput & { question: string }): Promise<TaskOutput> {
  const vars = { question: input.question, idKind: idKind(input.style) };
  const { view, answers } = await askTask(input, "ask", vars);
  const { ids, unknown } = namedMarks(answers, input);
  const byId = new Map(input.regions.map((r) => [r.id, r]));
  const chosen = ids.map((id) => byId.get(id)!);
  const json: AnswerJson = {
    ...baseJson("ask", input, view, input.question),
    ...answerSummary(answers),
    referenced: chosen.map((r) => referenced(r, input.style.labels)),
    unknown: stillUnknown(unknown, ids, input.style.labels),
  };
  if (answers.length > 1) {
    // Per request: its marks, its answer and the ids it named.
    json.answers = answers.map((a) => ({
      marks: a.group.regions.map((r) => r.id),
      answer: a.result.text,
      ids: namedMarks([a], input).ids,
    }));
  }
  const png = await renderRegions(input.image, chosen, input.style);
  return { json, png, files: sentFiles(view) };
}
