/**
 * `som eval ground`: phrase grounding on Flickr30K Entities. The model names marks for each phrase; each
 * named mark's box is one ranked box for that phrase, scored as MDETR/GLIP do (src/metrics/flickr.ts:
 * recall@1/5/10, ANY-BOX or MERGED-BOXES). Boxes are the marks' pixel extents, as inclusive
 * [x1, y1, x2, y2] like the Flickr30K annotations.
 */
import { writeFileAtomic } from "../io/atomic-write.js";
import { labelText } from "../marks/labels.js";
import type { Box } from "../metrics/flickr-entities.js";
import { type FlickrPrediction, flickrScores, xyxyIoU } from "../metrics/flickr.js";
import { emptyMask } from "../regions/mask.js";
import { makeRegion, type Region } from "../regions/region.js";
import { runGround } from "../tasks/ground.js";
import { join } from "node:path";
import { loadImage } from "../image/load.js";
import type { GroundDataset, GroundSample } from "./ground-data.js";
import { answer, commonFields, sampleRegions } from "./sample-pipeline.js";
import type { Breakdown, EvalTask, SampleFields, SampleRecord } from "./task-types.js";

interface GroundFields extends SampleFields {
  image_id: string;
  sentence_id: number;
  /** One ranked list of [x1, y1, x2, y2] boxes per phrase. */
  boxes: number[][][];
}

type GroundRecord = SampleRecord & GroundFields;

/** Inclusive pixel box of a region. */
function regionBox(r: Region): Box {
  const [x, y, w, h] = r.bbox;
  return [x, y, x + w - 1, y + h - 1];
}

/** A ground-truth box as a rectangular mask (pixels xmin..xmax, ymin..ymax inclusive, clipped). */
function boxRegion(id: number, b: Box, width: number, height: number): Region | null {
  const x0 = Math.max(0, Math.floor(b[0]));
  const y0 = Math.max(0, Math.floor(b[1]));
  const x1 = Math.min(width - 1, Math.floor(b[2]));
  const y1 = Math.min(height - 1, Math.floor(b[3]));
  if (x1 < x0 || y1 < y0) return null;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const mask = { ...emptyMask(width, height), x: x0, y: y0, w, h, data: new Uint8Array(w * h).fill(1) };
  return makeRegion(id, mask, "ground-truth", 1, { box: b });
}

export function groundTask(data: GroundDataset, dataset: string): EvalTask<GroundSample> {
  const targets = (s: GroundSample, k: number) => data.gt.boxes.get(s.imageId)!.get(s.phrases[k].entity)!;
  return {
    name: "ground",
    dataset: `${dataset} (${data.samples.length} sentences, ${data.samples.reduce((a, s) => a + s.phrases.length, 0)} phrases${data.merge ? ", merged boxes" : ""})`,
    samples: data.samples,
    async run(sample, settings) {
      const image = await loadImage(sample.imageFile, { maxPixels: settings.maxPixels });
      const gtRegions = () => {
        // Every distinct box of the image's entities, once.
        const seen = new Set<string>();
        const out: Region[] = [];
        for (const boxes of data.gt.boxes.get(sample.imageId)!.values()) {
          for (const b of boxes) {
            if (seen.has(b.join())) continue;
            seen.add(b.join());
            const r = boxRegion(out.length + 1, b, image.width, image.height);
            if (r) out.push(r);
          }
        }
        return out;
      };
      const regions = await sampleRegions(image, gtRegions, settings);
      const phrases = sample.phrases.map((p) => p.text);
      const a = await answer(
        settings,
        { image, file: sample.imageFile },
        regions,
        (groups, all) => {
          // Per phrase: marks ranked by their box's best IoU with the phrase's boxes (at most 10).
          const ranked = sample.phrases.map((_, k) =>
            all
              .map((r) => ({
                id: r.id,
                iou: Math.max(...targets(sample, k).map((t) => xyxyIoU(regionBox(r), t))),
              }))
              .filter((c) => c.iou > 0)
              .sort((p, q) => q.iou - p.iou || p.id - q.id)
              .slice(0, 10)
              .map((c) => c.id),
          );
          return groups.map((g) => ({
            phrases: phrases.map((text, k) => ({
              phrase: text,
              ids: ranked[k]
                .filter((id) => g.some((r) => r.id === id))
                .map((id) => labelText(id, settings.style.labels)),
            })),
          }));
        },
        (input) =>
          runGround({
            ...input,
            sentence: sample.sentence,
            phrases,
          }),
      );
      const byId = new Map(regions.map((r) => [r.id, r]));
      const perPhrase = (a.out?.json.phrases ?? []) as { ids: number[] }[];
      const boxes = sample.phrases.map((_, k) =>
        (perPhrase[k]?.ids ?? []).map((id) => regionBox(byId.get(id)!)),
      );
      const fields: GroundFields = {
        ...commonFields(regions, a),
        image_id: sample.imageId,
        sentence_id: sample.sentenceId,
        boxes,
      };
      return fields;
    },
    summarize(records) {
      const recs = records as GroundRecord[];
      const report = flickrScores(restrictTo(data, recs), predictions(recs));
      // recall@1 by phrase type (a phrase with several types counts in each).
      const byType = new Map<string, { n: number; hit: number }>();
      const byId = new Map(data.samples.map((s) => [s.id, s]));
      for (const r of recs) {
        const s = byId.get(r.id)!;
        s.phrases.forEach((p, k) => {
          const top = r.boxes[k][0];
          const hit = top !== undefined && targets(s, k).some((t) => xyxyIoU(top, t) >= 0.5);
          for (const t of ["all", ...p.types]) {
            const e = byType.get(t) ?? { n: 0, hit: 0 };
            e.n++;
            if (hit) e.hit++;
            byType.set(t, e);
          }
        });
      }
      const rows: Breakdown["rows"] = [...byType]
        .filter(([t]) => t !== "all")
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([t, e]) => ({ name: t, values: [e.n, e.hit / e.n, report.upper_bound[t] ?? null] }));
      return {
        metrics: {
          "recall@1": report["recall@1"],
          "recall@5": report["recall@5"],
          "recall@10": report["recall@10"],
          upper_bound: report.upper_bound.all ?? null,
        },
        primary: "recall@1",
        breakdown: {
          title: "Per phrase type",
          columns: ["phrases", "recall@1", "upper bound"],
          rows,
          chart: 1,
          fractions: [false, true, true],
        },
        details: report,
        notes: [
          `${data.merge ? "MERGED-BOXES" : "ANY-BOX"} protocol; a phrase's boxes are its named marks' boxes, in the order named`,
        ],
      };
    },
    async finish(records, outDir) {
      await writeFileAtomic(
        join(outDir, "flickr_predictions.json"),
        `${JSON.stringify(predictions(records as GroundRecord[]))}\n`,
      );
    },
  };
}

function predictions(recs: readonly GroundRecord[]): FlickrPrediction[] {
  return recs.map((r) => ({ image_id: r.image_id, sentence_id: r.sentence_id, boxes: r.boxes }));
}

/** The ground truth of the evaluated sentences only (a --limit run scores what it ran). */
function restrictTo(data: GroundDataset, recs: readonly GroundRecord[]) {
  const done = new Set(recs.map((r) => r.id));
  const sentences = new Map(
    [...data.gt.sentences].map(([img, list]) => [
      img,
      list.map((p, k) => (done.has(`${img}_${k}`) ? p : null)),
    ]),
  );
  return { boxes: data.gt.boxes, sentences };
}
