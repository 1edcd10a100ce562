/** Turn one low-res logit map into a compact Mask in image pixels, with its stability score. */
import type { Mask } from "../../regions/mask.js";
import { emptyMask, tightenMask } from "../../regions/mask.js";
import { type AxisMap, composeAxis, outputRange, upscaleWindow } from "./upscale.js";

export interface MaskGeometry {
  lowH: number;
  lowW: number;
  /** Output (image or crop) size in pixels. */
  outW: number;
  outH: number;
  xMap: AxisMap;
  yMap: AxisMap;
}

/** Geometry for low-res masks of an embedding whose padded input is `padded` and resized image `reshaped`. */
export function maskGeometry(
  lowH: number,
  lowW: number,
  padded: [number, number],
  reshaped: [number, number],
  outW: number,
  outH: number,
): MaskGeometry {
  return {
    lowH,
    lowW,
    outW,
    outH,
    xMap: composeAxis(lowW, padded[1], reshaped[1], outW),
    yMap: composeAxis(lowH, padded[0], reshaped[0], outH),
  };
}

export interface ThresholdedMask {
  mask: Mask;
  /** |logits > t + offset| / |logits > t − offset| over the upscaled map (0 when both are empty). */
  stability: number;
}

export class MaskDecoder {
  private out = new Float32Array(0);
  private tmp = new Float32Array(0);

  constructor(readonly geom: MaskGeometry) {}

  /**
   * Threshold the logits at `offset` (lowH × lowW floats) in image pixels. Only output pixels whose
   * bilinear taps reach a low-res cell above the lowest threshold are computed: the others are convex
   * combinations of values at or below it, so they cannot be inside the mask or either stability count.
   */
  threshold(
    logits: Float32Array,
    offset: number,
    threshold: number,
    stabilityOffset: number,
  ): ThresholdedMask {
    const { lowH, lowW, outW, outH, xMap, yMap } = this.geom;
    const tLow = Math.min(threshold, threshold - stabilityOffset, threshold + stabilityOffset);
    let bx0 = lowW;
    let by0 = lowH;
    let bx1 = -1;
    let by1 = -1;
    for (let y = 0; y < lowH; y++) {
      const row = offset + y * lowW;
      for (let x = 0; x < lowW; x++) {
        if (logits[row + x] > tLow) {
          if (x < bx0) bx0 = x;
          if (x > bx1) bx1 = x;
          if (y < by0) by0 = y;
          by1 = y;
        }
      }
    }
    const empty = { mask: emptyMask(outW, outH), stability: 0 };
    if (bx1 < 0) return empty;
    const xr = outputRange(xMap, bx0, bx1);
    const yr = outputRange(yMap, by0, by1);
    if (xr === null || yr === null) return empty;
    const win = { x0: xr[0], y0: yr[0], w: xr[1] - xr[0] + 1, h: yr[1] - yr[0] + 1 };
    if (this.out.length < win.w * win.h) this.out = new Float32Array(win.w * win.h);
    if (this.tmp.length < lowH * win.w) this.tmp = new Float32Array(lowH * win.w);
    upscaleWindow(logits, offset, lowW, xMap, yMap, win, this.out, this.tmp);
    const hiT = threshold + stabilityOffset;
    const loT = threshold - stabilityOffset;
    let inter = 0;
    let union = 0;
    const data = new Uint8Array(win.w * win.h);
    for (let i = 0; i < data.length; i++) {
      const v = this.out[i];
      if (v > hiT) inter++;
      if (v > loT) union++;
      if (v > threshold) data[i] = 1;
    }
    const mask = tightenMask({ width: outW, height: outH, x: win.x0, y: win.y0, w: win.w, h: win.h, data });
    return { mask, stability: union === 0 ? 0 : inter / union };
  }
}
