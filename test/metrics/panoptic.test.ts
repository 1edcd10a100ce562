import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { decodePng } from "../../src/image/png-index.js";
import { formatPanoptic } from "../../src/metrics/format.js";
import { evaluatePanoptic } from "../../src/metrics/panoptic.js";
import { addImage, type PqStat, pqAverage, type SegmentInfo } from "../../src/metrics/pq-stat.js";
import { COCO, cocoPanopticJson } from "../helpers/datasets.js";
import { somStdout as cli } from "../helpers/cli.js";

const CATS = new Map<number | string, unknown>([
  [1, {}],
  [2, {}],
  [3, {}],
]);

function score(
  gtIds: number[],
  predIds: number[],
  gtSegments: SegmentInfo[],
  predSegments: SegmentInfo[],
): PqStat {
  const pq: PqStat = new Map();
  addImage(pq, { imageId: 7, gtIds, predIds, gtSegments, predSegments }, CATS);
  return pq;
}

const gt = (id: number, category_id: number, area: number, iscrowd = 0): SegmentInfo => ({
  id,
  category_id,
  area,
  iscrowd,
});
const pr = (id: number, category_id: number): SegmentInfo => ({ id, category_id });

describe("panoptic quality on hand-made id maps", () => {
  it("matches only when IoU is strictly above 0.5", () => {
    const half = score([1, 1, 1, 1, 0, 0, 0, 0], [10, 10, 0, 0, 0, 0, 0, 0], [gt(1, 1, 4)], [pr(10, 1)]);
    expect(half.get(1)).toEqual({ iou: 0, tp: 0, fp: 1, fn: 1 });
    const above = score([1, 1, 1, 1, 0, 0, 0, 0], [10, 10, 10, 0, 0, 0, 0, 0], [gt(1, 1, 4)], [pr(10, 1)]);
    expect(above.get(1)).toEqual({ iou: 0.75, tp: 1, fp: 0, fn: 0 });
  });

  it("takes the prediction's void pixels out of the union", () => {
    // Without the void rule IoU would be 4/8 = 0.5 (no match); with it 4/(8+4-4-4) = 1.
    const pq = score([1, 1, 1, 1, 0, 0, 0, 0], [10, 10, 10, 10, 10, 10, 10, 10], [gt(1, 1, 4)], [pr(10, 1)]);
    expect(pq.get(1)).toEqual({ iou: 1, tp: 1, fp: 0, fn: 0 });
  });

  it("uses the JSON area for ground truth, the PNG count for predictions", () => {
    // JSON claims 6 pixels for a 4-pixel segment: union = 4 + 6 - 4 = 6 → IoU 2/3.
    const pq = score([1, 1, 1, 1, 0, 0], [10, 10, 10, 10, 0, 0], [gt(1, 1, 6)], [pr(10, 1)]);
    expect(pq.get(1)!.iou).toBe(4 / 6);
  });

  it("counts an unmatched prediction half on void as a false positive, more than half as ignored", () => {
    const ids = [1, 1, 1, 1, 0, 0, 2, 2, 2, 2];
    const pq = score(
      ids,
      [10, 10, 10, 10, 11, 11, 11, 11, 0, 0],
      [gt(1, 1, 4), gt(2, 3, 4)],
      [pr(10, 1), pr(11, 2)],
    );
    expect(pq.get(1)).toEqual({ iou: 1, tp: 1, fp: 0, fn: 0 });
    expect(pq.get(2)).toEqual({ iou: 0, tp: 0, fp: 1, fn: 0 }); // 2 of 4 pixels on void: not > 0.5
    expect(pq.get(3)).toEqual({ iou: 0, tp: 0, fp: 0, fn: 1 }); // overlapped by another category only
    const mostly = score(
      ids,
      [10, 10, 10, 10, 11, 11, 11, 0, 0, 0],
      [gt(1, 1, 4), gt(2, 3, 4)],
      [pr(10, 1), pr(11, 2)],
    );
    expect(mostly.get(2)?.fp ?? 0).toBe(0); // 2 of 3 on void: ignored
  });

  it("never counts crowd as a false negative and forgives predictions on same-category crowd", () => {
    const pq = score(
      [5, 5, 5, 5, 1, 1, 0, 0],
      [20, 20, 20, 22, 21, 21, 20, 22],
      [gt(5, 1, 4, 1), gt(1, 1, 2)],
      [pr(20, 1), pr(21, 1), pr(22, 2)],
    );
    // 20: 3 px on the cat-1 crowd + 1 on void → ignored; 21 matches GT 1; 22 (cat 2): 1 of 2 on void → FP.
    expect(pq.get(1)).toEqual({ iou: 1, tp: 1, fp: 0, fn: 0 });
    expect(pq.get(2)).toEqual({ iou: 0, tp: 0, fp: 1, fn: 0 });
  });

  it("scores an empty prediction as all false negatives and an empty GT as all false positives", () => {
    const noPred = score([1, 1, 2, 2], [0, 0, 0, 0], [gt(1, 1, 2), gt(2, 2, 2)], []);
    expect([noPred.get(1)!.fn, noPred.get(2)!.fn]).toEqual([1, 1]);
    const noGt = score([0, 0, 0, 0], [0, 10, 10, 0], [], [pr(10, 1)]);
    // All of the prediction lies on void (the whole image is void): ignored, not a FP.
    expect(noGt.get(1)).toBeUndefined();
    const noGtButLabelled = score([3, 3, 3, 3], [3, 10, 10, 3], [gt(3, 3, 4)], [pr(10, 1), pr(3, 3)]);
    expect(noGtButLabelled.get(1)).toEqual({ iou: 0, tp: 0, fp: 1, fn: 0 });
  });

  it("sums over images, leaves categories without TP/FP/FN out, and gives null for an empty group", () => {
    const pq: PqStat = new Map();
    addImage(
      pq,
      {
        imageId: 1,
        gtIds: [1, 1, 1, 1],
        predIds: [9, 9, 9, 0],
        gtSegments: [gt(1, 1, 4)],
        predSegments: [pr(9, 1)],
      },
      CATS,
    );
    addImage(
      pq,
      { imageId: 2, gtIds: [1, 1], predIds: [0, 0], gtSegments: [gt(1, 1, 2)], predSegments: [] },
      CATS,
    );
    const cats = [
      { id: 1, isthing: 1 },
      { id: 2, isthing: 1 },
      { id: 3, isthing: 0 },
    ];
    const all = pqAverage(pq, cats, undefined);
    // cat 1: IoU 0.75 (TP) + one FN → PQ = 0.75 / 1.5, SQ = 0.75, RQ = 1 / 1.5
    expect(all.group).toEqual({ pq: 0.5, sq: 0.75, rq: 1 / 1.5, n: 1 });
    expect(all.perClass.get(2)).toEqual({ pq: 0, sq: 0, rq: 0 });
    expect(pqAverage(pq, cats, false).group).toBeNull();
  });

  it("rejects ids that the prediction PNG and JSON disagree on, and unknown categories", () => {
    const bad = (predIds: number[], segs: SegmentInfo[]) => () => score([1, 1], predIds, [gt(1, 1, 2)], segs);
    expect(bad([10, 11], [pr(10, 1)])).toThrow(
      /image 7: segment id 11 is in the prediction PNG but not in the prediction JSON/,
    );
    expect(bad([10, 10], [pr(10, 1), pr(12, 1)])).toThrow(
      /image 7: segment ids 12 are in the prediction JSON but not in its PNG/,
    );
    expect(bad([10, 10], [pr(10, 99)])).toThrow(/image 7: segment id 10 has unknown category_id 99/);
    expect(bad([10, 10], [pr(10, 99)])).toThrow(UserError);
  });
});

const tmp = mkdtempSync(join(tmpdir(), "som-pq-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Ann {
  image_id: number;
  file_name: string;
  segments_info: { id: number; category_id: number; iscrowd: number; area: number }[];
}

/**
 * A perturbed copy of the COCO panoptic ground truth, image k by k mod 4: 0 shifts every segment by
 * (4, 3) px; 1 gives the first segment another category; 2 drops the largest segment to void and adds
 * a spurious 30×30 person in the corner; 3 stays as is.
 */
async function writePerturbed(dir: string): Promise<string> {
  const root = COCO();
  const gtJson = JSON.parse(readFileSync(cocoPanopticJson(), "utf8"));
  mkdirSync(join(dir, "png"), { recursive: true });
  const annotations = await Promise.all(
    (gtJson.annotations as Ann[]).map(async (a, k) => {
      const p = decodePng(readFileSync(join(root, "panoptic", a.file_name)));
      const { width: w, height: h } = p;
      const ids = new Uint32Array(w * h);
      for (let i = 0; i < ids.length; i++)
        ids[i] = p.data[i * 3] + 256 * p.data[i * 3 + 1] + 65536 * p.data[i * 3 + 2];
      const mode = k % 4;
      const segs = a.segments_info.map((s) => ({ id: s.id, category_id: s.category_id }));
      const pid = new Uint32Array(w * h);
      const [dx, dy] = mode === 0 ? [4, 3] : [0, 0];
      for (let y = dy; y < h; y++) for (let x = dx; x < w; x++) pid[y * w + x] = ids[(y - dy) * w + x - dx];
      if (mode === 1 && segs.length > 0) segs[0].category_id = segs[0].category_id === 1 ? 2 : 1;
      if (mode === 2) {
        const big = [...a.segments_info].sort((u, v) => v.area - u.area)[0];
        for (let i = 0; i < pid.length; i++) if (pid[i] === big.id) pid[i] = 0;
        for (let y = 0; y < 30; y++) for (let x = 0; x < 30; x++) pid[y * w + x] = 999;
        segs.push({ id: 999, category_id: 1 });
      }
      const present = new Set(pid);
      const rgb = Buffer.alloc(w * h * 3);
      for (let i = 0; i < pid.length; i++) {
        rgb[i * 3] = pid[i] & 255;
        rgb[i * 3 + 1] = (pid[i] >> 8) & 255;
        rgb[i * 3 + 2] = (pid[i] >> 16) & 255;
      }
      await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
        .png()
        .toFile(join(dir, "png", a.file_name));
      return {
        image_id: a.image_id,
        file_name: a.file_name,
        segments_info: segs.filter((s) => present.has(s.id)),
      };
    }),
  );
  const file = join(dir, "pred.json");
  writeFileSync(file, JSON.stringify({ annotations, categories: gtJson.categories }));
  return file;
}

describe("COCO panoptic val2017 subset end to end (../shared/datasets/coco-panoptic-val2017)", () => {
  const gtJson = cocoPanopticJson();
  const gtFolder = join(COCO(), "panoptic");

  it("scores the ground truth against itself as PQ = 1", async () => {
    const r = await evaluatePanoptic({ gtJson, gtFolder, predJson: gtJson, predFolder: gtFolder });
    // n = categories with at least one non-crowd segment (crowd-only ones have no TP/FP/FN).
    const json = JSON.parse(readFileSync(gtJson, "utf8"));
    const thing = new Map<number, boolean>(
      json.categories.map((c: { id: number; isthing: number }) => [c.id, c.isthing === 1]),
    );
    const present = new Set<number>();
    for (const a of json.annotations as Ann[])
      for (const s of a.segments_info) if (!s.iscrowd) present.add(s.category_id);
    const things = [...present].filter((c) => thing.get(c)).length;
    expect(r.All).toEqual({ pq: 1, sq: 1, rq: 1, n: present.size });
    expect(r.Things).toEqual({ pq: 1, sq: 1, rq: 1, n: things });
    expect(r.Stuff).toEqual({ pq: 1, sq: 1, rq: 1, n: present.size - things });
    expect(Object.keys(r.per_class)).toHaveLength(json.categories.length);
  });

  it("scores a perturbed copy below 1, equal bit for bit to panopticapi's computation", async () => {
    const predJson = await writePerturbed(join(tmp, "perturbed"));
    const out = JSON.parse(
      await cli([
        "metrics",
        "panoptic",
        "--gt-json",
        gtJson,
        "--gt-folder",
        gtFolder,
        "--pred-json",
        predJson,
        "--pred-folder",
        join(tmp, "perturbed", "png"),
        "--json",
      ]),
    );
    expect(Object.keys(out)).toEqual(["All", "Things", "Stuff", "per_class"]);
    // Figures from a NumPy port of panopticapi's pq_compute (single process) on these same files.
    expect(out.All).toEqual({
      pq: 0.8904269930411665,
      sq: 0.9568627194521839,
      rq: 0.9221178353087336,
      n: 124,
    });
    expect(out.Things).toEqual({
      pq: 0.8553278337127316,
      sq: 0.9499442326118075,
      rq: 0.8863671410111316,
      n: 72,
    });
    expect(out.Stuff).toEqual({
      pq: 0.9390258290343836,
      sq: 0.9664421627696285,
      rq: 0.9716187966438755,
      n: 52,
    });
    expect(out.per_class["1"]).toEqual({
      pq: 0.7982387689198526,
      sq: 0.9503621408656442,
      rq: 0.8399311531841652,
    });
    expect(out.per_class["2"]).toEqual({
      pq: 0.2960927960927961,
      sq: 0.8882783882783882,
      rq: 0.3333333333333333,
    });
    // The table prints PQ ×100 to one decimal, as panopticapi does.
    expect(formatPanoptic(out)).toMatch(/All\s+89\.0\s+95\.7\s+92\.2\s+124/);
  });

  it("names the file and image for a missing prediction", async () => {
    const json = JSON.parse(readFileSync(gtJson, "utf8"));
    const predJson = join(tmp, "missing.json");
    writeFileSync(predJson, JSON.stringify({ annotations: json.annotations.slice(1) }));
    await expect(evaluatePanoptic({ gtJson, gtFolder, predJson, predFolder: gtFolder })).rejects.toThrow(
      new RegExp(`missing\\.json: no prediction for image_id ${json.annotations[0].image_id}`),
    );
    const renamed = join(tmp, "renamed.json");
    const anns = json.annotations.map((a: Ann, i: number) => (i === 3 ? { ...a, file_name: "nope.png" } : a));
    writeFileSync(renamed, JSON.stringify({ annotations: anns }));
    await expect(
      evaluatePanoptic({ gtJson, gtFolder, predJson: renamed, predFolder: gtFolder }),
    ).rejects.toThrow(new RegExp(`nope\\.png: missing PNG of image_id ${json.annotations[3].image_id}`));
    const badCats = join(tmp, "bad-categories.json");
    writeFileSync(badCats, JSON.stringify({ ...json, categories: [...json.categories, null] }));
    await expect(
      evaluatePanoptic({ gtJson: badCats, gtFolder, predJson: gtJson, predFolder: gtFolder }),
    ).rejects.toThrow(new RegExp(`bad-categories\\.json: category ${json.categories.length} has no id`));
  });
});
