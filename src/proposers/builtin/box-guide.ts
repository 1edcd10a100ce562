/**
 * Detector boxes as a grouping cue for the merge tree (used only with the optional detector). A box says
 * "one object here": two regions that both lie mostly inside the same box are likely parts of that object
 * (a person's coat, face and hair), so their merge gets cheaper; a region inside a box and one outside it
 * are likely object and background, so theirs gets dearer. Colour and boundary cues still decide the order
 * within those bounds, so boxes bend the tree towards objects without imposing box-shaped regions.
 *
 * Measured on COCO panoptic (bench/RESULTS.md, "Optional detector seeding"): with `inside` 0.7 and
 * `across` 0.5 oracle mIoU at the default granularity rises by about 0.01; stronger weights help less.
 */

/** A guide box in working pixels (inclusive corners) with the detector's confidence. */
export interface GuideBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  score: number;
}

export interface BoxGuideWeights {
  /** Cost × (1 − inside · e) where e = score · (shared share of both regions inside one box). */
  inside: number;
  /** Cost × (1 + across · e) where e = score · (difference of the two regions' shares inside one box). */
  across: number;
}

export const DEFAULT_BOX_GUIDE_WEIGHTS: BoxGuideWeights = { inside: 0.7, across: 0.5 };

/** A box filling nearly the whole image says nothing about which regions belong together. */
const MAX_BOX_SHARE = 0.95;

/** Per-region pixel counts inside each box, kept up to date as regions merge. */
export class BoxGuide {
  private readonly k: number;
  private readonly weights: BoxGuideWeights;
  private readonly counts: Float32Array;
  /** Each box's share of the image: a region spread over the image lies inside a box by this much. */
  private readonly share: Float64Array;

  constructor(
    private readonly boxes: readonly GuideBox[],
    weights: Partial<BoxGuideWeights>,
    labels: Int32Array,
    width: number,
    height: number,
    maxNodes: number,
  ) {
    const k = boxes.length;
    this.k = k;
    this.counts = new Float32Array(maxNodes * k);
    this.share = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      const b = boxes[j];
      // Only the part inside the image counts, for the pixels and for the box's share alike.
      const x0 = Math.max(0, b.x0);
      const x1 = Math.min(width - 1, b.x1);
      const y0 = Math.max(0, b.y0);
      const y1 = Math.min(height - 1, b.y1);
      this.share[j] = (Math.max(0, x1 - x0 + 1) * Math.max(0, y1 - y0 + 1)) / (width * height);
      for (let y = y0; y <= y1; y++)
        for (let x = x0; x <= x1; x++) this.counts[labels[y * width + x] * k + j]++;
    }
    // Costs must stay positive: inside below 1; neither weight negative (NaN or missing → the default).
    const w = (v: number | undefined, dflt: number, max: number) =>
      Number.isFinite(v) ? Math.min(max, Math.max(0, v as number)) : dflt;
    this.weights = {
      inside: w(weights.inside, DEFAULT_BOX_GUIDE_WEIGHTS.inside, 0.99),
      across: w(weights.across, DEFAULT_BOX_GUIDE_WEIGHTS.across, Number.POSITIVE_INFINITY),
    };
  }

  /** Multiplier of the merge cost of regions a and b (areas na, nb). */
  factor(a: number, b: number, na: number, nb: number): number {
    const { k, counts, share, boxes } = this;
    let inside = 0;
    let across = 0;
    for (let j = 0; j < k; j++) {
      // Share inside the box beyond what a region spread evenly over the image would have.
      const f = share[j];
      if (f > MAX_BOX_SHARE) continue;
      const sa = Math.max(0, (counts[a * k + j] / na - f) / (1 - f));
      const sb = Math.max(0, (counts[b * k + j] / nb - f) / (1 - f));
      const s = Number.isFinite(boxes[j].score) ? Math.min(1, Math.max(0, boxes[j].score)) : 0;
      inside = Math.max(inside, s * Math.min(sa, sb));
      across = Math.max(across, s * Math.abs(sa - sb));
    }
    return (1 - this.weights.inside * inside) * (1 + this.weights.across * across);
  }

  /** Region n is the union of a and b. */
  merge(n: number, a: number, b: number): void {
    const { k, counts } = this;
    for (let j = 0; j < k; j++) counts[n * k + j] = counts[a * k + j] + counts[b * k + j];
  }
}
