import type { Mask } from "../../regions/mask.js";

/**
 * Split a full-image label map (one value per pixel, row-major) into one tight cropped Mask per non-zero
 * value, in two passes (bounding boxes, then fill) so the cost is the image plus the crops, whatever the
 * number of labels. Returns labels in ascending order.
 */
export function masksFromLabelMap(
  values: ArrayLike<number>,
  width: number,
  height: number,
): { label: number; mask: Mask }[] {
  const index = new Map<number, number>();
  const labels: number[] = [];
  const box: number[] = []; // x0, y0, x1, y1 per label slot
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let x = 0;
    while (x < width) {
      const v = values[row + x];
      let e = x + 1;
      while (e < width && values[row + e] === v) e++;
      if (v !== 0) {
        let k = index.get(v);
        if (k === undefined) {
          k = labels.length;
          index.set(v, k);
          labels.push(v);
          box.push(x, y, e - 1, y);
        } else {
          const b = k * 4;
          if (x < box[b]) box[b] = x;
          if (e - 1 > box[b + 2]) box[b + 2] = e - 1;
          box[b + 3] = y;
        }
      }
      x = e;
    }
  }
  const masks: Mask[] = labels.map((_, k) => {
    const w = box[k * 4 + 2] - box[k * 4] + 1;
    const h = box[k * 4 + 3] - box[k * 4 + 1] + 1;
    return { width, height, x: box[k * 4], y: box[k * 4 + 1], w, h, data: new Uint8Array(w * h) };
  });
  let lastV = 0;
  let lastK = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const v = values[row + x];
      if (v === 0) continue;
      if (v !== lastV) {
        lastV = v;
        lastK = index.get(v)!;
      }
      const m = masks[lastK];
      m.data[(y - m.y) * m.w + (x - m.x)] = 1;
    }
  }
  return labels.map((label, k) => ({ label, mask: masks[k] })).sort((a, b) => a.label - b.label);
}
