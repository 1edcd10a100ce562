/**
 * The option a model meant by `wanted`: exact label or value (case and spacing ignored), then prefix, then
 * containment, then the most shared words. -1 when nothing shares a word with it.
 */
export function pickOption(
  wanted: string,
  options: readonly { label: string; value: string; disabled?: boolean }[],
): number {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, " ").trim();
  const w = norm(wanted);
  if (!w) return -1;
  const tiers: ((l: string, v: string) => boolean)[] = [
    (l, v) => l === w || v === w,
    (l) => l.startsWith(w) || w.startsWith(l),
    (l) => l.includes(w) || (l.length > 0 && w.includes(l)),
  ];
  const usable = options.map((o, i) => ({ i, l: norm(o.label), v: norm(o.value), ok: !o.disabled }));
  for (const tier of tiers) {
    const hit = usable.find((o) => o.ok && tier(o.l, o.v)) ?? usable.find((o) => tier(o.l, o.v));
    if (hit) return hit.i;
  }
  const words = new Set(w.split(/[^\p{L}\p{N}]+/u).filter(Boolean));
  let best = -1;
  let bestScore = 0;
  for (const o of usable) {
    const ow = o.l.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    const shared = ow.filter((x) => words.has(x)).length;
    const score = shared / Math.max(1, ow.length + words.size - shared);
    if (score > bestScore) {
      bestScore = score;
      best = o.i;
    }
  }
  return best;
}
