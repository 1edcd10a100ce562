import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oracleChoice } from "../../src/eval/refer-task.js";
import { openResultsLog } from "../../src/eval/results-log.js";
import { maskFromFull } from "../../src/regions/mask.js";
import { makeRegion } from "../../src/regions/region.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "som-log-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("results log", () => {
  it("keeps complete records, drops a torn last line, and appends concurrent records as whole lines", async () => {
    const file = join(dir, "a.jsonl");
    await writeFile(file, `{"id":"a","v":1}\n{"id":"b","v":2,"error":"x"}\n{"id":"b","v":3}\n{"id":"c","v`);
    const log = await openResultsLog<{ id: string; v: number }>(file);
    expect([...log.existing.keys()]).toEqual(["a", "b"]);
    expect(log.existing.get("b")!.v).toBe(3); // the later record of an id wins
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.append({ id: `n${i}`, v: i })));
    await log.close();
    const lines = (await readFile(file, "utf8")).split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(23);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
  });

  it("names the line of a damaged record in the middle of the file", async () => {
    const file = join(dir, "b.jsonl");
    await writeFile(file, `{"id":"a"}\nnot json\n{"id":"c"}\n`);
    await expect(openResultsLog(file)).rejects.toThrow(/line 2: not valid JSON/);
  });
});

describe("refer oracle", () => {
  // 10×10 image; target: columns 0..5 of rows 0..9 (60 px).
  const W = 10;
  const full = (f: (x: number, y: number) => boolean) => {
    const a = new Uint8Array(W * W);
    for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) a[y * W + x] = f(x, y) ? 1 : 0;
    return maskFromFull(a, W, W);
  };
  const target = full((x) => x < 6);
  it("adds marks while the union's IoU grows, and stops before one that lowers it", () => {
    const left = makeRegion(
      1,
      full((x) => x < 3),
      "t",
    ); // 30 px inside: IoU 0.5
    const mid = makeRegion(
      2,
      full((x) => x >= 3 && x < 6),
      "t",
    ); // the other half
    const spill = makeRegion(
      3,
      full((x) => x >= 5),
      "t",
    ); // mostly outside
    expect(oracleChoice([left, mid, spill], { mask: target }, false)).toEqual([1, 2]);
    expect(oracleChoice([spill], { mask: target }, false)).toEqual([3]); // best single mark, even if poor
    expect(oracleChoice([left, mid], { mask: target }, true)).toEqual([]); // no target: no mark
  });
  it("with only a box, picks the mark whose box fits it best", () => {
    const a = makeRegion(
      1,
      full((x, y) => x < 4 && y < 4),
      "t",
    );
    const b = makeRegion(
      2,
      full((x, y) => x < 8 && y < 8),
      "t",
    );
    expect(oracleChoice([a, b], { box: [0, 0, 7, 7] }, false)).toEqual([2]);
  });
});
