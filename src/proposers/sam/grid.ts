/** Point grids and crop boxes of the official SAM automatic mask generator. */
import type { BoxXYXY } from "./nms.js";

/** n×n points in [0,1]², cell centres, row by row (y outer, x inner). */
export function buildPointGrid(n: number): Array<[number, number]> {
  const offset = 1 / (2 * n);
  const side = Array.from({ length: n }, (_, i) =>
    n === 1 ? offset : offset + (i * (1 - 2 * offset)) / (n - 1),
  );
  const points: Array<[number, number]> = [];
  for (const y of side) for (const x of side) points.push([x, y]);
  return points;
}

/** Points per side for crop layer i: floor(n / factor^i). */
export function pointsPerSideForLayer(n: number, layer: number, downscaleFactor: number): number {
  return Math.max(1, Math.floor(n / downscaleFactor ** layer));
}

export interface CropBox {
  box: BoxXYXY;
  layer: number;
}

/** The whole image, then for layer i (1-based) 2^i × 2^i overlapping crops. */
export function generateCropBoxes(
  width: number,
  height: number,
  nLayers: number,
  overlapRatio: number,
): CropBox[] {
  const crops: CropBox[] = [{ box: [0, 0, width, height], layer: 0 }];
  const shortSide = Math.min(width, height);
  const cropLen = (orig: number, n: number, overlap: number) => Math.ceil((overlap * (n - 1) + orig) / n);
  for (let layer = 0; layer < nLayers; layer++) {
    const perSide = 2 ** (layer + 1);
    const overlap = Math.trunc(overlapRatio * shortSide * (2 / perSide));
    const cropW = cropLen(width, perSide, overlap);
    const cropH = cropLen(height, perSide, overlap);
    const xs = Array.from({ length: perSide }, (_, i) => Math.trunc((cropW - overlap) * i));
    const ys = Array.from({ length: perSide }, (_, i) => Math.trunc((cropH - overlap) * i));
    for (const x0 of xs) {
      for (const y0 of ys) {
        crops.push({
          box: [x0, y0, Math.min(x0 + cropW, width), Math.min(y0 + cropH, height)],
          layer: layer + 1,
        });
      }
    }
  }
  return crops;
}
