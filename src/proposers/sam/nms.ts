/**
 * Box helpers with the conventions of the official SAM generator: boxes are XYXY with inclusive max
 * (batched_mask_to_box), and NMS is torchvision's (area (x1−x0)·(y1−y0), suppress when IoU > threshold).
 */
import type { Mask } from "../../regions/mask.js";

export type BoxXYXY = [number, number, number, number];

/** [minX, minY, maxX, maxY] of the mask's pixels; [0, 0, 0, 0] when empty. */
export function maskBoxXYXY(m: Mask): BoxXYXY {
  return m.w === 0 ? [0, 0, 0, 0] : [m.x, m.y, m.x + m.w - 1, m.y + m.h - 1];
}

export function boxIoUXYXY(a: BoxXYXY, b: BoxXYXY): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union <= 0 ? 0 : inter / union;
}

/** Indices kept by NMS, in descending score order (ties keep input order). */
export function nms(boxes: readonly BoxXYXY[], scores: readonly number[], iouThreshold: number): number[] {
  const order = boxes.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const removed = new Uint8Array(boxes.length);
  const keep: number[] = [];
  for (let i = 0; i < order.length; i++) {
    const a = order[i];
    if (removed[a]) continue;
    keep.push(a);
    for (let j = i + 1; j < order.length; j++) {
      const b = order[j];
      if (!removed[b] && boxIoUXYXY(boxes[a], boxes[b]) > iouThreshold) removed[b] = 1;
    }
  }
  return keep;
}

/** A box touching a crop edge (within atol px) that is not also an image edge: the mask was cut by the crop. */
export function isBoxNearCropEdge(box: BoxXYXY, cropBox: BoxXYXY, imageBox: BoxXYXY, atol = 20): boolean {
  for (let i = 0; i < 4; i++) {
    const nearCrop = Math.abs(box[i] - cropBox[i]) <= atol;
    const nearImage = Math.abs(box[i] - imageBox[i]) <= atol;
    if (nearCrop && !nearImage) return true;
  }
  return false;
}
