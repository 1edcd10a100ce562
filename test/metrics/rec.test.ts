import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { evaluateRec, recScores, xywhIoU } from "../../src/metrics/rec.js";
import { COCO, cocoPanopticJson } from "../helpers/datasets.js";
import { runSom, somStdout as cli } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "som-rec-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("referring expression comprehension accuracy", () => {
  it("counts IoU exactly 0.5 as correct, with areas w·h (no +1)", () => {
    expect(xywhIoU([0, 0, 10, 10], [0, 0, 10, 5])).toBe(0.5);
    expect(xywhIoU([0, 0, 3, 2], [1, 0, 3, 2])).toBe(0.5); // with +1 areas this would be 0.6
    expect(xywhIoU([0, 0, 0, 0], [0, 0, 0, 0])).toBe(0);
    const gt = [
      { id: 1, bbox: [0, 0, 10, 10] as [number, number, number, number] },
      { id: "b", bbox: [0, 0, 10, 10] as [number, number, number, number] },
    ];
    const pred = [
      { id: "1", bbox: [0, 0, 10, 5] as [number, number, number, number] },
      { id: "b", bbox: [0, 0, 10, 4.9] as [number, number, number, number] },
    ];
    expect(recScores(gt, pred)).toEqual({ accuracy: 0.5 });
  });

  it("names missing, unknown and duplicate ids and bad boxes", async () => {
    const gtFile = join(tmp, "gt.json");
    const predFile = join(tmp, "pred.json");
    writeFileSync(
      gtFile,
      JSON.stringify([
        { id: 1, bbox: [0, 0, 1, 1] },
        { id: 2, bbox: [0, 0, 1, 1] },
      ]),
    );
    const run = (pred: unknown) => {
      writeFileSync(predFile, JSON.stringify(pred));
      return evaluateRec({ gt: gtFile, pred: predFile });
    };
    await expect(run([{ id: 1, bbox: [0, 0, 1, 1] }])).rejects.toThrow(/pred\.json: no prediction for id 2/);
    await expect(
      run([
        { id: 1, bbox: [0, 0, 1, 1] },
        { id: 1, bbox: [0, 0, 1, 1] },
      ]),
    ).rejects.toThrow(/id 1 appears twice/);
    await expect(
      run([
        { id: 1, bbox: [0, 0, 1, 1] },
        { id: 2, bbox: [0, 0, 1, 1] },
        { id: 3, bbox: [0, 0, 1, 1] },
      ]),
    ).rejects.toThrow(/pred\.json: id 3 is not in .*gt\.json/);
    await expect(run([{ id: 1, bbox: [0, 0, 1] }])).rejects.toThrow(
      /pred\.json: id 1 needs bbox \[x, y, w, h\]/,
    );
    await expect(run({})).rejects.toThrow(/pred\.json: expected a JSON array/);
    const out = await runSom(["metrics", "rec", "--gt", gtFile, "--pred", join(tmp, "absent.json")]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^som: .*absent\.json: no such file\n$/);
  });

  it("scores the shared RefCOCOs boxes against their matched panoptic segments", async () => {
    const { expressions } = JSON.parse(readFileSync(join(COCO(), "refcocos_val2017_subset.json"), "utf8"));
    const panoptic = JSON.parse(readFileSync(cocoPanopticJson(), "utf8"));
    const segBox = new Map<number, number[]>();
    for (const a of panoptic.annotations) for (const s of a.segments_info) segBox.set(s.id, s.bbox);
    const matched = expressions.filter(
      (e: { matched_segment_id?: number | null }) => typeof e.matched_segment_id === "number",
    );
    const gt = matched.map((e: { matched_segment_id: number }, k: number) => ({
      id: k,
      bbox: segBox.get(e.matched_segment_id),
    }));
    const toXywh = ([x1, y1, x2, y2]: number[]) => [x1, y1, x2 - x1, y2 - y1];
    const pred = matched.map((e: { bbox_xyxy: number[] }, k: number) => ({
      id: k,
      bbox: toXywh(e.bbox_xyxy),
    }));
    writeFileSync(join(tmp, "coco-gt.json"), JSON.stringify(gt));
    writeFileSync(join(tmp, "coco-pred.json"), JSON.stringify(pred));
    // The data set matched each expression to a segment whose box has IoU ≥ 0.5 with it: all correct.
    const json = JSON.parse(
      await cli([
        "metrics",
        "rec",
        "--gt",
        join(tmp, "coco-gt.json"),
        "--pred",
        join(tmp, "coco-pred.json"),
        "--json",
      ]),
    );
    expect(json).toEqual({ accuracy: 1 });
    // Boxes pushed right by 60% of their width: a direct count decides which still pass.
    const shifted = pred.map((p: { id: number; bbox: number[] }) => ({
      ...p,
      bbox: [p.bbox[0] + 0.6 * p.bbox[2], ...p.bbox.slice(1)],
    }));
    writeFileSync(join(tmp, "coco-shifted.json"), JSON.stringify(shifted));
    const expected =
      gt.filter((g: { bbox: number[] }, k: number) => {
        const a = g.bbox;
        const b = shifted[k].bbox;
        const iw = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
        const ih = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
        return (iw * ih) / (a[2] * a[3] + b[2] * b[3] - iw * ih) >= 0.5;
      }).length / gt.length;
    const r = await evaluateRec({ gt: join(tmp, "coco-gt.json"), pred: join(tmp, "coco-shifted.json") });
    expect(r.accuracy).toBe(expected);
    expect(r.accuracy).toBeLessThan(1);
  });
});
