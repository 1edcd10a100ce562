/**
 * Options of the automatic mask generator, named after and defaulting to the official
 * SamAutomaticMaskGenerator, and how the one-knob `granularity` maps onto them.
 */

/** Multimask outputs ranked by area within each prompt: largest = whole, middle = part, smallest = sub-part. */
export type MaskLevel = "whole" | "part" | "subpart";

export interface SamGeneratorOptions {
  /** Grid of n×n prompt points over the image (and each crop). Official: 32. */
  pointsPerSide?: number;
  /** Prompts per decoder run. Official: 64. */
  pointsPerBatch?: number;
  /** Keep masks whose predicted IoU is above this. Official: 0.88. */
  predIouThresh?: number;
  /** Keep masks whose stability score is at least this. Official: 0.95. */
  stabilityScoreThresh?: number;
  /** Logit offset for the stability score. Official: 1.0. */
  stabilityScoreOffset?: number;
  /** Logit threshold of a mask pixel. Official: 0.0. */
  maskThreshold?: number;
  /** Box IoU above which NMS drops the lower-scored mask, within a crop. Official: 0.7. */
  boxNmsThresh?: number;
  /** Extra layers of crops (layer i has 2^i × 2^i crops). Official: 0. */
  cropNLayers?: number;
  /** Box NMS between crops (smaller crops win). Official: 0.7. */
  cropNmsThresh?: number;
  /** Crop overlap as a fraction of the short side in the first layer. Official: 512/1500. */
  cropOverlapRatio?: number;
  /** Points per side in crop layer i = pointsPerSide / factor^i. Official: 1. */
  cropNPointsDownscaleFactor?: number;
  /** Fill holes and remove islands smaller than this many pixels (0 = off). Official: 0. */
  minMaskRegionArea?: number;
  /** Which multimask outputs to keep. Official: all three. */
  levels?: MaskLevel[];
}

export type ResolvedGeneratorOptions = Required<SamGeneratorOptions>;

export const OFFICIAL_DEFAULTS: ResolvedGeneratorOptions = {
  pointsPerSide: 32,
  pointsPerBatch: 64,
  predIouThresh: 0.88,
  stabilityScoreThresh: 0.95,
  stabilityScoreOffset: 1.0,
  maskThreshold: 0.0,
  boxNmsThresh: 0.7,
  cropNLayers: 0,
  cropNmsThresh: 0.7,
  cropOverlapRatio: 512 / 1500,
  cropNPointsDownscaleFactor: 1,
  minMaskRegionArea: 0,
  levels: ["whole", "part", "subpart"],
};

/**
 * granularity 0 (coarse) … 1 (fine), like the seed's slider from whole objects to sub-parts:
 *   [0, 1/3)   whole masks only, 16 points per side, islands/holes under 0.1% of the image cleaned
 *   [1/3, 2/3) whole + part, 32 points per side, clean-up under 0.02%
 *   [2/3, 1]   whole + part + sub-part, 32 points per side (48 at 1), no clean-up floor beyond 0.005%
 * Returns only the fields it sets; explicit options override them.
 */
export function granularityOptions(granularity: number, width: number, height: number): SamGeneratorOptions {
  const g = Math.min(1, Math.max(0, granularity));
  const area = width * height;
  if (g < 1 / 3) return { levels: ["whole"], pointsPerSide: 16, minMaskRegionArea: Math.round(area * 0.001) };
  if (g < 2 / 3)
    return { levels: ["whole", "part"], pointsPerSide: 32, minMaskRegionArea: Math.round(area * 0.0002) };
  return {
    levels: ["whole", "part", "subpart"],
    pointsPerSide: g >= 1 ? 48 : 32,
    minMaskRegionArea: Math.round(area * 0.00005),
  };
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Official defaults ← granularity mapping (when given) ← explicit options; validated. */
export function resolveGeneratorOptions(
  options: SamGeneratorOptions,
  granularity: number | undefined,
  width: number,
  height: number,
): ResolvedGeneratorOptions {
  const r: ResolvedGeneratorOptions = {
    ...OFFICIAL_DEFAULTS,
    ...(granularity === undefined ? {} : granularityOptions(granularity, width, height)),
    ...defined(options),
  };
  const positiveInt = (name: keyof SamGeneratorOptions, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer (got ${v})`);
  };
  positiveInt("pointsPerSide", r.pointsPerSide);
  positiveInt("pointsPerBatch", r.pointsPerBatch);
  if (!Number.isInteger(r.cropNLayers) || r.cropNLayers < 0)
    throw new RangeError("cropNLayers must be an integer ≥ 0");
  for (const k of ["boxNmsThresh", "cropNmsThresh", "stabilityScoreThresh"] as const) {
    if (!(r[k] >= 0 && r[k] <= 1)) throw new RangeError(`${k} must be in [0, 1] (got ${r[k]})`);
  }
  if (!(r.minMaskRegionArea >= 0)) throw new RangeError("minMaskRegionArea must be ≥ 0");
  if (r.levels.length === 0) throw new RangeError("levels must name at least one of whole, part, subpart");
  return r;
}
