/** Turn one low-res logit map into a compact Mask in image pixels, with its stability score. */
import type { Mask } from "../../regions/mask.js";
import { emptyMask } from "../../regions/mask.js";
import { type AxisMap, composeAxis, outputRange } from "./upscale.js";

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
  /** For low-res column c: the last output x whose taps all lie at or left of c. */
  private readonly lastXAtOrBefore: Int32Array;
  private kind = new Uint8Array(0);
  private runEnd = new Int32Array(0);

  constructor(readonly geom: MaskGeometry) {
    const { xMap, lowW } = geom;
    this.lastXAtOrBefore = new Int32Array(lowW).fill(-1);
    for (let x = 0; x < xMap.outLen; x++) {
      for (let c = xMap.hi[x]; c < lowW; c++) this.lastXAtOrBefore[c] = x;
    }
  }

  /**
   * Threshold the logits at `offset` (lowH × lowW floats) in image pixels, with the stability score.
   * Only output pixels whose bilinear taps reach a low-res cell above the lowest threshold can be inside
   * the mask or either stability count, so only that window is visited. Within it, an output pixel whose
   * taps are all above the highest threshold (or all at or below the lowest) is settled without
   * interpolating (a convex combination stays on the same side), so runs of such pixels are filled at
   * once and only pixels near the mask edge are interpolated, with the same arithmetic as upscaleWindow.
   */
  threshold(
    logits: Float32Array,
    offset: number,
    threshold: number,
    stabilityOffset: number,
  ): ThresholdedMask {
    const { lowH, lowW, outW, outH, xMap, yMap } = this.geom;
    const hiT = threshold + stabilityOffset;
    const loT = threshold - stabilityOffset;
    const tHigh = Math.max(threshold, hiT, loT);
    const tLow = Math.min(threshold, hiT, loT);
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
    const [x0, x1] = xr;
    const [y0, y1] = yr;
    const w = x1 - x0 + 1;
    const data = new Uint8Array(w * (y1 - y0 + 1));
    const cA = xMap.lo[x0];
    const cB = xMap.hi[x1];
    if (this.kind.length < lowW) {
      this.kind = new Uint8Array(lowW);
      this.runEnd = new Int32Array(lowW);
    }
    const { kind, runEnd } = this;
    let inter = 0;
    let union = 0;
    // Tight bounds of the mask, tracked as it is drawn (no second pass over the window).
    let mx0 = x1 + 1;
    let mx1 = -1;
    let my0 = y1 + 1;
    let my1 = -1;
    for (let y = y0; y <= y1; y++) {
      const rLo = yMap.lo[y];
      const rHi = yMap.hi[y];
      // Per low-res column: min/max over the rows this output row reads; 2 = settled in, 0 = settled out.
      for (let c = cA; c <= cB; c++) {
        let mn = logits[offset + rLo * lowW + c];
        let mx = mn;
        for (let r = rLo + 1; r <= rHi; r++) {
          const v = logits[offset + r * lowW + c];
          if (v < mn) mn = v;
          if (v > mx) mx = v;
        }
        kind[c] = mn > tHigh ? 2 : mx <= tLow ? 0 : 1;
      }
      for (let c = cB; c >= cA; c--) runEnd[c] = c < cB && kind[c + 1] === kind[c] ? runEnd[c + 1] : c;
      const rowOut = (y - y0) * w - x0;
      const ys = yMap.start[y];
      const ye = yMap.start[y + 1];
      let x = x0;
      while (x <= x1) {
        const c0 = xMap.lo[x];
        if (kind[c0] !== 1 && runEnd[c0] >= xMap.hi[x]) {
          const xEnd = Math.min(x1, this.lastXAtOrBefore[runEnd[c0]]);
          if (kind[c0] === 2) {
            data.fill(1, rowOut + x, rowOut + xEnd + 1);
            inter += xEnd - x + 1;
            union += xEnd - x + 1;
            if (x < mx0) mx0 = x;
            if (xEnd > mx1) mx1 = xEnd;
            if (y < my0) my0 = y;
            my1 = y;
          }
          x = xEnd + 1;
          continue;
        }
        let v = 0;
        for (let k = ys; k < ye; k++) {
          const row = offset + yMap.index[k] * lowW;
          let t = 0;
          for (let j = xMap.start[x]; j < xMap.start[x + 1]; j++)
            t += xMap.weight[j] * logits[row + xMap.index[j]];
          v += yMap.weight[k] * t;
        }
        if (v > hiT) inter++;
        if (v > loT) union++;
        if (v > threshold) {
          data[rowOut + x] = 1;
          if (x < mx0) mx0 = x;
          if (x > mx1) mx1 = x;
          if (y < my0) my0 = y;
          my1 = y;
        }
        x++;
      }
    }
    const stability = union === 0 ? 0 : inter / union;
    if (mx1 < 0) return { mask: emptyMask(outW, outH), stability };
    const tw = mx1 - mx0 + 1;
    const th = my1 - my0 + 1;
    let tight = data;
    if (tw !== w || th !== y1 - y0 + 1) {
      tight = new Uint8Array(tw * th);
      for (let y = 0; y < th; y++) {
        const from = (y + my0 - y0) * w + (mx0 - x0);
        tight.set(data.subarray(from, from + tw), y * tw);
      }
    }
    return { mask: { width: outW, height: outH, x: mx0, y: my0, w: tw, h: th, data: tight }, stability };
  }
}
