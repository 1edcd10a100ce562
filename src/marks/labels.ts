export type LabelStyle = "numeric" | "alpha";

/** Text of the n-th mark (1-based): "1","2",… or "a"…"z","aa","ab",… (spreadsheet-style bijective base 26). */
export function labelText(n: number, style: LabelStyle): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`mark number must be a positive integer, got ${n}`);
  if (style === "numeric") return String(n);
  let s = "";
  let k = n;
  while (k > 0) {
    k--;
    s = String.fromCharCode(97 + (k % 26)) + s;
    k = Math.floor(k / 26);
  }
  return s;
}

/** Inverse of labelText; undefined when the text is not a label of that style. */
export function labelNumber(text: string, style: LabelStyle): number | undefined {
  const t = text.trim().toLowerCase();
  if (style === "numeric") return /^[1-9]\d*$/.test(t) ? Number(t) : undefined;
  if (!/^[a-z]+$/.test(t)) return undefined;
  let n = 0;
  for (const c of t) n = n * 26 + (c.charCodeAt(0) - 96);
  return n;
}
