import type { RasterImage } from "../../image/raster.js";

/** The working copy of an image the built-in proposer segments: reduced size, CIE Lab, smoothed. */
export interface WorkImage {
  width: number;
  height: number;
  /** Lab planes (L 0..100, a/b roughly -100..100), lightly smoothed. */
  L: Float32Array;
  A: Float32Array;
  B: Float32Array;
  /** Colour gradient magnitude (Sobel on the more smoothed Lab planes). */
  grad: Float32Array;
  /** Gradient orientation in 0..π, for texture histograms. */
  orient: Float32Array;
}

/** Box-filter downscale so the long side is at most `maxSide` (never upscales). Returns RGB floats 0..255. */
export function downscaleRgb(
  image: RasterImage,
  maxSide: number,
): { width: number; height: number; rgb: Float32Array } {
  const { width: W, height: H, data } = image;
  const scale = Math.min(1, maxSide / Math.max(W, H));
  const w = Math.max(1, Math.round(W * scale));
  const h = Math.max(1, Math.round(H * scale));
  const rgb = new Float32Array(w * h * 3);
  // Source pixel ranges per output column/row (integer boxes that tile the source).
  const xs = new Int32Array(w + 1);
  const ys = new Int32Array(h + 1);
  for (let x = 0; x <= w; x++) xs[x] = Math.round((x * W) / w);
  for (let y = 0; y <= h; y++) ys[y] = Math.round((y * H) / h);
  for (let y = 0; y < h; y++) {
    const sy0 = ys[y];
    const sy1 = Math.max(ys[y + 1], sy0 + 1);
    for (let x = 0; x < w; x++) {
      const sx0 = xs[x];
      const sx1 = Math.max(xs[x + 1], sx0 + 1);
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = sy0; sy < sy1; sy++) {
        let p = (sy * W + sx0) * 4;
        for (let sx = sx0; sx < sx1; sx++, p += 4) {
          r += data[p];
          g += data[p + 1];
          b += data[p + 2];
        }
      }
      const n = (sy1 - sy0) * (sx1 - sx0);
      const o = (y * w + x) * 3;
      rgb[o] = r / n;
      rgb[o + 1] = g / n;
      rgb[o + 2] = b / n;
    }
  }
  return { width: w, height: h, rgb };
}

const SRGB_LINEAR = (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const c = i / 255;
    t[i] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }
  return t;
})();

function linearOf(v: number): number {
  const i = Math.floor(v);
  if (i >= 255) return SRGB_LINEAR[255];
  const f = v - i;
  return SRGB_LINEAR[i] * (1 - f) + SRGB_LINEAR[i + 1] * f;
}

function labF(t: number): number {
  return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116;
}

/** sRGB (0..255 floats, interleaved) to three Lab planes (D65). */
export function rgbToLab(rgb: Float32Array, n: number): [Float32Array, Float32Array, Float32Array] {
  const L = new Float32Array(n);
  const A = new Float32Array(n);
  const B = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = linearOf(rgb[i * 3]);
    const g = linearOf(rgb[i * 3 + 1]);
    const b = linearOf(rgb[i * 3 + 2]);
    const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    const fx = labF(x);
    const fy = labF(y);
    const fz = labF(z);
    L[i] = 116 * fy - 16;
    A[i] = 500 * (fx - fy);
    B[i] = 200 * (fy - fz);
  }
  return [L, A, B];
}

/** Separable Gaussian blur of one plane (edges clamped). */
export function gaussianBlur(src: Float32Array, w: number, h: number, sigma: number): Float32Array {
  if (sigma <= 0) return src.slice();
  const r = Math.max(1, Math.ceil(sigma * 2.5));
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) {
    k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
    s += k[i + r];
  }
  for (let i = 0; i < k.length; i++) k[i] /= s;
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let i = -r; i <= r; i++) {
        let xx = x + i;
        if (xx < 0) xx = 0;
        else if (xx >= w) xx = w - 1;
        acc += src[row + xx] * k[i + r];
      }
      tmp[row + x] = acc;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let i = -r; i <= r; i++) {
        let yy = y + i;
        if (yy < 0) yy = 0;
        else if (yy >= h) yy = h - 1;
        acc += tmp[yy * w + x] * k[i + r];
      }
      out[y * w + x] = acc;
    }
  }
  return out;
}

/** Sobel gradient magnitude summed in quadrature over the Lab planes, plus the dominant orientation. */
export function colourGradient(
  planes: readonly Float32Array[],
  w: number,
  h: number,
): { grad: Float32Array; orient: Float32Array } {
  const grad = new Float32Array(w * h);
  const orient = new Float32Array(w * h);
  const gxs = new Float32Array(w * h);
  const gys = new Float32Array(w * h);
  for (const P of planes) {
    for (let y = 0; y < h; y++) {
      const ym = y > 0 ? y - 1 : 0;
      const yp = y < h - 1 ? y + 1 : h - 1;
      for (let x = 0; x < w; x++) {
        const xm = x > 0 ? x - 1 : 0;
        const xp = x < w - 1 ? x + 1 : w - 1;
        const gx =
          P[ym * w + xp] +
          2 * P[y * w + xp] +
          P[yp * w + xp] -
          P[ym * w + xm] -
          2 * P[y * w + xm] -
          P[yp * w + xm];
        const gy =
          P[yp * w + xm] +
          2 * P[yp * w + x] +
          P[yp * w + xp] -
          P[ym * w + xm] -
          2 * P[ym * w + x] -
          P[ym * w + xp];
        const i = y * w + x;
        grad[i] += gx * gx + gy * gy;
        // Orientation from the structure tensor sum (sign-free), so opposite gradients agree.
        gxs[i] += gx * gx - gy * gy;
        gys[i] += 2 * gx * gy;
      }
    }
  }
  for (let i = 0; i < w * h; i++) {
    grad[i] = Math.sqrt(grad[i]) / 8;
    let a = Math.atan2(gys[i], gxs[i]) / 2;
    if (a < 0) a += Math.PI;
    orient[i] = a;
  }
  return { grad, orient };
}

export interface WorkImageOptions {
  maxSide: number;
  /** Blur before grouping pixels (Felzenszwalb's σ). */
  sigma: number;
  /** Blur before the boundary gradient. */
  gradSigma: number;
}

export function makeWorkImage(image: RasterImage, opts: WorkImageOptions): WorkImage {
  const { width, height, rgb } = downscaleRgb(image, opts.maxSide);
  const [L0, A0, B0] = rgbToLab(rgb, width * height);
  const L = gaussianBlur(L0, width, height, opts.sigma);
  const A = gaussianBlur(A0, width, height, opts.sigma);
  const B = gaussianBlur(B0, width, height, opts.sigma);
  const gp = [L0, A0, B0].map((p) => gaussianBlur(p, width, height, opts.gradSigma));
  const { grad, orient } = colourGradient(gp, width, height);
  return { width, height, L, A, B, grad, orient };
}
