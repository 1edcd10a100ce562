import { jsonInText } from "./json-in-text.js";
import type { MarkIndex } from "./mark-index.js";
import { findMentions, type Mention, mentionsInJson, resolveMentions } from "./mark-refs.js";

export interface PhraseMarks {
  /** Mark ids per phrase, in the phrases' order. */
  marks: number[][];
  unknown: string[];
}

/**
 * Marks per phrase from answers like "a man: [3]; a dog: [5, 6]", "The man [3] walks a dog [5]", or JSON
 * ({"a man": [3]} / {"phrases": [{"phrase": "a man", "marks": [3]}]}). Each mark mention goes to the
 * phrase written nearest before it on the same line (or the nearest after it when none is before).
 */
export function parsePhraseMarks(text: string, phrases: readonly string[], index: MarkIndex): PhraseMarks {
  const json = jsonInText(text);
  if (json !== undefined) {
    const r = fromJson(json, phrases, index);
    if (r) return r;
  }
  const lower = text.toLowerCase();
  const spots: { phrase: number; start: number; end: number }[] = [];
  const order = phrases
    .map((p, i) => ({ p: p.toLowerCase().trim(), i }))
    .sort((a, b) => b.p.length - a.p.length);
  for (const { p, i } of order) {
    if (!p) continue;
    for (let at = lower.indexOf(p); at >= 0; at = lower.indexOf(p, at + 1)) {
      const end = at + p.length;
      if (!spots.some((s) => at < s.end && end > s.start)) spots.push({ phrase: i, start: at, end });
    }
  }
  spots.sort((a, b) => a.start - b.start);
  const per: Mention[][] = phrases.map(() => []);
  const lineOf = (pos: number) => text.slice(0, pos).split("\n").length;
  for (const m of findMentions(text, index)) {
    if (spots.some((s) => m.start < s.end && m.end > s.start)) continue; // a number inside a phrase
    const line = lineOf(m.start);
    const sameLine = spots.filter((s) => lineOf(s.start) === line);
    const pool = sameLine.length > 0 ? sameLine : spots;
    const before = pool.filter((s) => s.end <= m.start).pop();
    const after = pool.find((s) => s.start >= m.end);
    const owner = before ?? after;
    if (owner) per[owner.phrase].push(m);
  }
  const unknown: string[] = [];
  const marks = per.map((ms) => {
    const r = resolveMentions(ms);
    for (const u of r.unknown) if (!unknown.includes(u)) unknown.push(u);
    return r.ids;
  });
  return { marks, unknown };
}

function fromJson(value: unknown, phrases: readonly string[], index: MarkIndex): PhraseMarks | undefined {
  const norm = (s: string) => s.toLowerCase().trim();
  const idx = new Map(phrases.map((p, i) => [norm(p), i]));
  const found: unknown[][] = phrases.map(() => []);
  let any = false;
  const visit = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!v || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    const phraseKey = ["phrase", "text", "name", "entity"].find((k) => typeof o[k] === "string");
    if (phraseKey && idx.has(norm(o[phraseKey] as string))) {
      found[idx.get(norm(o[phraseKey] as string))!].push(o);
      any = true;
      return;
    }
    for (const [k, x] of Object.entries(o)) {
      if (idx.has(norm(k))) {
        found[idx.get(norm(k))!].push(x);
        any = true;
      } else visit(x);
    }
  };
  visit(value);
  if (!any) return undefined;
  const unknown: string[] = [];
  const marks = found.map((vals) => {
    const r = resolveMentions(vals.flatMap((v) => mentionsInJson(stripPhrase(v), index)));
    for (const u of r.unknown) if (!unknown.includes(u)) unknown.push(u);
    return r.ids;
  });
  return { marks, unknown };
}

/** Drop the phrase text itself so digits inside it are not read as marks. */
function stripPhrase(v: unknown): unknown {
  if (Array.isArray(v) || typeof v !== "object" || v == null) return { marks: v };
  const { phrase: _p, text: _t, name: _n, entity: _e, ...rest } = v as Record<string, unknown>;
  return rest;
}
