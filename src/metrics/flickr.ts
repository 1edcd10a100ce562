/**
 * Flickr30K Entities phrase grounding recall@k, as MDETR's flickr_eval.py (also used by GLIP) computes
 * it. Phrases without boxes are dropped; a phrase is found at k when any of its top-k predicted boxes has
 * IoU ≥ 0.5 with a ground-truth box of its entity (ANY-BOX) or with the box enclosing them all
 * (MERGED-BOXES). "upper_bound" uses every predicted box. Recall is also split by phrase type.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../errors.js";
import {
  type Box,
  type FlickrPhrase,
  mergeBoxes,
  parseAnnotationXml,
  parseSentences,
} from "./flickr-entities.js";
import { readJsonFile } from "./json-input.js";

export interface FlickrPrediction {
  image_id: string | number;
  sentence_id: number | string;
  /** One ranked list of [x1, y1, x2, y2] boxes per evaluated phrase of the sentence, in order. */
  boxes: number[][][];
}

export interface FlickrReport {
  "recall@1": number | null;
  "recall@5": number | null;
  "recall@10": number | null;
  upper_bound: Record<string, number>;
}

export interface FlickrGroundTruth {
  /** Image id → entity id → boxes (merged when asked). */
  boxes: Map<string, Map<string, Box[]>>;
  /** Image id → per sentence index, the phrases that have boxes (null when none has). */
  sentences: Map<string, (FlickrPhrase[] | null)[]>;
}

export interface FlickrOptions {
  flickrPath: string;
  split: string;
  predictions: string;
  mergeBoxes?: boolean;
  /** Called for predictions the official evaluator skips with a warning. */
  warn?: (message: string) => void;
}

const TOPK = [1, 5, 10, -1] as const;

export async function loadFlickrGroundTruth(
  flickrPath: string,
  split: string,
  merge: boolean,
): Promise<FlickrGroundTruth> {
  const listFile = join(flickrPath, `${split}.txt`);
  let list: string;
  try {
    list = await readFile(listFile, "utf8");
  } catch {
    throw new UserError(`${listFile}: split list not found`, "not_found");
  }
  const imageIds = list
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const gt: FlickrGroundTruth = { boxes: new Map(), sentences: new Map() };
  for (const id of imageIds) {
    const xmlFile = join(flickrPath, "Annotations", `${id}.xml`);
    let boxes: Map<string, Box[]>;
    try {
      boxes = parseAnnotationXml(await readFile(xmlFile, "utf8")).boxes;
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
      throw new UserError(
        `${xmlFile}: ${missing ? `missing annotation of image ${id}` : (err as Error).message}`,
      );
    }
    if (merge) for (const [k, v] of boxes) boxes.set(k, mergeBoxes(v));
    gt.boxes.set(id, boxes);
    const sentFile = join(flickrPath, "Sentences", `${id}.txt`);
    let text: string;
    try {
      text = await readFile(sentFile, "utf8");
    } catch {
      throw new UserError(`${sentFile}: missing sentences of image ${id}`, "not_found");
    }
    gt.sentences.set(
      id,
      parseSentences(text).map((s) => {
        const phrases = s.phrases.filter((p) => boxes.has(p.phraseId));
        return phrases.length > 0 ? phrases : null;
      }),
    );
  }
  return gt;
}

/** IoU of two [x1, y1, x2, y2] boxes as torchvision's box_iou (NaN when the union is 0). */
export function xyxyIoU(a: readonly number[], b: readonly number[]): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return inter / union;
}

class RecallTracker {
  readonly total = new Map<number, Map<string, number>>();
  readonly positive = new Map<number, Map<string, number>>();

  constructor(topk: readonly number[]) {
    for (const k of topk) {
      this.total.set(k, new Map());
      this.positive.set(k, new Map());
    }
  }

  add(k: number, category: string, hit: boolean): void {
    const bump = (m: Map<string, number>) => m.set(category, (m.get(category) ?? 0) + 1);
    bump(this.total.get(k)!);
    if (hit) bump(this.positive.get(k)!);
  }

  report(k: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const [cat, total] of this.total.get(k)!)
      out.set(cat, (this.positive.get(k)!.get(cat) ?? 0) / total);
    return out;
  }
}

export function flickrScores(
  gt: FlickrGroundTruth,
  predictions: FlickrPrediction[],
  file = "predictions",
  warn: (message: string) => void = () => {},
): FlickrReport {
  const expected: string[] = [];
  for (const [img, sents] of gt.sentences) {
    sents.forEach((s, k) => {
      if (s) expected.push(`${img}_${k}`);
    });
  }
  const expectedSet = new Set(expected);
  const evaluated = new Set<string>();
  const tracker = new RecallTracker(TOPK);
  for (const pred of predictions) {
    const img = String(pred.image_id);
    const curId = `${img}_${String(pred.sentence_id)}`;
    if (evaluated.has(curId)) {
      warn(
        `multiple predictions for sentence ${String(pred.sentence_id)} of image ${img}; keeping the first`,
      );
      continue;
    }
    if (!expectedSet.has(curId)) {
      if (pred.boxes.length !== 0) {
        warn(
          `image ${img} sentence ${String(pred.sentence_id)} has no phrase to evaluate; ignoring its boxes`,
        );
      }
      continue;
    }
    evaluated.add(curId);
    const phrases = gt.sentences.get(img)![Number(pred.sentence_id)]!;
    if (pred.boxes.length !== phrases.length) {
      throw new UserError(
        `${file}: image ${img} sentence ${String(pred.sentence_id)} has ${pred.boxes.length} box lists, ` +
          `expected ${phrases.length} (one per phrase with boxes)`,
      );
    }
    phrases.forEach((phrase, p) => {
      const targets = gt.boxes.get(img)!.get(phrase.phraseId)!;
      // Best IoU with any target for each predicted box, in rank order.
      const best = pred.boxes[p].map((box) => maxPropagatingNaN(targets.map((t) => xyxyIoU(box, t))));
      for (const k of TOPK) {
        const top = k === -1 ? best : best.slice(0, k);
        // An empty list is a miss (the official code cannot score it).
        const hit = top.length > 0 && maxPropagatingNaN(top) >= 0.5;
        tracker.add(k, "all", hit);
        for (const type of phrase.phraseTypes) tracker.add(k, type, hit);
      }
    });
  }
  const missing = expected.filter((id) => !evaluated.has(id));
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).map((id) => {
      const cut = id.lastIndexOf("_");
      return `image ${id.slice(0, cut)} sentence ${id.slice(cut + 1)}`;
    });
    throw new UserError(
      `${file}: missing predictions for ${missing.length} sentence(s): ${shown.join(", ")}${missing.length > 5 ? ", ..." : ""}`,
    );
  }
  const all = (k: number) => tracker.report(k).get("all") ?? null;
  const upper = tracker.report(-1);
  const upper_bound: Record<string, number> = {};
  if (upper.has("all")) upper_bound.all = upper.get("all")!;
  for (const cat of [...upper.keys()].filter((c) => c !== "all").sort()) upper_bound[cat] = upper.get(cat)!;
  return { "recall@1": all(1), "recall@5": all(5), "recall@10": all(10), upper_bound };
}

/** NumPy's max: NaN if any value is NaN. */
function maxPropagatingNaN(values: number[]): number {
  let m = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (Number.isNaN(v)) return Number.NaN;
    if (v > m) m = v;
  }
  return m;
}

export async function evaluateFlickr(options: FlickrOptions): Promise<FlickrReport> {
  const gt = await loadFlickrGroundTruth(options.flickrPath, options.split, options.mergeBoxes ?? false);
  const predictions = checkPredictions(await readJsonFile(options.predictions), options.predictions);
  return flickrScores(gt, predictions, options.predictions, options.warn);
}

function checkPredictions(value: unknown, file: string): FlickrPrediction[] {
  if (!Array.isArray(value))
    throw new UserError(`${file}: expected a JSON array of {image_id, sentence_id, boxes}`);
  value.forEach((p, k) => {
    if (typeof p !== "object" || p === null || p.image_id === undefined || p.sentence_id === undefined) {
      throw new UserError(`${file}: entry ${k} needs image_id and sentence_id`);
    }
    const where = `${file}: image ${String(p.image_id)} sentence ${String(p.sentence_id)}`;
    if (!Array.isArray(p.boxes))
      throw new UserError(`${where}: boxes must be a list (one ranked box list per phrase)`);
    for (const list of p.boxes) {
      if (!Array.isArray(list))
        throw new UserError(`${where}: each phrase needs a list of [x1, y1, x2, y2] boxes`);
      for (const b of list) {
        if (
          !Array.isArray(b) ||
          b.length !== 4 ||
          !b.every((v: unknown) => typeof v === "number" && Number.isFinite(v))
        ) {
          throw new UserError(`${where}: a box is not [x1, y1, x2, y2] numbers`);
        }
      }
    }
  });
  return value as FlickrPrediction[];
}
