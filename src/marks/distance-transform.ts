/**
 * Exact squared Euclidean distance transform of a binary grid (Felzenszwalb & Huttenlocher 2012).
 * Input: w*h bytes, non-zero = foreground. Output: for each foreground pixel the squared distance to the
 * nearest background pixel, where everything outside the w×h grid counts as background (so a region's
 * label is pushed away from its crop border as well as from its holes).
 *
 * The vertical pass of a binary grid needs no parabolas: it is the distance to the nearest background pixel
 * in the column, found by one scan down and one scan up, both row by row (cache-friendly). Only the
 * horizontal pass runs the lower envelope, and only on rows that hold foreground. Scratch buffers are reused
 * between calls.
 */
export function squaredDistanceTransform(mask: Uint8Array, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  if (w === 0 || h === 0) return out;
  const n = w * h;
  const s = scratchFor(n, w + 2);
  const up = s.col;
  // Down: distance to the nearest background at or above (row -1 is background).
  for (let x = 0; x < w; x++) up[x] = mask[x] !== 0 ? 1 : 0;
  for (let i = w; i < n; i++) up[i] = mask[i] !== 0 ? up[i - w] + 1 : 0;
  // Up: the same from below (row h is background); keep the nearer one, squared. Then the rows.
  const below = s.below;
  below.fill(0, 0, w);
  const f = s.f;
  const d = s.d;
  const v = s.v;
  const z = s.z;
  for (let y = h - 1; y >= 0; y--) {
    const row = y * w;
    let any = false;
    f[0] = 0;
    f[w + 1] = 0;
    for (let x = 0; x < w; x++) {
      const i = row + x;
      if (mask[i] !== 0) {
        const b = below[x] + 1;
        below[x] = b;
        const c = Math.min(b, up[i]);
        f[x + 1] = c * c;
        any = true;
      } else {
        below[x] = 0;
        f[x + 1] = 0;
      }
    }
    if (!any) continue;
    edt1d(f, w + 2, d, v, z);
    for (let x = 0; x < w; x++) out[row + x] = d[x + 1];
  }
  return out;
}

interface Scratch {
  col: Int32Array;
  below: Int32Array;
  f: Float64Array;
  d: Float64Array;
  v: Int32Array;
  z: Float64Array;
}

let scratch: Scratch | undefined;

function scratchFor(cells: number, line: number): Scratch {
  if (!scratch || scratch.col.length < cells || scratch.f.length < line) {
    const c = Math.max(cells, scratch?.col.length ?? 0);
    const l = Math.max(line, scratch?.f.length ?? 0);
    scratch = {
      col: new Int32Array(c),
      below: new Int32Array(l),
      f: new Float64Array(l),
      d: new Float64Array(l),
      v: new Int32Array(l),
      z: new Float64Array(l + 1),
    };
  }
  return scratch;
}

function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const dq = q - v[k];
    d[q] = dq * dq + f[v[k]];
  }
}
