/**
 * `som eval classify`: open-vocabulary segmentation as the paper ran it. Every mark gets a category from
 * the vocabulary; scored two ways: the paper's precision (share of marks named with the category of the
 * ground-truth segment they match, IoU ≥ 0.5) and panoptic quality of the resulting panoptic prediction,
 * with panopticapi's rules (src/metrics/pq-stat.ts), summed over images in sample order.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { decodePng } from "../image/png-index.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { labelText } from "../marks/labels.js";
import { addImage, type CategoryStat, type PqStat, pqAverage, type SegmentInfo } from "../metrics/pq-stat.js";
import { panopticIds } from "../proposers/masks/png-masks.js";
import { masksFromLabelMap } from "../proposers/masks/label-map.js";
import { makeRegion, type Region } from "../regions/region.js";
import { runClassify } from "../tasks/classify.js";
import type { MarkLabel } from "../tasks/classify.js";
import type { ClassifyDataset, ClassifyGt, ClassifySample } from "./classify-data.js";
import { bestLabel, labelAreas } from "./label-overlap.js";
import { answer, commonFields, sampleRegions } from "./sample-pipeline.js";
import type { Breakdown, EvalTask, SampleRecord } from "./task-types.js";

/** Per category of one image: [tp, fp, fn, IoUs of the matches in panopticapi's order]. */
type ImagePq = Record<string, [number, number, number, number[]]>;

interface ClassifyRecord extends SampleRecord {
  pq: ImagePq;
  /** Per judged mark: [category of its GT segment, category the answer gave (null: none)]. */
  judged: [number, number | null][];
  image_id: unknown;
  file_name: string;
  segments_info: SegmentInfo[];
}

/** Marks must overlap their GT segment this much to be judged for precision. */
const JUDGE_IOU = 0.5;

export function classifyTask(data: ClassifyDataset): EvalTask<ClassifySample> {
  const catById = new Map(data.categories.map((c) => [c.id, c]));
  const shown = new Map(data.vocabulary.entries.map((e) => [e.id, e.name]));
  return {
    name: "classify",
    dataset: `${data.spec} (${data.samples.length} images, ${data.categories.length} categories)`,
    samples: data.samples,
    async run(sample, settings) {
      const gt = await data.load(sample, settings.maxPixels);
      const { width, height } = gt.image;
      const segById = new Map(gt.segments.map((s) => [s.id, s]));
      const areas = labelAreas(gt.ids);
      const regions = await sampleRegions(gt.image, () => gtRegions(gt), settings);
      const categoryOfBest = (r: Region) => {
        const b = bestLabel(r, gt.ids, width, areas, (l) => segById.has(l));
        return b ? { cat: segById.get(b.label)!.category_id as number, iou: b.iou } : null;
      };
      const a = await answer(
        settings,
        { image: gt.image, file: sample.imageFile },
        regions,
        (groups) =>
          groups.map((g) => ({
            labels: g.flatMap((r) => {
              const best = categoryOfBest(r);
              return best ? [{ id: labelText(r.id, settings.style.labels), name: shown.get(best.cat)! }] : [];
            }),
          })),
        (input) =>
          runClassify({
            ...input,
            vocabulary: data.vocabulary,
            stem: sample.id,
          }),
      );
      let predIds: Uint32Array = new Uint32Array(width * height);
      let predSegments: SegmentInfo[] = [];
      let png: Buffer | undefined;
      if (a.out) {
        png = a.out.files.find((f) => f.suffix === ".panoptic.png")!.data as Buffer;
        predIds = panopticIds(decodePng(png), `${sample.id}.panoptic.png`);
        const pj = JSON.parse(String(a.out.files.find((f) => f.suffix === ".panoptic.json")!.data));
        predSegments = pj.annotations[0].segments_info;
      }
      const pq = imagePq(gt, predIds, predSegments, catById, sample.id);
      const given = new Map(((a.out?.json.labels ?? []) as MarkLabel[]).map((l) => [l.id, l.category_id]));
      const judged: [number, number | null][] = [];
      for (const r of regions) {
        const best = categoryOfBest(r);
        if (best && best.iou >= JUDGE_IOU) judged.push([best.cat, given.get(r.id) ?? null]);
      }
      const fileName = `${sample.id}.png`;
      if (settings.outDir) {
        await mkdir(join(settings.outDir, "panoptic"), { recursive: true });
        await writeFileAtomic(
          join(settings.outDir, "panoptic", fileName),
          png ?? (await emptyPanoptic(width, height)),
        );
      }
      return {
        ...commonFields(regions, a),
        pq,
        judged,
        image_id: sample.imageId,
        file_name: fileName,
        segments_info: predSegments,
      };
    },
    summarize(records) {
      const recs = records as ClassifyRecord[];
      const pq: PqStat = new Map();
      for (const c of data.categories) pq.set(c.id, { iou: 0, tp: 0, fp: 0, fn: 0 });
      // Replaying each image's IoUs in order gives panopticapi's float sums exactly.
      for (const r of recs) {
        for (const [cat, [tp, fp, fn, ious]] of Object.entries(r.pq)) {
          const s = pq.get(catKey(cat, catById))!;
          s.tp += tp;
          s.fp += fp;
          s.fn += fn;
          for (const v of ious) s.iou += v;
        }
      }
      const all = pqAverage(pq, data.categories, undefined);
      const things = pqAverage(pq, data.categories, true).group;
      const stuff = pqAverage(pq, data.categories, false).group;
      const judged = recs.flatMap((r) => r.judged);
      const correct = judged.filter(([ref, pred]) => ref === pred).length;
      const perCat = new Map<number | string, { n: number; ok: number }>();
      for (const [ref, pred] of judged) {
        const e = perCat.get(ref) ?? { n: 0, ok: 0 };
        e.n++;
        if (ref === pred) e.ok++;
        perCat.set(ref, e);
      }
      const per_class: Record<string, { pq: number; sq: number; rq: number }> = {};
      for (const [id, v] of all.perClass) per_class[String(id)] = v;
      const rows: Breakdown["rows"] = [];
      for (const c of data.categories) {
        const s = pq.get(c.id)!;
        const j = perCat.get(c.id);
        if (!j && s.tp + s.fp + s.fn === 0) continue;
        const pc = all.perClass.get(c.id)!;
        const counted = s.tp + s.fp + s.fn > 0;
        rows.push({
          name: c.name,
          values: [
            j?.n ?? 0,
            j ? j.ok / j.n : null,
            counted ? pc.pq : null,
            counted ? pc.sq : null,
            counted ? pc.rq : null,
          ],
        });
      }
      return {
        metrics: {
          precision: judged.length ? correct / judged.length : null,
          PQ: all.group?.pq ?? null,
          SQ: all.group?.sq ?? null,
          RQ: all.group?.rq ?? null,
          PQ_things: things?.pq ?? null,
          PQ_stuff: stuff?.pq ?? null,
        },
        primary: "precision",
        breakdown: {
          title: "Per category",
          columns: ["judged marks", "precision", "PQ", "SQ", "RQ"],
          rows,
          chart: 1,
          fractions: [false, true, true, true, true],
        },
        details: { All: all.group, Things: things, Stuff: stuff, per_class, judged_marks: judged.length },
        notes: [
          `precision: marks whose best-IoU ground-truth segment overlaps them with IoU ≥ ${JUDGE_IOU} are judged; a judged mark is correct when named with that segment's category`,
        ],
      };
    },
    async finish(records, outDir) {
      const recs = records as ClassifyRecord[];
      const json = {
        annotations: recs.map((r) => ({
          image_id: r.image_id,
          file_name: r.file_name,
          segments_info: r.segments_info,
        })),
        categories: data.categories,
      };
      await writeFileAtomic(join(outDir, "panoptic.json"), `${JSON.stringify(json)}\n`);
    },
  };
}

/** Ground-truth segments as marks (crowd regions included: they are in the image too). */
function gtRegions(gt: ClassifyGt): Region[] {
  const masks = new Map(
    masksFromLabelMap(gt.ids, gt.image.width, gt.image.height).map((m) => [m.label, m.mask]),
  );
  return gt.segments
    .filter((s) => masks.has(s.id))
    .map((s, i) =>
      makeRegion(i + 1, masks.get(s.id)!, "ground-truth", 1, {
        segment_id: s.id,
        category_id: s.category_id,
      }),
    );
}

function catKey(key: string, catById: Map<number | string, unknown>): number | string {
  return catById.has(Number(key)) ? Number(key) : key;
}

/** One image's PQ bookkeeping through panopticapi's rules, keeping each match's IoU in order. */
function imagePq(
  gt: ClassifyGt,
  predIds: Uint32Array,
  predSegments: SegmentInfo[],
  categories: Map<number | string, unknown>,
  imageId: string,
): ImagePq {
  const stats = new Map<number | string, RecordingStat>();
  for (const id of categories.keys()) stats.set(id, new RecordingStat());
  addImage(
    stats as unknown as PqStat,
    { imageId, gtSegments: gt.segments, predSegments, gtIds: gt.ids, predIds },
    categories,
  );
  const out: ImagePq = {};
  for (const [id, s] of stats) if (s.tp + s.fp + s.fn > 0) out[String(id)] = [s.tp, s.fp, s.fn, s.ious];
  return out;
}

/** A PQ stat that records each `iou +=` instead of summing, so sums can be replayed across images. */
class RecordingStat implements CategoryStat {
  tp = 0;
  fp = 0;
  fn = 0;
  readonly ious: number[] = [];
  get iou(): number {
    return 0;
  }
  set iou(v: number) {
    this.ious.push(v);
  }
}

async function emptyPanoptic(width: number, height: number): Promise<Buffer> {
  const sharp = (await import("sharp")).default;
  return sharp(Buffer.alloc(width * height * 3), { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}
