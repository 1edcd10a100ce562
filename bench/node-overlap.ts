/**
 * Bench helper: how each node of a region hierarchy overlaps the GT segments of one label map, on the
 * working grid (GT sampled at the nearest input pixel). Leaves count their pixels; each merge node sums its
 * two children. `bestOf(nodes)` gives, per segment, the best IoU any of those nodes reaches.
 */
import type { RegionHierarchy } from "../src/proposers/builtin/hierarchy.js";

export interface NodeOverlap {
  /** Segment pixels on the working grid, per segment. */
  gtArea: Float64Array;
  /** Best IoU per segment over the given nodes. */
  bestOf(nodes: Iterable<number>): number[];
}

export function nodeOverlap(
  h: RegionHierarchy,
  labelMap: Int32Array,
  segments: readonly number[],
): NodeOverlap {
  const t = h.tree;
  const S = segments.length;
  const idx = new Map(segments.map((s, i) => [s, i]));
  const inter = new Float64Array(t.nodeCount * S);
  const gtArea = new Float64Array(S);
  const { workWidth: w, workHeight: wh, width: W, height: H } = h;
  for (let y = 0; y < wh; y++) {
    const Y = Math.min(H - 1, Math.floor(((y + 0.5) * H) / wh));
    for (let x = 0; x < w; x++) {
      const X = Math.min(W - 1, Math.floor(((x + 0.5) * W) / w));
      const k = idx.get(labelMap[Y * W + X]);
      if (k === undefined) continue;
      gtArea[k]++;
      inter[h.leafLabels[y * w + x] * S + k]++;
    }
  }
  // Children have smaller ids than their parent, so one pass upwards fills every merge node.
  for (let v = t.leafCount; v < t.nodeCount; v++)
    for (let k = 0; k < S; k++) inter[v * S + k] = inter[t.left[v] * S + k] + inter[t.right[v] * S + k];
  return {
    gtArea,
    bestOf(nodes) {
      const best = new Float64Array(S);
      for (const v of nodes)
        for (let k = 0; k < S; k++) {
          const i = inter[v * S + k];
          if (i) best[k] = Math.max(best[k], i / (t.area[v] + gtArea[k] - i));
        }
      return [...best];
    },
  };
}
