/**
 * Low-resolution mask logits (256×256) → logits in input-image pixels, the way the SAM processors do it:
 * bilinear (half-pixel centres, as torch align_corners=False / ONNX Resize) up to the padded model input,
 * crop to the resized image, bilinear down to the original size. Both resizes are separable, so each axis
 * becomes one precomputed sparse map (≤ 4 source taps per output pixel) and a mask costs two passes.
 */

/** One axis: output i = Σ weights[k] · source[index[k]] for k in [start[i], start[i+1]). */
export interface AxisMap {
  outLen: number;
  start: Int32Array;
  index: Int32Array;
  weight: Float32Array;
  /** Lowest / highest source index used by output i. */
  lo: Int32Array;
  hi: Int32Array;
}

/** Bilinear taps of a single resize inLen → outLen: [[i0, w0], [i1, w1]] per output. */
function bilinearTaps(inLen: number, outLen: number): Array<[number, number][]> {
  const scale = inLen / outLen;
  const taps: Array<[number, number][]> = [];
  for (let i = 0; i < outLen; i++) {
    let src = (i + 0.5) * scale - 0.5;
    if (src < 0) src = 0;
    let i0 = Math.floor(src);
    if (i0 > inLen - 1) i0 = inLen - 1;
    const i1 = Math.min(i0 + 1, inLen - 1);
    const w1 = src - i0;
    taps.push(
      i1 === i0
        ? [[i0, 1]]
        : [
            [i0, 1 - w1],
            [i1, w1],
          ],
    );
  }
  return taps;
}

/** lowLen → padLen (resize), keep [0, validLen), → outLen (resize), composed. */
export function composeAxis(lowLen: number, padLen: number, validLen: number, outLen: number): AxisMap {
  const up = bilinearTaps(lowLen, padLen);
  const down = bilinearTaps(validLen, outLen);
  const start = new Int32Array(outLen + 1);
  const index: number[] = [];
  const weight: number[] = [];
  const lo = new Int32Array(outLen);
  const hi = new Int32Array(outLen);
  for (let i = 0; i < outLen; i++) {
    const acc = new Map<number, number>();
    for (const [j, wj] of down[i]) for (const [k, wk] of up[j]) acc.set(k, (acc.get(k) ?? 0) + wj * wk);
    start[i] = index.length;
    let l = lowLen;
    let h = -1;
    for (const [k, w] of [...acc.entries()].sort((a, b) => a[0] - b[0])) {
      index.push(k);
      weight.push(w);
      if (k < l) l = k;
      if (k > h) h = k;
    }
    lo[i] = l;
    hi[i] = h;
  }
  start[outLen] = index.length;
  return { outLen, start, index: Int32Array.from(index), weight: Float32Array.from(weight), lo, hi };
}

/** First and last output index whose taps touch source range [a, b]; null when none does. */
export function outputRange(map: AxisMap, a: number, b: number): [number, number] | null {
  let first = -1;
  let last = -1;
  for (let i = 0; i < map.outLen; i++) {
    if (map.hi[i] >= a && map.lo[i] <= b) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? null : [first, last];
}

export interface Window {
  x0: number;
  y0: number;
  w: number;
  h: number;
}

/**
 * Upscale the lowH×lowW logits at `offset` in `src` into `out` (window.w × window.h, row-major), for the
 * output pixels inside `window` only. `tmp` is scratch of at least lowH × window.w floats.
 */
export function upscaleWindow(
  src: Float32Array,
  offset: number,
  lowW: number,
  xMap: AxisMap,
  yMap: AxisMap,
  window: Window,
  out: Float32Array,
  tmp: Float32Array,
): void {
  const { x0, y0, w, h } = window;
  // Only the source rows some output row in the window reads.
  let r0 = Number.POSITIVE_INFINITY;
  let r1 = -1;
  for (let y = y0; y < y0 + h; y++) {
    if (yMap.lo[y] < r0) r0 = yMap.lo[y];
    if (yMap.hi[y] > r1) r1 = yMap.hi[y];
  }
  for (let r = r0; r <= r1; r++) {
    const row = offset + r * lowW;
    const t = r * w;
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let k = xMap.start[x + x0]; k < xMap.start[x + x0 + 1]; k++)
        v += xMap.weight[k] * src[row + xMap.index[k]];
      tmp[t + x] = v;
    }
  }
  for (let y = 0; y < h; y++) {
    const o = y * w;
    const s0 = yMap.start[y + y0];
    const s1 = yMap.start[y + y0 + 1];
    for (let x = 0; x < w; x++) out[o + x] = 0;
    for (let k = s0; k < s1; k++) {
      const wk = yMap.weight[k];
      const t = yMap.index[k] * w;
      for (let x = 0; x < w; x++) out[o + x] += wk * tmp[t + x];
    }
  }
}
