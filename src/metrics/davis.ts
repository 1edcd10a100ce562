/**
 * DAVIS semi-supervised J&F over a data set folder, as davis2017-evaluation computes it: the objects
 * of a sequence are ids 1..max(index in frame 0); void (255) becomes background; the first and last
 * annotated frames are not scored; per-object mean/recall/decay; global figures average all objects of
 * all sequences (not sequences).
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { decodePng, singleChannelValues } from "../image/png-index.js";
import { boundaryF, jaccard } from "./davis-frame.js";
import { dbStatistics } from "./davis-stats.js";
import { npMean } from "./numpy-sum.js";

export interface DavisScores {
  J_mean: number;
  J_recall: number;
  J_decay: number;
  F_mean: number;
  F_recall: number;
  F_decay: number;
  JF_mean: number;
}

export interface DavisReport {
  global: DavisScores;
  sequences: Record<string, { objects: Record<string, DavisScores> }>;
}

export interface DavisOptions {
  /** DAVIS root: ImageSets/2017/<set>.txt and Annotations/480p/<seq>/*.png. */
  davisPath: string;
  /** Results root: <seq>/<frame>.png, indexed PNGs whose index is the object id. */
  resultsPath: string;
  /** Subset listed in ImageSets/2017 (default "val"). */
  set?: string;
  /** Evaluate these sequences instead of reading the ImageSets list. */
  sequences?: string[];
  /** Annotation resolution folder (default "480p"). */
  resolution?: string;
}

const VOID = 255;

/** Per-frame J and F of every object of one sequence (scored frames only). */
export interface SequenceFrames {
  objects: number[];
  j: number[][];
  f: number[][];
}

export async function evaluateDavis(options: DavisOptions): Promise<DavisReport> {
  const set = options.set ?? "val";
  const sequences = options.sequences ?? (await readSequenceList(options.davisPath, set));
  const perObject: DavisScores[] = [];
  const report: DavisReport = { global: undefined as unknown as DavisScores, sequences: {} };
  for (const seq of sequences) {
    const frames = await evaluateSequence(options, seq);
    const objects: Record<string, DavisScores> = {};
    frames.objects.forEach((id, k) => {
      const scores = objectScores(frames.j[k], frames.f[k]);
      objects[String(id)] = scores;
      perObject.push(scores);
    });
    report.sequences[seq] = { objects };
  }
  const avg = (key: keyof DavisScores) => npMean(perObject.map((s) => s[key]));
  const J_mean = avg("J_mean");
  const F_mean = avg("F_mean");
  report.global = {
    J_mean,
    J_recall: avg("J_recall"),
    J_decay: avg("J_decay"),
    F_mean,
    F_recall: avg("F_recall"),
    F_decay: avg("F_decay"),
    JF_mean: (J_mean + F_mean) / 2,
  };
  return report;
}

/** Mean/recall/decay of one object's per-frame J and F. */
export function objectScores(j: number[], f: number[]): DavisScores {
  const js = dbStatistics(j);
  const fs = dbStatistics(f);
  return {
    J_mean: js.mean,
    J_recall: js.recall,
    J_decay: js.decay,
    F_mean: fs.mean,
    F_recall: fs.recall,
    F_decay: fs.decay,
    JF_mean: (js.mean + fs.mean) / 2,
  };
}

async function readSequenceList(davisPath: string, set: string): Promise<string[]> {
  const file = join(davisPath, "ImageSets", "2017", `${set}.txt`);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new UserError(
      `${file}: sequence list not found (is --davis-path a DAVIS 2017 folder?)`,
      "not_found",
    );
  }
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** Score one sequence: reads every annotation, and the result PNG of each scored frame. */
export async function evaluateSequence(options: DavisOptions, seq: string): Promise<SequenceFrames> {
  const annDir = join(options.davisPath, "Annotations", options.resolution ?? "480p", seq);
  let names: string[];
  try {
    names = (await readdir(annDir)).filter((n) => n.endsWith(".png")).sort();
  } catch {
    throw new UserError(`${annDir}: annotation folder of sequence ${seq} not found`, "not_found");
  }
  if (names.length < 3) {
    throw new UserError(
      `${annDir}: sequence ${seq} needs at least 3 annotated frames (first and last are not scored)`,
    );
  }
  // Frame id as the official code derives it: the name without its extension, inner dots dropped.
  const frameIds = names.map((n) => n.split(".").slice(0, -1).join(""));
  const first = await readIndexFrame(join(annDir, names[0]));
  let numObjects = 0;
  for (const v of first.values) if (v !== VOID && v > numObjects) numObjects = v;
  const objects = Array.from({ length: numObjects }, (_, k) => k + 1);
  const j: number[][] = objects.map(() => []);
  const f: number[][] = objects.map(() => []);
  const gtMask = new Uint8Array(first.width * first.height);
  const predMask = new Uint8Array(first.width * first.height);
  for (let t = 1; t < names.length - 1; t++) {
    const gtFile = join(annDir, names[t]);
    const gt = await readIndexFrame(gtFile);
    if (gt.width !== first.width || gt.height !== first.height) {
      throw new UserError(
        `${gtFile}: size ${gt.width}x${gt.height} differs from frame 0 (${first.width}x${first.height})`,
      );
    }
    const resFile = join(options.resultsPath, seq, `${frameIds[t]}.png`);
    const res = await readIndexFrame(resFile, `result of sequence ${seq} frame ${frameIds[t]}`);
    if (res.width !== gt.width || res.height !== gt.height) {
      throw new UserError(
        `${resFile}: size ${res.width}x${res.height} differs from the annotation (${gt.width}x${gt.height})`,
      );
    }
    for (let i = 0; i < res.values.length; i++) {
      if (res.values[i] > numObjects) {
        throw new UserError(
          `${resFile}: object id ${res.values[i]} is higher than the number of objects (${numObjects}) of sequence ${seq}`,
        );
      }
    }
    objects.forEach((id, k) => {
      for (let i = 0; i < gtMask.length; i++) {
        const g = gt.values[i];
        gtMask[i] = g === id && g !== VOID ? 1 : 0;
        predMask[i] = res.values[i] === id ? 1 : 0;
      }
      j[k].push(jaccard(gtMask, predMask));
      f[k].push(boundaryF(gtMask, predMask, gt.width, gt.height));
    });
  }
  return { objects, j, f };
}

interface IndexFrame {
  width: number;
  height: number;
  values: Uint8Array | Uint16Array;
}

async function readIndexFrame(file: string, what = "annotation"): Promise<IndexFrame> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw new UserError(`${file}: missing ${what}`, "not_found");
  }
  let values: Uint8Array | Uint16Array | undefined;
  let png: ReturnType<typeof decodePng>;
  try {
    png = decodePng(bytes);
    values = singleChannelValues(png);
  } catch (err) {
    throw new UserError(`${file}: ${(err as Error).message}`);
  }
  if (!values) {
    throw new UserError(
      `${file}: expected an indexed (palette) or grey PNG whose value is the object id, got colour`,
    );
  }
  return { width: png.width, height: png.height, values };
}
