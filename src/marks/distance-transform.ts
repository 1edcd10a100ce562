/**
 * Exact squared Euclidean distance transform (Felzenszwalb & Huttenlocher 2012), two 1-D passes.
 * Input: w*h bytes, non-zero = foreground. Output: for each foreground pixel the squared distance to the
 * nearest background pixel, where everything outside the w×h grid counts as background (so a region's
 * label is pushed away from its crop border as well as from its holes).
 */
export function squaredDistanceTransform(mask: Uint8Array, w: number, h: number): Float32Array {
  const INF = 1e20;
  const out = new Float32Array(w * h);
  // Pad by one on every side so the grid border acts as background.
  const pw = w + 2;
  const ph = h + 2;
  const grid = new Float64Array(pw * ph);
  for (let y = 0; y < ph; y++) {
    for (let x = 0; x < pw; x++) {
      const inside = x > 0 && y > 0 && x <= w && y <= h && mask[(y - 1) * w + (x - 1)] !== 0;
      grid[y * pw + x] = inside ? INF : 0;
    }
  }
  const n = Math.max(pw, ph);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  // Columns.
  for (let x = 0; x < pw; x++) {
    for (let y = 0; y < ph; y++) f[y] = grid[y * pw + x];
    edt1d(f, ph, d, v, z);
    for (let y = 0; y < ph; y++) grid[y * pw + x] = d[y];
  }
  // Rows.
  for (let y = 0; y < ph; y++) {
    const row = y * pw;
    for (let x = 0; x < pw; x++) f[x] = grid[row + x];
    edt1d(f, pw, d, v, z);
    if (y === 0 || y === ph - 1) continue;
    for (let x = 1; x <= w; x++) out[(y - 1) * w + (x - 1)] = d[x];
  }
  return out;
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
