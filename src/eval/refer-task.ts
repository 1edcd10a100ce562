/**
 * `som eval refer`: referring segmentation and comprehension. The model names the mark(s) an expression
 * means; their union is the predicted mask (scored with LAVT's mIoU / cIoU / precision@k, as `som metrics
 * refer`) and its box the predicted box (accuracy at IoU ≥ 0.5, as `som metrics rec`). Expressions that
 * denote nothing are right when no mark is named (no-target accuracy).
 */
import { labelText } from "../marks/labels.js";
import { xywhIoU } from "../metrics/rec.js";
import { REFER_THRESHOLDS, referScores } from "../metrics/refer.js";
import { type BBox, maskArea, maskIntersection, maskToFull } from "../regions/mask.js";
import type { Region } from "../regions/region.js";
import { runRefer } from "../tasks/refer.js";
import type { ReferSample, ReferTruth } from "./refer-data.js";
import { answer, commonFields, sampleRegions } from "./sample-pipeline.js";
import type { Breakdown, EvalTask, SampleFields, SampleRecord } from "./task-types.js";

interface ReferFields extends SampleFields {
  expression: string;
  category: string;
  named: number[];
  /** Intersection and union with the GT mask, when there is one. */
  mask?: { intersection: number; union: number };
  /** Box IoU with the GT box, when there is one; predicted box [x, y, w, h] (null: no mark named). */
  box?: { iou: number; pred: BBox | null };
  empty: boolean;
}

type ReferRecord = SampleRecord & ReferFields;

export function referTask(samples: readonly ReferSample[], dataset: string): EvalTask<ReferSample> {
  return {
    name: "refer",
    dataset: `${dataset} (${samples.length} expressions)`,
    samples,
    async run(sample, settings) {
      const { image, truth, gtRegions } = await sample.load(settings.maxPixels);
      const regions = await sampleRegions(image, gtRegions, settings);
      const a = await answer(
        settings,
        { image, file: sample.imageFile },
        regions,
        (groups, all) => {
          const chosen = new Set(oracleChoice(all, truth, sample.empty));
          return groups.map((g) => ({
            ids: g.filter((r) => chosen.has(r.id)).map((r) => labelText(r.id, settings.style.labels)),
          }));
        },
        (input) =>
          runRefer({
            ...input,
            expression: sample.expression,
          }),
      );
      const named = a.out?.json.referenced.map((r) => r.id) ?? [];
      const byId = new Map(regions.map((r) => [r.id, r]));
      const chosen = named.map((id) => byId.get(id)!);
      const union = unionBitmap(chosen, image.width, image.height);
      const predBox = (a.out?.json.mask as { bbox: BBox } | null)?.bbox ?? null;
      const record: ReferFields = {
        ...commonFields(regions, a),
        expression: sample.expression,
        category: sample.category,
        named,
        empty: sample.empty,
      };
      if (truth.mask) {
        const gt = maskToFull(truth.mask);
        let intersection = 0;
        let predArea = 0;
        for (let i = 0; i < gt.length; i++) {
          if (union[i]) {
            predArea++;
            if (gt[i]) intersection++;
          }
        }
        record.mask = { intersection, union: predArea + maskArea(truth.mask) - intersection };
      }
      if (truth.box) record.box = { iou: predBox ? xywhIoU(truth.box, predBox) : 0, pred: predBox };
      return record;
    },
    summarize(records) {
      const recs = records as ReferRecord[];
      // A failed answer (a refusal, a network error) names no mark, but it is not a right "no target".
      const rightNoTarget = (r: ReferRecord) => r.named.length === 0 && !r.error;
      const masked = recs.filter((r) => r.mask).map((r) => r.mask!);
      const boxed = recs.filter((r) => r.box);
      const empty = recs.filter((r) => r.empty);
      const seg = masked.length ? referScores(masked) : null;
      const acc = (rs: ReferRecord[]) =>
        rs.length ? rs.filter((r) => r.box!.iou >= 0.5).length / rs.length : null;
      const metrics: Record<string, number | null> = {
        mIoU: seg?.mIoU ?? null,
        cIoU: seg && Number.isFinite(seg.cIoU) ? seg.cIoU : null,
      };
      for (const t of REFER_THRESHOLDS) metrics[`P@${t}`] = seg?.precision[t] ?? null;
      metrics["acc@0.5"] = acc(boxed);
      if (empty.length) metrics.no_target_accuracy = empty.filter(rightNoTarget).length / empty.length;
      const cats = [...new Set(recs.map((r) => r.category))].sort();
      const rows: Breakdown["rows"] = cats.map((c) => {
        const mine = recs.filter((r) => r.category === c);
        const m = mine.filter((r) => r.mask).map((r) => r.mask!);
        const noTarget = mine.filter((r) => r.empty);
        return {
          name: c,
          values: [
            mine.length,
            m.length ? referScores(m).mIoU : null,
            acc(mine.filter((r) => r.box)),
            noTarget.length ? noTarget.filter(rightNoTarget).length / noTarget.length : null,
          ],
        };
      });
      return {
        metrics,
        primary: "mIoU",
        breakdown: {
          title: "Per category",
          columns: ["expressions", "mIoU", "acc@0.5", "no-target acc"],
          rows,
          chart: 1,
          fractions: [false, true, true, true],
        },
        details: {
          segmentation: seg,
          comprehension: { accuracy: acc(boxed), n: boxed.length },
          masks: masked.length,
          no_target: empty.length,
        },
        notes: [
          `mIoU/cIoU/P@k over the ${masked.length} expressions with a ground-truth mask (LAVT conventions); acc@0.5 over the ${boxed.length} with a box; no-target accuracy over the ${empty.length} that denote nothing`,
        ],
      };
    },
  };
}

/**
 * The oracle's answer: with a GT mask, marks added greedily while the union's IoU with it grows (starting
 * from the best single mark); with only a box, the mark whose box fits it best; no target: no mark.
 */
export function oracleChoice(regions: readonly Region[], truth: ReferTruth, empty: boolean): number[] {
  if (empty || regions.length === 0) return [];
  if (truth.mask) return greedyUnion(regions, truth.mask);
  if (truth.box) {
    let best: { id: number; iou: number } | undefined;
    for (const r of regions) {
      const iou = xywhIoU(truth.box, r.bbox);
      if (iou > 0 && (!best || iou > best.iou)) best = { id: r.id, iou };
    }
    return best ? [best.id] : [];
  }
  return [];
}

function greedyUnion(regions: readonly Region[], gtMask: ReferTruth["mask"] & object): number[] {
  const { width, height } = gtMask;
  const gt = maskToFull(gtMask);
  const candidates = regions.filter((r) => maskIntersection(r.mask, gtMask) > 0);
  const inUnion = new Uint8Array(width * height);
  let inter = 0;
  let union = maskArea(gtMask);
  const chosen: number[] = [];
  for (;;) {
    let best: { r: Region; gainI: number; gainU: number; iou: number } | undefined;
    for (const r of candidates) {
      if (chosen.includes(r.id)) continue;
      let gainI = 0;
      let gainU = 0;
      const m = r.mask;
      for (let y = 0; y < m.h; y++) {
        const row = (m.y + y) * width + m.x;
        for (let x = 0; x < m.w; x++) {
          if (!m.data[y * m.w + x] || inUnion[row + x]) continue;
          if (gt[row + x]) gainI++;
          else gainU++;
        }
      }
      const iou = (inter + gainI) / (union + gainU);
      if (!best || iou > best.iou) best = { r, gainI, gainU, iou };
    }
    if (!best || (chosen.length > 0 && best.iou <= inter / union)) break;
    chosen.push(best.r.id);
    inter += best.gainI;
    union += best.gainU;
    const m = best.r.mask;
    for (let y = 0; y < m.h; y++) {
      const row = (m.y + y) * width + m.x;
      for (let x = 0; x < m.w; x++) if (m.data[y * m.w + x]) inUnion[row + x] = 1;
    }
  }
  return chosen.sort((a, b) => a - b);
}

function unionBitmap(regions: readonly Region[], width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (const r of regions) {
    const m = r.mask;
    for (let y = 0; y < m.h; y++) {
      const row = (m.y + y) * width + m.x;
      for (let x = 0; x < m.w; x++) if (m.data[y * m.w + x]) out[row + x] = 1;
    }
  }
  return out;
}
