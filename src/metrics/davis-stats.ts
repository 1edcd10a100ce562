/** davis2017-evaluation's `db_statistics`: mean, recall and decay of one object's per-frame values. */
import { npSum } from "./numpy-sum.js";

export interface DbStatistics {
  /** Mean over frames. */
  mean: number;
  /** Fraction of frames scoring strictly above 0.5. */
  recall: number;
  /** Mean of the first quarter of the frames minus mean of the last quarter. */
  decay: number;
}

/**
 * Decay splits the frames into 4 bins at ids = round(linspace(1, n, 5) + 1e-10) - 1 (rounding halves
 * up), cast to uint8 as the official code does (so ids wrap past 255 frames), each bin running from its
 * id to the next one inclusive; decay = mean(first bin) - mean(last bin).
 */
export function dbStatistics(values: ArrayLike<number>): DbStatistics {
  const n = values.length;
  const mean = nanMean(Array.from(values));
  let above = 0;
  for (let i = 0; i < n; i++) if (values[i] > 0.5) above++;
  const recall = above / n;
  const ids: number[] = [];
  const step = (n - 1) / 4;
  for (let i = 0; i <= 4; i++) {
    const v = i === 4 ? n : i * step + 1;
    ids.push((Math.round(v + 1e-10) - 1) & 0xff);
  }
  const bin = (i: number) => Array.from(values).slice(ids[i], ids[i + 1] + 1);
  const decay = nanMean(bin(0)) - nanMean(bin(3));
  return { mean, recall, decay };
}

/** `np.nanmean`: sums with NaNs replaced by 0 (same summation order), divides by the non-NaN count. */
function nanMean(values: number[]): number {
  const count = values.filter((v) => !Number.isNaN(v)).length;
  return npSum(values.map((v) => (Number.isNaN(v) ? 0 : v))) / count;
}
