/**
 * Clean-ups applied to each chosen region on the working grid: fill small holes, and split a region whose
 * parts touch only through a pixel-thin bridge. Masks here are crops: `data` is w*h bytes, 1 = inside.
 */
export interface CropMask {
  x: number;
  y: number;
  w: number;
  h: number;
  data: Uint8Array;
}

/** Fill background components that do not reach the crop border and are smaller than `maxHole` pixels. */
export function fillHoles(m: CropMask, maxHole: number): void {
  const { w, h, data } = m;
  const seen = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  const comp: number[] = [];
  for (let s = 0; s < w * h; s++) {
    if (data[s] || seen[s]) continue;
    let top = 0;
    stack[top++] = s;
    seen[s] = 1;
    comp.length = 0;
    let border = false;
    while (top > 0) {
      const p = stack[--top];
      comp.push(p);
      const x = p % w;
      const y = (p - x) / w;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) border = true;
      if (x > 0 && !data[p - 1] && !seen[p - 1]) {
        seen[p - 1] = 1;
        stack[top++] = p - 1;
      }
      if (x < w - 1 && !data[p + 1] && !seen[p + 1]) {
        seen[p + 1] = 1;
        stack[top++] = p + 1;
      }
      if (y > 0 && !data[p - w] && !seen[p - w]) {
        seen[p - w] = 1;
        stack[top++] = p - w;
      }
      if (y < h - 1 && !data[p + w] && !seen[p + w]) {
        seen[p + w] = 1;
        stack[top++] = p + w;
      }
    }
    if (!border && comp.length <= maxHole) for (const p of comp) data[p] = 1;
  }
}

/** 4-connected components of the set pixels; returns labels (0 = outside, 1..n) and n. */
export function components(
  data: Uint8Array,
  w: number,
  h: number,
): { lab: Int32Array; n: number; sizes: number[] } {
  const lab = new Int32Array(w * h);
  const stack = new Int32Array(w * h);
  const sizes: number[] = [0];
  let n = 0;
  for (let s = 0; s < w * h; s++) {
    if (!data[s] || lab[s]) continue;
    n++;
    let size = 0;
    let top = 0;
    stack[top++] = s;
    lab[s] = n;
    while (top > 0) {
      const p = stack[--top];
      size++;
      const x = p % w;
      if (x > 0 && data[p - 1] && !lab[p - 1]) {
        lab[p - 1] = n;
        stack[top++] = p - 1;
      }
      if (x < w - 1 && data[p + 1] && !lab[p + 1]) {
        lab[p + 1] = n;
        stack[top++] = p + 1;
      }
      if (p >= w && data[p - w] && !lab[p - w]) {
        lab[p - w] = n;
        stack[top++] = p - w;
      }
      if (p + w < w * h && data[p + w] && !lab[p + w]) {
        lab[p + w] = n;
        stack[top++] = p + w;
      }
    }
    sizes.push(size);
  }
  return { lab, n, sizes };
}

/**
 * Split a region into the parts that remain separate after a morphological opening (3×3 cross), so blobs
 * joined only by a thin bridge or a diagonal touch become separate regions. Parts below `minPart` pixels
 * are not kept as parts; every original pixel goes to the nearest kept part (breadth-first inside the
 * mask), so the pieces tile the original region. Returns the input when it does not split.
 */
export function splitThinBridges(m: CropMask, minPart: number): CropMask[] {
  const { w, h, data } = m;
  const er = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      er[p] =
        data[p] &&
        x > 0 &&
        data[p - 1] &&
        x < w - 1 &&
        data[p + 1] &&
        y > 0 &&
        data[p - w] &&
        y < h - 1 &&
        data[p + w]
          ? 1
          : 0;
    }
  }
  const op = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (!data[p]) continue;
      op[p] =
        er[p] ||
        (x > 0 && er[p - 1]) ||
        (x < w - 1 && er[p + 1]) ||
        (y > 0 && er[p - w]) ||
        (y < h - 1 && er[p + w])
          ? 1
          : 0;
    }
  }
  const { lab, n, sizes } = components(op, w, h);
  const keep: number[] = [];
  for (let c = 1; c <= n; c++) if (sizes[c] >= minPart) keep.push(c);
  if (keep.length <= 1) {
    // Still split plain 4-disconnected pieces (e.g. diagonal-only touches) when each is big enough.
    const cc = components(data, w, h);
    const big: number[] = [];
    for (let c = 1; c <= cc.n; c++) if (cc.sizes[c] >= minPart) big.push(c);
    if (big.length <= 1) return [m];
    return assignToParts(m, cc.lab, big);
  }
  return assignToParts(m, lab, keep);
}

/** Grow the kept parts of `seeds` over the original mask (multi-source BFS) and crop each part. */
function assignToParts(m: CropMask, seeds: Int32Array, keep: number[]): CropMask[] {
  const { w, h, data } = m;
  const owner = new Int32Array(w * h);
  const queue = new Int32Array(w * h);
  let qh = 0;
  let qt = 0;
  const index = new Map<number, number>();
  for (let i = 0; i < keep.length; i++) index.set(keep[i], i + 1);
  for (let p = 0; p < w * h; p++) {
    const k = index.get(seeds[p]);
    if (k !== undefined && data[p]) {
      owner[p] = k;
      queue[qt++] = p;
    }
  }
  while (qh < qt) {
    const p = queue[qh++];
    const x = p % w;
    const o = owner[p];
    const visit = (q: number) => {
      if (data[q] && !owner[q]) {
        owner[q] = o;
        queue[qt++] = q;
      }
    };
    if (x > 0) visit(p - 1);
    if (x < w - 1) visit(p + 1);
    if (p >= w) visit(p - w);
    if (p + w < w * h) visit(p + w);
    // Diagonal steps reach pixels that touch the rest only at a corner.
    if (x > 0 && p >= w) visit(p - w - 1);
    if (x < w - 1 && p >= w) visit(p - w + 1);
    if (x > 0 && p + w < w * h) visit(p + w - 1);
    if (x < w - 1 && p + w < w * h) visit(p + w + 1);
  }
  const out: CropMask[] = [];
  for (let k = 1; k <= keep.length; k++) {
    let x0 = w;
    let y0 = h;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (owner[y * w + x] === k) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          y1 = y;
        }
      }
    }
    if (x1 < 0) continue;
    const cw = x1 - x0 + 1;
    const ch = y1 - y0 + 1;
    const d = new Uint8Array(cw * ch);
    for (let y = 0; y < ch; y++) {
      for (let x = 0; x < cw; x++) d[y * cw + x] = owner[(y + y0) * w + x + x0] === k ? 1 : 0;
    }
    out.push({ x: m.x + x0, y: m.y + y0, w: cw, h: ch, data: d });
  }
  return out;
}
