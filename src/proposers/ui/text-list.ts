import type { Region } from "../../regions/region.js";

/** One line per mark, as `som web` writes them: `[7] button "Sign in"`, `[8] icon near "Search"`. */
export function formatUiMarks(regions: readonly Region[]): string {
  const texts = regions.filter((r) => typeof r.extra?.text === "string" && r.extra.text !== "");
  return regions
    .map((r) => {
      const kind = String(r.extra?.kind ?? "element");
      const text = typeof r.extra?.text === "string" ? r.extra.text : "";
      if (text !== "") return `[${r.id}] ${kind} ${JSON.stringify(text)}`;
      const near = nearestText(r, texts);
      return near ? `[${r.id}] ${kind} near ${JSON.stringify(near)}` : `[${r.id}] ${kind}`;
    })
    .join("\n");
}

function nearestText(r: Region, texts: readonly Region[]): string | undefined {
  const [x, y, w, h] = r.bbox;
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const t of texts) {
    const [tx, ty, tw, th] = t.bbox;
    const dx = Math.max(0, tx - (x + w), x - (tx + tw));
    const dy = Math.max(0, ty - (y + h), y - (ty + th));
    const d = Math.hypot(dx, dy);
    if (d < bestD) {
      bestD = d;
      best = String(t.extra?.text);
    }
  }
  return best;
}
