import type { BBox } from "../regions/mask.js";

/**
 * Placed label boxes in a uniform grid of buckets over the image, so "does this box touch any placed label?"
 * looks at a few neighbours instead of every label (hundreds of marks × thousands of candidate spots
 * otherwise). Buckets are a flat array indexed by cell (no hashing, no callbacks): the outside-label search
 * asks this thousands of times per label.
 */
export class BoxIndex {
  readonly all: BBox[] = [];
  private readonly cols: number;
  private readonly rows: number;
  private readonly buckets: (BBox[] | undefined)[];

  /** `width` × `height`: the image; boxes may reach outside it (they land in the border buckets). */
  constructor(
    width: number,
    height: number,
    private readonly bucket = 64,
  ) {
    this.cols = Math.max(1, Math.ceil(width / bucket));
    this.rows = Math.max(1, Math.ceil(height / bucket));
    this.buckets = new Array(this.cols * this.rows);
  }

  add(box: BBox): void {
    this.all.push(box);
    const [x0, y0, x1, y1] = this.range(box, 0);
    for (let by = y0; by <= y1; by++) {
      for (let bx = x0; bx <= x1; bx++) {
        const k = by * this.cols + bx;
        const list = this.buckets[k];
        if (list) list.push(box);
        else this.buckets[k] = [box];
      }
    }
  }

  /** Placed boxes that come within `gap` pixels of `box` (may repeat a box that spans several buckets). */
  near(box: BBox, gap: number): BBox[] {
    const out: BBox[] = [];
    const [x0, y0, x1, y1] = this.range(box, gap);
    for (let by = y0; by <= y1; by++) {
      for (let bx = x0; bx <= x1; bx++) {
        const list = this.buckets[by * this.cols + bx];
        if (list) for (const b of list) if (touches(b, box, gap)) out.push(b);
      }
    }
    return out;
  }

  touchesAny(box: BBox, gap: number): boolean {
    const [x0, y0, x1, y1] = this.range(box, gap);
    for (let by = y0; by <= y1; by++) {
      for (let bx = x0; bx <= x1; bx++) {
        const list = this.buckets[by * this.cols + bx];
        if (!list) continue;
        for (let i = 0; i < list.length; i++) if (touches(list[i], box, gap)) return true;
      }
    }
    return false;
  }

  /** Bucket range [x0, y0, x1, y1] (inclusive) a box grown by `gap` spans, clamped to the grid. */
  private range(box: BBox, gap: number): [number, number, number, number] {
    const s = this.bucket;
    const cx = this.cols - 1;
    const cy = this.rows - 1;
    return [
      Math.max(0, Math.min(cx, Math.floor((box[0] - gap) / s))),
      Math.max(0, Math.min(cy, Math.floor((box[1] - gap) / s))),
      Math.max(0, Math.min(cx, Math.floor((box[0] + box[2] + gap) / s))),
      Math.max(0, Math.min(cy, Math.floor((box[1] + box[3] + gap) / s))),
    ];
  }
}

/** True when the boxes overlap or come closer than `gap` pixels. */
export function touches(a: BBox, b: BBox, gap: number): boolean {
  return (
    a[0] < b[0] + b[2] + gap &&
    b[0] < a[0] + a[2] + gap &&
    a[1] < b[1] + b[3] + gap &&
    b[1] < a[1] + a[3] + gap
  );
}
