/**
 * `som eval track`: video object segmentation as the paper's tracking study: the objects of the first
 * frame are marked with numbers, the candidate regions of a later frame with letters, and the model pairs
 * them. The matched regions form the frame's result; J and F per object as davis2017-evaluation computes
 * them (src/metrics/davis-frame.ts), averaged per object over its frames and then over all objects.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { decodePng, encodeIndexedPng, singleChannelValues } from "../image/png-index.js";
import { loadImage } from "../image/load.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { labelText } from "../marks/labels.js";
import { boundaryF, jaccard } from "../metrics/davis-frame.js";
import { type DavisScores, objectScores } from "../metrics/davis.js";
import { npMean } from "../metrics/numpy-sum.js";
import { maskFromFull, maskIoU } from "../regions/mask.js";
import { makeRegion, type Region } from "../regions/region.js";
import { runTrack } from "../tasks/track.js";
import { readObjectIds, type TrackSample } from "./track-data.js";
import { answer, commonFields, sampleRegions } from "./sample-pipeline.js";
import type { Breakdown, EvalTask, SampleFields, SampleRecord } from "./task-types.js";

interface TrackFields extends SampleFields {
  seq: string;
  frame: string;
  /** Per object id 1..n: J and F of this frame. */
  j: number[];
  f: number[];
  matches: (number | null)[];
}

type TrackRecord = SampleRecord & TrackFields;

/** Regions of every object present in a label map (ids = object ids). */
function objectRegions(ids: Uint8Array, width: number, height: number, count: number): Region[] {
  const out: Region[] = [];
  for (let k = 1; k <= count; k++) {
    const mask = maskFromFull(ids, width, height, k);
    if (mask.w > 0) out.push(makeRegion(k, mask, "ground-truth", 1, { label_value: k }));
  }
  return out;
}

export function trackTask(samples: readonly TrackSample[], dataset: string): EvalTask<TrackSample> {
  return {
    name: "track",
    dataset: `${dataset} (${new Set(samples.map((s) => s.seq)).size} sequences, ${samples.length} frames)`,
    samples,
    async run(sample, settings) {
      const frame1 = await loadImage(sample.firstImage, { maxPixels: settings.maxPixels });
      const first = await readObjectIds(sample.firstAnnotation, sample.year);
      let count = 0;
      for (const v of first.ids) if (v > count) count = v;
      const objects = objectRegions(first.ids, first.width, first.height, count);
      const image = await loadImage(sample.image, { maxPixels: settings.maxPixels });
      const gt = await readObjectIds(sample.annotation, sample.year);
      const gtObjects = objectRegions(gt.ids, gt.width, gt.height, count);
      const regions = await sampleRegions(image, () => gtObjects, settings);
      const a = await answer(
        settings,
        { image, file: sample.image },
        regions,
        (groups, all) => {
          // Each object goes to the candidate with the best IoU with its mask in this frame.
          const pick = new Map<number, number>();
          for (const o of objects) {
            const target = gtObjects.find((g) => g.id === o.id);
            let best: { id: number; iou: number } | undefined;
            for (const r of target ? all : []) {
              const iou = maskIoU(r.mask, target!.mask, r.area, target!.area);
              if (iou > 0 && (!best || iou > best.iou)) best = { id: r.id, iou };
            }
            if (best) pick.set(o.id, best.id);
          }
          return groups.map((g) => ({
            matches: objects.map((o) => {
              const c = pick.get(o.id);
              const inGroup = c !== undefined && g.some((r) => r.id === c);
              return {
                object: labelText(o.id, "numeric"),
                mark: inGroup ? labelText(c, settings.style.labels) : "none",
              };
            }),
          }));
        },
        (input) =>
          runTrack({
            ...input,
            frame1,
            objects,
            objectValue: (o) => o.id,
          }),
      );
      let pred = new Uint8Array(gt.width * gt.height);
      if (a.out) {
        const png = a.out.files.find((f) => f.suffix === ".masks.png")!.data as Buffer;
        pred = Uint8Array.from(singleChannelValues(decodePng(png))!);
      }
      const j: number[] = [];
      const f: number[] = [];
      const gtMask = new Uint8Array(pred.length);
      const predMask = new Uint8Array(pred.length);
      for (let k = 1; k <= count; k++) {
        for (let i = 0; i < pred.length; i++) {
          gtMask[i] = gt.ids[i] === k ? 1 : 0;
          predMask[i] = pred[i] === k ? 1 : 0;
        }
        j.push(jaccard(gtMask, predMask));
        f.push(boundaryF(gtMask, predMask, gt.width, gt.height));
      }
      if (settings.outDir) {
        const dir = join(settings.outDir, "davis", sample.seq);
        await mkdir(dir, { recursive: true });
        await writeFileAtomic(join(dir, `${sample.frame}.png`), encodeIndexedPng(gt.width, gt.height, pred));
      }
      const matches = ((a.out?.json.matches ?? []) as { object: number; mark: number | null }[]).map(
        (m) => m.mark,
      );
      const fields: TrackFields = {
        ...commonFields(regions, a),
        seq: sample.seq,
        frame: sample.frame,
        j,
        f,
        matches,
      };
      return fields;
    },
    summarize(records) {
      const recs = records as TrackRecord[];
      const perObject: { name: string; frames: number; scores: DavisScores }[] = [];
      const sequences: Record<string, { objects: Record<string, DavisScores> }> = {};
      for (const seq of [...new Set(recs.map((r) => r.seq))]) {
        const mine = recs.filter((r) => r.seq === seq);
        const count = Math.max(...mine.map((r) => r.j.length));
        sequences[seq] = { objects: {} };
        for (let k = 0; k < count; k++) {
          const scores = objectScores(
            mine.map((r) => r.j[k]),
            mine.map((r) => r.f[k]),
          );
          sequences[seq].objects[String(k + 1)] = scores;
          perObject.push({ name: `${seq}_${k + 1}`, frames: mine.length, scores });
        }
      }
      const avg = (key: keyof DavisScores) => clean(npMean(perObject.map((o) => o.scores[key])));
      const J = avg("J_mean");
      const F = avg("F_mean");
      const global = {
        J_mean: J,
        J_recall: avg("J_recall"),
        J_decay: avg("J_decay"),
        F_mean: F,
        F_recall: avg("F_recall"),
        F_decay: avg("F_decay"),
        JF_mean: J !== null && F !== null ? (J + F) / 2 : null,
      };
      const rows: Breakdown["rows"] = perObject.map((o) => ({
        name: o.name,
        values: [o.frames, clean(o.scores.JF_mean), clean(o.scores.J_mean), clean(o.scores.F_mean)],
      }));
      return {
        metrics: {
          "J&F": global.JF_mean,
          J_mean: global.J_mean,
          J_recall: global.J_recall,
          J_decay: global.J_decay,
          F_mean: global.F_mean,
          F_recall: global.F_recall,
          F_decay: global.F_decay,
        },
        primary: "J&F",
        breakdown: {
          title: "Per object",
          columns: ["frames", "J&F", "J", "F"],
          rows,
          chart: 1,
          fractions: [false, true, true, true],
        },
        details: { global, sequences },
        notes: [
          "frames scored as davis2017-evaluation does: every annotated frame but the first and the last",
        ],
      };
    },
  };
}

function clean(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
