import { countsFromString } from "../../src/regions/rle.js";
import type { Rle } from "./types";

/** A mask ready for hit tests and painting: the start and end (exclusive) of each run of ones. */
export interface Runs {
  height: number;
  width: number;
  starts: Int32Array;
  ends: Int32Array;
}

export function toRuns(rle: Rle): Runs {
  const counts = countsFromString(rle.counts);
  const n = Math.floor(counts.length / 2);
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  let pos = 0;
  let j = 0;
  for (let i = 0; i < counts.length; i++) {
    if (i & 1) {
      starts[j] = pos;
      ends[j] = pos + counts[i];
      j++;
    }
    pos += counts[i];
  }
  return { height: rle.size[0], width: rle.size[1], starts, ends };
}

/** Whether pixel (x, y) is inside: binary search over the runs. */
export function runsContain(r: Runs, x: number, y: number): boolean {
  if (x < 0 || y < 0 || x >= r.width || y >= r.height) return false;
  const idx = Math.floor(x) * r.height + Math.floor(y);
  let lo = 0;
  let hi = r.starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (r.ends[mid] <= idx) lo = mid + 1;
    else if (r.starts[mid] > idx) hi = mid - 1;
    else return true;
  }
  return false;
}

/** Call `f(x, y)` for every pixel inside. */
export function forEachPixel(r: Runs, f: (x: number, y: number) => void): void {
  for (let j = 0; j < r.starts.length; j++) {
    for (let i = r.starts[j]; i < r.ends[j]; i++) f(Math.floor(i / r.height), i % r.height);
  }
}
