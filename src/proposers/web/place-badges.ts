import type { LabelSize, PlacedMark } from "../../marks/allocate.js";
import { BoxIndex } from "../../marks/box-index.js";
import type { BBox } from "../../regions/mask.js";
import type { Region } from "../../regions/region.js";

/** Pixels kept between two badges. */
const GAP = 1;

/**
 * Badge positions for element boxes: a badge goes just outside its box (above-left first, then left,
 * above-right, below-left, right) so it never covers the element's own text, inside a top corner only when
 * no outside spot is free, and otherwise at the nearest free spot found by a widening ring search. Among free
 * spots the one covering the least of other elements' boxes wins. Badges never overlap each other and always
 * lie inside the image (for an image literally full of badges the last resort is the spot of least overlap).
 */
export function placeBadges(
  regions: readonly Region[],
  width: number,
  height: number,
  labelOf: (id: number) => string,
  measure: (text: string) => LabelSize,
): PlacedMark[] {
  const placed = new BoxIndex(width, height);
  const boxes = new BoxIndex(width, height);
  for (const r of regions) boxes.add(r.bbox);
  const out: PlacedMark[] = [];
  for (const r of regions) {
    const label = labelOf(r.id);
    const s = measure(label);
    const lw = Math.min(width, Math.ceil(s.w));
    const lh = Math.min(height, Math.ceil(s.h));
    const [bx, by, bw, bh] = r.bbox;
    const spot = (x: number, y: number): BBox => [
      Math.max(0, Math.min(width - lw, Math.round(x))),
      Math.max(0, Math.min(height - lh, Math.round(y))),
      lw,
      lh,
    ];
    const near: BBox[] = [
      spot(bx, by - lh - GAP),
      spot(bx - lw - GAP, by),
      spot(bx + bw - lw, by - lh - GAP),
      spot(bx, by + bh + GAP),
      spot(bx + bw + GAP, by),
      spot(bx - lw - GAP, by + bh - lh),
      spot(bx, by),
      spot(bx + bw - lw, by),
    ];
    let best: BBox | undefined;
    let bestCost = Number.POSITIVE_INFINITY;
    const consider = (c: BBox, extra: number) => {
      if (placed.touchesAny(c, GAP)) return;
      const cost = coverCost(c, boxes) + extra;
      if (cost < bestCost) {
        best = c;
        bestCost = cost;
      }
    };
    for (const [i, c] of near.entries()) consider(c, i * 0.01);
    if (!best || bestCost > 0) {
      // Widening rings around the box's top-left corner.
      const step = Math.max(2, Math.round(lh / 2));
      const maxR = Math.max(width, height);
      for (let ring = 1; ring * step <= maxR && (!best || bestCost > 0); ring++) {
        const d = ring * step;
        for (let k = -ring; k <= ring; k++) {
          const o = k * step;
          for (const [x, y] of [
            [bx + o, by - lh - d],
            [bx + o, by + bh + d],
            [bx - lw - d, by + o],
            [bx + bw + d, by + o],
          ]) {
            consider(spot(x, y), 1 + d);
          }
        }
        // Farther spots only win when they cover nothing; stop once a covered-but-free spot is close.
        if (best && d > 6 * lh) break;
      }
    }
    const box = best ?? spot(bx, by - lh - GAP);
    placed.add(box);
    out.push({
      id: r.id,
      label,
      region: r,
      anchor: [box[0] + box[2] / 2, box[1] + box[3] / 2],
      labelBox: box,
      inside: inside(box, r.bbox),
    });
  }
  return out;
}

/** Area of `c` over element boxes, its own included (its text). */
function coverCost(c: BBox, boxes: BoxIndex): number {
  let cost = 0;
  for (const b of boxes.near(c, 0)) cost += overlap(c, b);
  return cost;
}

function overlap(a: BBox, b: BBox): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

function inside(a: BBox, b: BBox): boolean {
  return a[0] >= b[0] && a[1] >= b[1] && a[0] + a[2] <= b[0] + b[2] && a[1] + a[3] <= b[1] + b[3];
}
