import sharp from "sharp";
import { matchCategory, type VocabEntry } from "../parse/category-match.js";
import { parseMarkNames } from "../parse/classify-answer.js";
import { classifySchema } from "../prompts/schemas.js";
import type { Vocabulary, VocabularyEntry } from "../prompts/vocab/types.js";
import type { Region } from "../regions/region.js";
import { type AnswerJson, referenced, stillUnknown } from "./answer.js";
import { renderRegions } from "./render-regions.js";
import { answerSummary, askTask, checkRefusal } from "./run-groups.js";
import { baseJson, idKind, indexOf, sentFiles, type TaskInput, type TaskOutput } from "./task-input.js";

export interface MarkLabel {
  id: number;
  label: string;
  /** The name as the model wrote it. */
  name: string;
  /** The vocabulary category it matched; null when it matched none. */
  category_id: number | null;
  category: string | null;
}

/**
 * Open-vocabulary segmentation: a category for every mark, chosen from a vocabulary. Output: `labels` in the
 * answer JSON, plus a COCO panoptic prediction for the image (`<stem>.panoptic.png` + `.panoptic.json`):
 * each labelled mark is a segment (id = mark id, smaller regions on top), unlabelled pixels are void.
 */
export async function runClassify(
  input: TaskInput & { vocabulary: Vocabulary; stem: string },
): Promise<TaskOutput> {
  const names = input.vocabulary.entries.map((e) => e.name);
  const vars = { vocabulary: names.join(", "), idKind: idKind(input.style) };
  const { view, answers, prompt } = await askTask(input, "classify", vars, classifySchema(names));
  const vocab: (VocabEntry & { entry: VocabularyEntry })[] = input.vocabulary.entries.map((e) => ({
    id: e.id,
    name: e.name,
    synonyms: e.synonyms,
    entry: e,
  }));
  const byId = new Map(input.regions.map((r) => [r.id, r]));
  const labels: MarkLabel[] = [];
  const unknown: string[] = [];
  for (const a of answers) {
    const index = indexOf(a.group.regions, input.style);
    const parsed = parseMarkNames(a.parseText, index);
    checkRefusal(input.provider, a.result.text, parsed.names.size > 0);
    for (const u of parsed.unknown) if (!unknown.includes(u)) unknown.push(u);
    for (const [id, name] of parsed.names) {
      if (labels.some((l) => l.id === id)) continue;
      const hit = matchCategory(name, vocab) as (VocabEntry & { entry: VocabularyEntry }) | undefined;
      const label = [...index.byLabel].find(([, v]) => v === id)?.[0] ?? String(id);
      labels.push({
        id,
        label,
        name,
        category_id: hit?.entry.id ?? null,
        category: hit?.entry.official ?? null,
      });
    }
  }
  labels.sort((a, b) => a.id - b.id);
  const chosen = labels.map((l) => byId.get(l.id)!) as Region[];
  const panoptic = await panopticPrediction(input, labels, byId, input.stem);
  const json: AnswerJson = {
    ...baseJson("classify", input, view, prompt),
    ...answerSummary(answers),
    referenced: chosen.map((r) => referenced(r, input.style.labels)),
    unknown: stillUnknown(
      unknown,
      labels.map((l) => l.id),
      input.style.labels,
    ),
    vocabulary: input.vocabulary.name,
    labels,
    unlabeled: input.regions.filter((r) => !labels.some((l) => l.id === r.id)).map((r) => r.id),
  };
  const png = await renderRegions(input.image, chosen, input.style);
  return {
    json,
    png,
    files: [
      { suffix: ".panoptic.png", data: panoptic.png },
      { suffix: ".panoptic.json", data: `${JSON.stringify(panoptic.json)}\n` },
      ...sentFiles(view),
    ],
  };
}

async function panopticPrediction(
  input: TaskInput & { vocabulary: Vocabulary },
  labels: readonly MarkLabel[],
  byId: Map<number, Region>,
  stem: string,
) {
  const { width, height } = input.image;
  const seg = new Uint32Array(width * height);
  const matched = labels.filter((l) => l.category_id != null);
  // A stuff category is one segment per image (as in COCO panoptic ground truth and panoptic models'
  // output): its marks share the id of its first mark. Things keep one segment per mark.
  const stuff = new Set(input.vocabulary.entries.filter((e) => !e.isthing).map((e) => e.id));
  const firstOf = new Map<number, number>();
  const segOf = new Map<number, number>();
  for (const l of matched) {
    const cat = l.category_id as number;
    if (stuff.has(cat) && !firstOf.has(cat)) firstOf.set(cat, l.id);
    segOf.set(l.id, stuff.has(cat) ? firstOf.get(cat)! : l.id);
  }
  // Larger regions first, so smaller ones (usually the objects on top) keep their pixels.
  const order = [...matched].sort((a, b) => byId.get(b.id)!.area - byId.get(a.id)!.area || a.id - b.id);
  for (const l of order) {
    const m = byId.get(l.id)!.mask;
    const id = segOf.get(l.id)!;
    for (let y = 0; y < m.h; y++) {
      const row = (m.y + y) * width + m.x;
      for (let x = 0; x < m.w; x++) if (m.data[y * m.w + x]) seg[row + x] = id;
    }
  }
  const stats = new Map<number, { area: number; x0: number; y0: number; x1: number; y1: number }>();
  for (let i = 0; i < seg.length; i++) {
    const id = seg[i];
    if (!id) continue;
    const x = i % width;
    const y = (i - x) / width;
    const s = stats.get(id);
    if (!s) stats.set(id, { area: 1, x0: x, y0: y, x1: x, y1: y });
    else {
      s.area++;
      if (x < s.x0) s.x0 = x;
      if (x > s.x1) s.x1 = x;
      if (y < s.y0) s.y0 = y;
      if (y > s.y1) s.y1 = y;
    }
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < seg.length; i++) {
    const id = seg[i];
    rgb[i * 3] = id & 255;
    rgb[i * 3 + 1] = (id >> 8) & 255;
    rgb[i * 3 + 2] = (id >> 16) & 255;
  }
  const png = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
  const segments_info = matched
    .filter((l) => segOf.get(l.id) === l.id && stats.has(l.id))
    .map((l) => {
      const s = stats.get(l.id)!;
      return {
        id: l.id,
        category_id: l.category_id,
        area: s.area,
        bbox: [s.x0, s.y0, s.x1 - s.x0 + 1, s.y1 - s.y0 + 1],
        iscrowd: 0,
      };
    });
  const imageId = /^\d+$/.test(stem) ? Number(stem) : stem;
  const json = {
    annotations: [{ image_id: imageId, file_name: `${stem}.panoptic.png`, segments_info }],
    categories: input.vocabulary.entries.map((e) => ({
      id: e.id,
      name: e.official,
      isthing: e.isthing ? 1 : 0,
    })),
  };
  return { png, json };
}
