import { parsePhraseMarks } from "../parse/ground-answer.js";
import { groundSchema } from "../prompts/schemas.js";
import { type AnswerJson, referenced, stillUnknown, unionOf } from "./answer.js";
import { renderRegions } from "./render-regions.js";
import { answerSummary, askTask, checkRefusal } from "./run-groups.js";
import { baseJson, idKind, indexOf, sentFiles, type TaskInput, type TaskOutput } from "./task-input.js";

/**
 * Phrase grounding: regions for each phrase of a sentence. Output `phrases: [{phrase, ids, boxes, bbox,
 * segmentation}]`: `boxes` per region (ranked as named, for R@k), `bbox`/`segmentation` their union.
 */
export async function runGround(
  input: TaskInput & { sentence: string; phrases: string[] },
): Promise<TaskOutput> {
  const vars = { sentence: input.sentence, phrases: input.phrases.join(", "), idKind: idKind(input.style) };
  const { view, answers } = await askTask(input, "ground", vars, groundSchema);
  const byId = new Map(input.regions.map((r) => [r.id, r]));
  const perPhrase: number[][] = input.phrases.map(() => []);
  const unknown: string[] = [];
  for (const a of answers) {
    const parsed = parsePhraseMarks(a.parseText, input.phrases, indexOf(a.group.regions, input.style));
    checkRefusal(
      input.provider,
      a.result.text,
      parsed.marks.some((m) => m.length > 0),
    );
    parsed.marks.forEach((ids, i) => {
      for (const id of ids) if (!perPhrase[i].includes(id)) perPhrase[i].push(id);
    });
    for (const u of parsed.unknown) if (!unknown.includes(u)) unknown.push(u);
  }
  const all = [...new Set(perPhrase.flat())];
  const chosen = all.map((id) => byId.get(id)!);
  const json: AnswerJson = {
    ...baseJson("ground", input, view, input.sentence),
    ...answerSummary(answers),
    referenced: chosen.map((r) => referenced(r, input.style.labels)),
    unknown: stillUnknown(unknown, all, input.style.labels),
    sentence: input.sentence,
    phrases: input.phrases.map((phrase, i) => {
      const regions = perPhrase[i].map((id) => byId.get(id)!);
      const union = unionOf(regions);
      return {
        phrase,
        ids: perPhrase[i],
        boxes: regions.map((r) => r.bbox),
        bbox: union?.bbox ?? null,
        segmentation: union?.segmentation ?? null,
      };
    }),
  };
  const png = await renderRegions(input.image, chosen, input.style);
  return { json, png, files: sentFiles(view) };
}
