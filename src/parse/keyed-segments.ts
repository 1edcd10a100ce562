import type { MarkIndex } from "./mark-index.js";

/** "1: person", "[2] - dog", "Mark 3 is a cat", "| 4 | tree |": a mark label followed by what the answer says of it. */
export interface KeyedSegment {
  label: string;
  id?: number;
  /** The text after the label and its separator, up to the next keyed segment or line end. */
  rest: string;
}

const HEAD_PREFIX = String.raw`(?:(?:mark|marker|region|label|object|id|number|segment|no\.)\s*)?(?:#\s*)?`;
const HEAD_SEP = String.raw`\s*(?::|=>|->|→|=|—|–|-(?=\s)|\)(?!\s*[,;])|\.(?=\s)|\s+is(?:\s+(?:an?|the))?(?=\s)|\s+are(?=\s))\s*`;

/**
 * Split an answer into keyed segments. Heads are found at line starts or after ",", ";" or "|", so prose
 * numbers in the middle of a sentence are not mistaken for keys.
 */
export function keyedSegments(text: string, index: MarkIndex): KeyedSegment[] {
  const token = index.style === "numeric" ? String.raw`\d{1,4}` : "[A-Za-z]{1,3}";
  const rows = tableRows(text, index);
  if (rows.length > 0) return rows;
  const head = new RegExp(
    String.raw`(^|\n|[,;]\s*(?:and\s+)?|\s(?=(?:mark|region|label|object)\s))\s*[-*•]?\s*\**\s*${HEAD_PREFIX}(?:[\[【](${token})[\]】]\**(?:${HEAD_SEP}|\s+)|\(?(${token})\)?\**${HEAD_SEP})`,
    "gi",
  );
  const heads: { start: number; end: number; label: string }[] = [];
  for (const m of text.matchAll(head)) {
    const label = (m[2] ?? m[3]).toLowerCase();
    if (index.style === "alpha" && !index.byLabel.has(label) && label.length > 1) continue;
    const start = (m.index ?? 0) + m[1].length;
    heads.push({ start, end: (m.index ?? 0) + m[0].length, label });
  }
  const out: KeyedSegment[] = [];
  heads.forEach((h, i) => {
    const stop = i + 1 < heads.length ? heads[i + 1].start : text.length;
    let rest = text.slice(h.end, stop);
    const nl = rest.indexOf("\n");
    if (nl >= 0) rest = rest.slice(0, nl);
    rest = rest
      .replace(/[\s,;.*]+$/, "")
      .replace(/\s+and$/i, "")
      .trim();
    out.push({ label: h.label, id: index.byLabel.get(h.label), rest });
  });
  return out;
}

/** Markdown table rows whose first cell is a label: "| 3 | person |". */
function tableRows(text: string, index: MarkIndex): KeyedSegment[] {
  const out: KeyedSegment[] = [];
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (!t.startsWith("|")) continue;
    const cells = t
      .replace(/^\||\|$/g, "")
      .split("|")
      .map((c) =>
        c
          .trim()
          .replace(/^\*\*|\*\*$/g, "")
          .replace(/^\[|\]$/g, ""),
      );
    if (cells.length < 2) continue;
    const label = cells[0].replace(/^(?:mark|#)\s*/i, "").toLowerCase();
    const ok = index.style === "numeric" ? /^\d{1,4}$/.test(label) : index.byLabel.has(label);
    if (ok) out.push({ label, id: index.byLabel.get(label), rest: cells[1] });
  }
  return out;
}
