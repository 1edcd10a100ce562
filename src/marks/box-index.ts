import type { BBox } from "../regions/mask.js";

/**
 * Placed label boxes in a uniform grid of buckets, so "does this box touch any placed label?" looks at a few
 * neighbours instead of every label (hundreds of marks × thousands of candidate spots otherwise).
 */
export class BoxIndex {
  private readonly buckets = new Map<number, BBox[]>();
  readonly all: BBox[] = [];

  constructor(private readonly bucket = 64) {}

  add(box: BBox): void {
    this.all.push(box);
    this.forBuckets(box, 0, (key) => {
      let list = this.buckets.get(key);
      if (!list) {
        list = [];
        this.buckets.set(key, list);
      }
      list.push(box);
    });
  }

  /** Placed boxes that come within `gap` pixels of `box` (may repeat a box that spans several buckets). */
  near(box: BBox, gap: number): BBox[] {
    const out: BBox[] = [];
    this.forBuckets(box, gap, (key) => {
      const list = this.buckets.get(key);
      if (list) for (const b of list) if (touches(b, box, gap)) out.push(b);
    });
    return out;
  }

  touchesAny(box: BBox, gap: number): boolean {
    let hit = false;
    this.forBuckets(box, gap, (key) => {
      if (hit) return;
      const list = this.buckets.get(key);
      if (list) hit = list.some((b) => touches(b, box, gap));
    });
    return hit;
  }

  private forBuckets(box: BBox, gap: number, fn: (key: number) => void): void {
    const s = this.bucket;
    const x0 = Math.floor((box[0] - gap) / s);
    const y0 = Math.floor((box[1] - gap) / s);
    const x1 = Math.floor((box[0] + box[2] + gap) / s);
    const y1 = Math.floor((box[1] + box[3] + gap) / s);
    for (let by = y0; by <= y1; by++) for (let bx = x0; bx <= x1; bx++) fn(by * 65536 + bx);
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
