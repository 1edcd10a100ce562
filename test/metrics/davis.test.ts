import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { decodePng, encodeIndexedPng } from "../../src/image/png-index.js";
import { evaluateDavis } from "../../src/metrics/davis.js";
import { dataset } from "../helpers/datasets.js";
import { runSom, somStdout as cli } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "som-davis-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeFrame(dir: string, name: string, w: number, h: number, fill: (x: number, y: number) => number) {
  mkdirSync(dir, { recursive: true });
  const idx = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) idx[y * w + x] = fill(x, y);
  writeFileSync(join(dir, name), encodeIndexedPng(w, h, idx));
}

/**
 * Toy sequence, 6×5, frames 00000..00004. Frame 0 holds objects 1 and 3 (no 2) and a void row; GT is
 * the same in frames 1–3; frame 4 is blank. Results exist only for the scored frames 1–3.
 */
function toyDataset(root: string, res: string, resultFill?: (t: number, x: number, y: number) => number) {
  mkdirSync(join(root, "ImageSets", "2017"), { recursive: true });
  writeFileSync(join(root, "ImageSets", "2017", "val.txt"), "toy\n");
  const gt = (x: number, y: number) => {
    if (x <= 1 && y <= 1) return 1;
    if (x >= 3 && y === 4) return 3;
    if (x >= 3 && y === 3) return 255;
    return 0;
  };
  const ann = join(root, "Annotations", "480p", "toy");
  for (let t = 0; t < 4; t++) writeFrame(ann, `0000${t}.png`, 6, 5, gt);
  writeFrame(ann, "00004.png", 6, 5, () => 0);
  const fill =
    resultFill ??
    ((t: number, x: number, y: number) => {
      if (x <= 1 && y <= 1) return t === 3 ? 0 : 1; // object 1 lost in the last scored frame
      if (x >= 3 && y >= 3) return 3; // object 3 also covers the GT's void row
      return 0;
    });
  for (let t = 1; t <= 3; t++) writeFrame(join(res, "toy"), `0000${t}.png`, 6, 5, (x, y) => fill(t, x, y));
}

describe("DAVIS semi-supervised evaluation on hand-made sequences", () => {
  it("scores objects 1..max(frame 0), skips first/last frames, treats void as background", async () => {
    const root = join(tmp, "toy");
    const res = join(tmp, "toy-res");
    toyDataset(root, res);
    const r = await evaluateDavis({ davisPath: root, resultsPath: res });
    const o = r.sequences.toy.objects;
    expect(Object.keys(o)).toEqual(["1", "2", "3"]);
    // Object 1: J = F = [1, 1, 0]; n = 3 → decay = mean(v0, v1) − v2 = 1.
    expect(o["1"]).toMatchObject({ J_mean: 2 / 3, J_recall: 2 / 3, J_decay: 1, F_mean: 2 / 3, F_decay: 1 });
    // Object 2 is absent everywhere: both masks empty → J = F = 1.
    expect(o["2"]).toEqual({
      J_mean: 1,
      J_recall: 1,
      J_decay: 0,
      F_mean: 1,
      F_recall: 1,
      F_decay: 0,
      JF_mean: 1,
    });
    // Object 3: the prediction's 3 pixels on the void row count as false positives: J = 3/6 = 0.5, not
    // a recall hit (> 0.5 needed). Boundaries lie within r = 1 of each other: F = 1.
    expect(o["3"]).toEqual({
      J_mean: 0.5,
      J_recall: 0,
      J_decay: 0,
      F_mean: 1,
      F_recall: 1,
      F_decay: 0,
      JF_mean: 0.75,
    });
    // Global figures average objects.
    expect(r.global.J_mean).toBeCloseTo((2 / 3 + 1 + 0.5) / 3, 15);
    expect(r.global.F_mean).toBeCloseTo((2 / 3 + 1 + 1) / 3, 15);
    expect(r.global.JF_mean).toBeCloseTo((r.global.J_mean + r.global.F_mean) / 2, 15);
  });

  it("rejects a result index above the number of objects, naming the file and id", async () => {
    const root = join(tmp, "toy2");
    const res = join(tmp, "toy2-res");
    toyDataset(root, res, (t, x, y) => (t === 2 && x === 5 && y === 0 ? 4 : 0));
    await expect(evaluateDavis({ davisPath: root, resultsPath: res })).rejects.toThrow(
      /toy2-res\/toy\/00002\.png: object id 4 is higher than the number of objects \(3\)/,
    );
  });

  it("scores an object that no result frame contains as an empty prediction (the official code stops)", async () => {
    const root = join(tmp, "toy-lost");
    const res = join(tmp, "toy-lost-res");
    toyDataset(root, res, (_t, x, y) => (x <= 1 && y <= 1 ? 1 : 0)); // object 3 never predicted
    const o = (await evaluateDavis({ davisPath: root, resultsPath: res })).sequences.toy.objects;
    expect(o["1"]).toMatchObject({ J_mean: 1, F_mean: 1 });
    // Object 3 is visible in every scored frame: J = 0; an empty boundary against a non-empty one: F = 0.
    expect(o["3"]).toMatchObject({ J_mean: 0, J_recall: 0, F_mean: 0, JF_mean: 0 });
  });

  it("names a missing result frame and a missing set list", async () => {
    const root = join(tmp, "toy3");
    const res = join(tmp, "toy3-res");
    toyDataset(root, res);
    rmSync(join(res, "toy", "00002.png"));
    const err = await evaluateDavis({ davisPath: root, resultsPath: res }).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/toy3-res\/toy\/00002\.png: missing result of sequence toy frame 00002/);
    await expect(evaluateDavis({ davisPath: root, resultsPath: res, set: "test-dev" })).rejects.toThrow(
      /ImageSets\/2017\/test-dev\.txt: sequence list not found/,
    );
  });
});

/** Frames kept per sequence (10 scored): enough for every shift of the pattern below, and fast. */
const FRAMES = 12;

/** DAVIS 2016 as DAVIS 2017 lays it out: palette PNGs with index 1 for the object. */
function buildDavis2016(root: string, results: string, shifted: string): string[] {
  const src = dataset("davis2016", "Annotations", "480p");
  const seqs = readdirSync(src).sort();
  mkdirSync(join(root, "ImageSets", "2017"), { recursive: true });
  writeFileSync(join(root, "ImageSets", "2017", "val.txt"), `${seqs.join("\n")}\n`);
  for (const s of seqs) {
    for (const dir of [join(root, "Annotations", "480p", s), join(results, s), join(shifted, s)]) {
      mkdirSync(dir, { recursive: true });
    }
    for (const name of readdirSync(join(src, s)).sort().slice(0, FRAMES)) {
      const png = decodePng(readFileSync(join(src, s, name)));
      const { width: w, height: h } = png;
      const idx = new Uint8Array(w * h);
      for (let i = 0; i < idx.length; i++) idx[i] = png.data[i] ? 1 : 0;
      const bytes = encodeIndexedPng(w, h, idx);
      writeFileSync(join(root, "Annotations", "480p", s, name), bytes);
      writeFileSync(join(results, s, name), bytes);
      writeFileSync(
        join(shifted, s, name),
        encodeIndexedPng(w, h, shift(idx, w, h, Number(name.slice(0, 5)))),
      );
    }
  }
  return seqs;
}

/** Prediction = GT moved right by 12 + (t mod 7) px and down 5 px; frame 7 predicts nothing. */
function shift(idx: Uint8Array, w: number, h: number, t: number): Uint8Array {
  const out = new Uint8Array(w * h);
  if (t === 7) return out;
  const dx = 12 + (t % 7);
  for (let y = 5; y < h; y++) for (let x = dx; x < w; x++) out[y * w + x] = idx[(y - 5) * w + x - dx];
  return out;
}

/** Independent per-frame J and F: boundary by explicit neighbour tests, tolerance by disk lookups. */
function referenceFrame(gt: Uint8Array, pred: Uint8Array, w: number, h: number): { j: number; f: number } {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < gt.length; i++) {
    inter += gt[i] & pred[i];
    union += gt[i] | pred[i];
  }
  const j = union === 0 ? 1 : inter / union;
  // seg2bmap written the NumPy way: XOR with E/S/SE-shifted copies (zero fill), then the last row
  // compares east only, the last column south only, and the corner is cleared.
  const edge = (m: Uint8Array) => {
    const at = (x: number, y: number) => (x < w && y < h ? m[y * w + x] : 0);
    const b = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = m[y * w + x];
        b[y * w + x] = (v ^ at(x + 1, y)) | (v ^ at(x, y + 1)) | (v ^ at(x + 1, y + 1));
      }
    }
    for (let x = 0; x < w; x++) b[(h - 1) * w + x] = m[(h - 1) * w + x] ^ at(x + 1, h - 1);
    for (let y = 0; y < h; y++) b[y * w + w - 1] = m[y * w + w - 1] ^ at(w - 1, y + 1);
    b[h * w - 1] = 0;
    const pts: [number, number][] = [];
    for (let i = 0; i < b.length; i++) if (b[i]) pts.push([i % w, Math.floor(i / w)]);
    return pts;
  };
  const r = Math.ceil(0.008 * Math.sqrt(w * w + h * h));
  const near = (pts: [number, number][], other: [number, number][]) => {
    const grid = new Uint8Array(w * h);
    for (const [x, y] of other) grid[y * w + x] = 1;
    let n = 0;
    for (const [x, y] of pts) {
      let hit = false;
      for (let dy = -r; dy <= r && !hit; dy++) {
        for (let dx = -r; dx <= r && !hit; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (dx * dx + dy * dy <= r * r && xx >= 0 && yy >= 0 && xx < w && yy < h && grid[yy * w + xx])
            hit = true;
        }
      }
      if (hit) n++;
    }
    return n;
  };
  const pb = edge(pred);
  const gb = edge(gt);
  let p: number;
  let rc: number;
  if (pb.length === 0 || gb.length === 0) {
    p = pb.length === 0 ? 1 : 0;
    rc = gb.length === 0 ? 1 : 0;
  } else {
    p = near(pb, gb) / pb.length;
    rc = near(gb, pb) / gb.length;
  }
  return { j, f: p + rc === 0 ? 0 : (2 * p * rc) / (p + rc) };
}

describe("DAVIS 2016 sequences end to end (../shared/datasets/davis2016)", () => {
  const root = join(tmp, "davis2016");
  const gtRes = join(tmp, "davis2016-gt");
  const shiftRes = join(tmp, "davis2016-shifted");
  const seqs = buildDavis2016(root, gtRes, shiftRes);

  it("scores ground truth against itself as 1 everywhere", async () => {
    const r = await evaluateDavis({ davisPath: root, resultsPath: gtRes });
    expect(Object.keys(r.sequences)).toEqual(["blackswan", "car-shadow", "kite-surf"]);
    expect(r.global).toEqual({
      J_mean: 1,
      J_recall: 1,
      J_decay: 0,
      F_mean: 1,
      F_recall: 1,
      F_decay: 0,
      JF_mean: 1,
    });
  });

  it("scores shifted masks below 1, equal to an independent computation and to the official code", async () => {
    const r = await evaluateDavis({ davisPath: root, resultsPath: shiftRes });
    for (const s of seqs) {
      const dir = join(root, "Annotations", "480p", s);
      const names = readdirSync(dir).sort();
      const js: number[] = [];
      const fs: number[] = [];
      for (const name of names.slice(1, -1)) {
        const gt = decodePng(readFileSync(join(dir, name)));
        const pred = decodePng(readFileSync(join(shiftRes, s, name)));
        const ref = referenceFrame(gt.data as Uint8Array, pred.data as Uint8Array, gt.width, gt.height);
        js.push(ref.j);
        fs.push(ref.f);
      }
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      const o = r.sequences[s].objects["1"];
      expect(o.J_mean).toBeCloseTo(mean(js), 12);
      expect(o.F_mean).toBeCloseTo(mean(fs), 12);
      expect(o.J_recall).toBe(js.filter((v) => v > 0.5).length / js.length);
      expect(o.F_recall).toBe(fs.filter((v) => v > 0.5).length / fs.length);
      expect(o.J_mean).toBeLessThan(1);
    }
    // Bit-exact figures from a NumPy/SciPy port of davis2017-evaluation run on these same files.
    expect(r.global).toEqual({
      J_mean: 0.5679645757197859,
      J_recall: 0.6,
      J_decay: 0.007075944034523496,
      F_mean: 0.40721757785679147,
      F_recall: 0.3333333333333333,
      F_decay: 0.0038792662319664384,
      JF_mean: 0.48759107678828867,
    });
    expect(r.sequences.blackswan.objects["1"]).toMatchObject({
      J_mean: 0.655062848223686,
      J_decay: 0.0012364813282301768,
      F_mean: 0.4470642452217864,
      F_recall: 0.3,
      F_decay: 0.005024938452783845,
    });
    expect(r.sequences["car-shadow"].objects["1"]).toMatchObject({
      J_mean: 0.7298286139355434,
      F_decay: -0.013505716349077601,
    });
    expect(r.sequences["kite-surf"].objects["1"]).toMatchObject({
      J_mean: 0.31900226500012835,
      J_recall: 0,
      F_mean: 0.30193045585129574,
      F_decay: 0.02011857659219307,
    });
  });

  it("prints the documented JSON and a table through the CLI", async () => {
    const json = JSON.parse(
      await cli(["metrics", "davis", "--davis-path", root, "--results-path", shiftRes, "--json"]),
    );
    expect(json).toEqual(await evaluateDavis({ davisPath: root, resultsPath: shiftRes }));
    expect(Object.keys(json)).toEqual(["global", "sequences"]);
    expect(Object.keys(json.global)).toEqual([
      "J_mean",
      "J_recall",
      "J_decay",
      "F_mean",
      "F_recall",
      "F_decay",
      "JF_mean",
    ]);
    expect(Object.keys(json.sequences["car-shadow"].objects)).toEqual(["1"]);
    const table = await cli(["metrics", "davis", "--davis-path", root, "--results-path", shiftRes]);
    expect(table).toMatch(/global\s+0\.488\s+0\.568\s+0\.600\s+0\.007\s+0\.407\s+0\.333\s+0\.004/);
    expect(table).toMatch(/kite-surf_1\s+0\.310\s+0\.319\s+0\.000/);
  });

  it("exits 1 with a one-line error for a missing results folder", async () => {
    const out = await runSom(["metrics", "davis", "--davis-path", root, "--results-path", join(tmp, "nope")]);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr.trim().split("\n")).toHaveLength(1);
    expect(out.stderr).toMatch(
      /nope\/blackswan\/00001\.png: missing result of sequence blackswan frame 00001/,
    );
  });
});
