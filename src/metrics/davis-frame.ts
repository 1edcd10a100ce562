/**
 * Per-frame DAVIS measures, as davis2017-evaluation's metrics.py computes them: region similarity J
 * (Jaccard) and contour accuracy F (boundary F-measure with a disk tolerance). Masks are full-frame
 * byte arrays, non-zero = object.
 */

/** J: |A∩B| / |A∪B|, and 1 when both masks are empty. */
export function jaccard(gt: Uint8Array, pred: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < gt.length; i++) {
    const a = gt[i] !== 0;
    const b = pred[i] !== 0;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/**
 * Boundary map of Martin et al.'s seg2bmap: a pixel is boundary when it differs from its east, south or
 * south-east neighbour; on the last row only the east neighbour counts, on the last column only the
 * south one, and the bottom-right pixel never is. So a mask touching the image border has no boundary
 * along that border.
 */
export function boundaryMap(seg: Uint8Array, width: number, height: number): Uint8Array {
  const b = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const lastRow = y === height - 1;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const s = seg[i] !== 0;
      const lastCol = x === width - 1;
      let edge: boolean;
      if (lastRow && lastCol) edge = false;
      else if (lastCol) edge = s !== (seg[i + width] !== 0);
      else if (lastRow) edge = s !== (seg[i + 1] !== 0);
      else {
        edge = s !== (seg[i + 1] !== 0) || s !== (seg[i + width] !== 0) || s !== (seg[i + width + 1] !== 0);
      }
      if (edge) b[i] = 1;
    }
  }
  return b;
}

/** Tolerance radius: ceil(0.008 · image diagonal) pixels, computed as NumPy does (sqrt of h²+w²). */
export function boundaryRadius(width: number, height: number, boundTh = 0.008): number {
  return boundTh >= 1 ? boundTh : Math.ceil(boundTh * Math.sqrt(height * height + width * width));
}

/** Half-widths of skimage's disk(r) rows: offsets with dx² + dy² ≤ r². */
function diskSpans(radius: number): number[] {
  const r = Math.floor(radius);
  const spans: number[] = [];
  for (let dy = -r; dy <= r; dy++) {
    let half = -1;
    for (let dx = 0; dx <= r; dx++) if (dx * dx + dy * dy <= radius * radius) half = dx;
    spans.push(half);
  }
  return spans;
}

/** Binary dilation of a boundary map by a disk, pixels outside the image contributing nothing (cv2.dilate). */
export function dilateDisk(map: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const out = new Uint8Array(map.length);
  const spans = diskSpans(radius);
  const r = Math.floor(radius);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (map[y * width + x] === 0) continue;
      for (let k = 0; k < spans.length; k++) {
        const half = spans[k];
        const yy = y + k - r;
        if (half < 0 || yy < 0 || yy >= height) continue;
        const x0 = Math.max(0, x - half);
        const x1 = Math.min(width - 1, x + half);
        out.fill(1, yy * width + x0, yy * width + x1 + 1);
      }
    }
  }
  return out;
}

/**
 * F: boundary precision/recall of the prediction against the ground truth within the disk tolerance,
 * with the official conventions for empty boundaries (both empty gives 1).
 */
export function boundaryF(gt: Uint8Array, pred: Uint8Array, width: number, height: number): number {
  const radius = boundaryRadius(width, height);
  const fgBoundary = boundaryMap(pred, width, height);
  const gtBoundary = boundaryMap(gt, width, height);
  let nFg = 0;
  let nGt = 0;
  for (let i = 0; i < fgBoundary.length; i++) {
    nFg += fgBoundary[i];
    nGt += gtBoundary[i];
  }
  let precision: number;
  let recall: number;
  if (nFg === 0 && nGt > 0) {
    precision = 1;
    recall = 0;
  } else if (nFg > 0 && nGt === 0) {
    precision = 0;
    recall = 1;
  } else if (nFg === 0 && nGt === 0) {
    precision = 1;
    recall = 1;
  } else {
    const fgDil = dilateDisk(fgBoundary, width, height, radius);
    const gtDil = dilateDisk(gtBoundary, width, height, radius);
    let fgMatch = 0;
    let gtMatch = 0;
    for (let i = 0; i < fgBoundary.length; i++) {
      if (fgBoundary[i] && gtDil[i]) fgMatch++;
      if (gtBoundary[i] && fgDil[i]) gtMatch++;
    }
    precision = fgMatch / nFg;
    recall = gtMatch / nGt;
  }
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}
