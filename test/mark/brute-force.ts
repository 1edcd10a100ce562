// Brute-force checks shared by the allocation tests (independent of src/marks).

const overlap = (a: number[], b: number[]) =>
  a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];

/** Independent brute force: can a w×h box sit fully inside `full` without touching any of `blocked` (1 px gap)? */
export function anyFreeSpotInside(
  full: Uint8Array,
  W: number,
  H: number,
  w: number,
  h: number,
  blocked: number[][],
) {
  const sat = new Int32Array((W + 1) * (H + 1));
  for (let y = 0; y < H; y++) {
    let row = 0;
    for (let x = 0; x < W; x++) {
      row += full[y * W + x];
      sat[(y + 1) * (W + 1) + x + 1] = sat[y * (W + 1) + x + 1] + row;
    }
  }
  for (let y = 0; y + h <= H; y++) {
    for (let x = 0; x + w <= W; x++) {
      const s =
        sat[(y + h) * (W + 1) + x + w] -
        sat[y * (W + 1) + x + w] -
        sat[(y + h) * (W + 1) + x] +
        sat[y * (W + 1) + x];
      if (s !== w * h) continue;
      if (!blocked.some((b) => overlap([x - 1, y - 1, w + 2, h + 2], b))) return true;
    }
  }
  return false;
}
