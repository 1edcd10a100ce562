import { labelNumber, labelText } from "../marks/labels.js";
import { jsonInText } from "./json-in-text.js";
import type { MarkIndex } from "./mark-index.js";

/** One place in an answer where a mark is named. */
export interface Mention {
  /** Label as written, lower-cased ("3", "b"). */
  label: string;
  /** Mark id, or undefined when no mark has that label. */
  id?: number;
  /** Character span of the whole reference ("regions 3 and 5" for both 3 and 5). */
  start: number;
  end: number;
  /** strong: bracketed, keyworded, #-prefixed or the whole answer; weak: a bare number in prose. */
  strength: "strong" | "weak";
  /** Named only to be excluded ("not 5", "rather than region 5"). */
  negated: boolean;
}

export interface MarkRefs {
  /** Mark ids named, in order of first mention, without duplicates. */
  ids: number[];
  /** Labels named with confidence that no mark carries, as written (reported, never mapped). */
  unknown: string[];
  mentions: Mention[];
}

/** Mark references in a model answer, however written: [3], 3, mark 3, #3, regions 3 and 5, 3-5, b, JSON. */
export function parseMarkRefs(text: string, index: MarkIndex): MarkRefs {
  const json = jsonInText(text);
  if (json !== undefined) {
    const fromJson = mentionsInJson(json, index);
    if (fromJson.length > 0) return resolveMentions(fromJson);
  }
  return resolveMentions(findMentions(text, index));
}

/**
 * Ids and unknown labels from mentions. Negated mentions add nothing; a weak mention (bare number) counts
 * only when a mark has that label, and is never reported as unknown.
 */
export function resolveMentions(mentions: Mention[]): MarkRefs {
  const ids: number[] = [];
  const unknown: string[] = [];
  const used = mentions.filter((m) => m.strength === "strong" || m.id != null);
  for (const m of used) {
    if (m.negated) continue;
    if (m.id != null) {
      if (!ids.includes(m.id)) ids.push(m.id);
    } else if (!unknown.includes(m.label)) {
      unknown.push(m.label);
    }
  }
  return { ids, unknown, mentions: used };
}

// ---- grammar -------------------------------------------------------------------------------------------

const NUM = String.raw`\d{1,4}`;
const ALPHA = "[A-Za-z]{1,3}";
const RANGE_SEP = String.raw`\s*(?:-|–|—|\bto\b|\bthrough\b|\bthru\b)\s*`;
const LIST_SEP = String.raw`(?:\s*,\s*(?:and\s+|or\s+|&\s*)?|\s*;\s*|\s+and\s+|\s+or\s+|\s*&\s*|\s*\/\s*|\s+plus\s+|\s+as well as\s+)`;
const KEYWORDS = String.raw`marks?|markers?|labels?|labell?ed|tagged|numbered|marked|regions?|ids?|segments?|objects?|areas?|masks?|tags?|box(?:es)?|items?|entit(?:y|ies)|instances?|candidates?|numbers?|nos?\.|spots?`;
const KEYWORD_FILLER = String.raw`(?:\s+(?:as|with|by))?(?:\s+the)?(?:\s+(?:numbers?|labels?|marks?|ids?|nos?\.))?\s*(?:#|:|=)?\s*`;

function listRe(token: string): string {
  const item = `#?${token}(?:${RANGE_SEP}#?${token})?`;
  return `${item}(?:${LIST_SEP}${item})*`;
}

/** Every mention in free text (no JSON handling). */
export function findMentions(text: string, index: MarkIndex): Mention[] {
  const token = index.style === "numeric" ? NUM : ALPHA;
  const list = listRe(token);
  const tokenBoundary = index.style === "numeric" ? String.raw`(?!\d)` : "(?![A-Za-z])";
  const out: Mention[] = [];
  const taken: [number, number][] = [];
  const free = (s: number, e: number) => !taken.some(([a, b]) => s < b && e > a);
  const add = (start: number, end: number, body: string, strength: Mention["strength"]) => {
    if (!free(start, end)) return;
    const items = expandList(body, index);
    if (items.length === 0) return;
    taken.push([start, end]);
    const negated = isNegated(text, start);
    for (const label of items) {
      out.push({ label, id: index.byLabel.get(label), start, end, strength, negated });
    }
  };

  // The whole answer is a list of labels: "3", "3, 5", "[b]", "Answer: 3 and 5."
  const whole = new RegExp(
    String.raw`^\s*(?:(?:the\s+)?answer\s*(?:is)?\s*:?\s*)?[\[(]?\s*(${list})\s*[\])]?\s*\.?\s*$`,
    "i",
  );
  const w = whole.exec(text);
  if (w && (index.style === "numeric" || w[1].length <= 12)) {
    add(0, text.length, w[1], "strong");
    return finish(out, index);
  }

  const patterns: [RegExp, Mention["strength"] | "paren"][] = [
    // [3], [3, 5], [3-5], 【3】
    [new RegExp(String.raw`[\[【]\s*(${list})\s*[\]】]`, "gi"), "strong"],
    // mark 3, regions 3 and 5, labeled as 3, IDs: 3, 4
    [new RegExp(String.raw`\b(?:${KEYWORDS})${KEYWORD_FILLER}(${list})${tokenBoundary}`, "gi"), "strong"],
    // #3
    [new RegExp(String.raw`#\s?(${token})${tokenBoundary}`, "gi"), "strong"],
    // **3**, \`3\`, "b", 'b'
    [new RegExp(String.raw`(?:\*\*|__|\`|["“'‘])(${token})(?:\*\*|__|\`|["”'’])`, "gi"), "strong"],
    // (3) strong; (3, 5) weak (could be a coordinate)
    [new RegExp(String.raw`\(\s*(${list})\s*\)`, "gi"), "paren"],
  ];
  for (const [re, strength] of patterns) {
    for (const m of text.matchAll(re)) {
      const start = m.index ?? 0;
      const end = start + m[0].length;
      let s: Mention["strength"];
      if (strength === "paren") {
        if (isCoordinateContext(text, start, m[1])) {
          taken.push([start, end]); // nor may its numbers count as bare marks
          continue;
        }
        s = /^#?\w+$/.test(m[1].trim()) ? "strong" : "weak";
      } else s = strength;
      add(start, end, m[1], s);
    }
  }
  if (index.style === "numeric") {
    for (const m of bareNumbers(text)) add(m.start, m.end, m.body, "weak");
  }
  return finish(out, index);
}

function finish(out: Mention[], _index: MarkIndex): Mention[] {
  return out.sort((a, b) => a.start - b.start);
}

/** Labels in a list body ("3, 5 and 7", "3-5", "b to d"); alpha words that are no label are dropped. */
function expandList(body: string, index: MarkIndex): string[] {
  const token = index.style === "numeric" ? NUM : ALPHA;
  const itemRe = new RegExp(`#?(${token})(?:${RANGE_SEP}#?(${token}))?`, "gi");
  const labels: string[] = [];
  for (const m of body.matchAll(itemRe)) {
    const a = m[1].toLowerCase();
    const b = m[2]?.toLowerCase();
    if (index.style === "alpha" && !isAlphaLabel(a, index)) continue;
    if (b == null) {
      labels.push(a);
      continue;
    }
    if (index.style === "alpha" && !isAlphaLabel(b, index)) {
      labels.push(a);
      continue;
    }
    const style = index.style;
    const lo = labelNumber(a, style);
    const hi = labelNumber(b, style);
    if (lo != null && hi != null && hi >= lo && hi - lo <= 100) {
      for (let n = lo; n <= hi; n++) labels.push(labelText(n, style));
    } else {
      labels.push(a, b);
    }
  }
  return labels;
}

/** A letter run counts as an alpha label when a mark has it, or when it is a single letter (else it is a word). */
function isAlphaLabel(s: string, index: MarkIndex): boolean {
  return index.byLabel.has(s) || s.length === 1;
}

const NEGATION =
  /\b(?:not|never|n't|rather than|instead of|except(?: for)?|excluding|other than|apart from|but not)\s+(?:[\w'-]+\s+){0,2}$/i;

function isNegated(text: string, start: number): boolean {
  const before = text.slice(Math.max(0, start - 40), start);
  return NEGATION.test(before) || /n't\s+$/i.test(before);
}

const COORD_WORDS =
  /\b(?:at|point|points|coordinates?|coords?|position|pixels?|located|center(?:ed)?|centre|xy|x,\s*y|bbox|box)\s*[:=]?\s*$/i;

/** "(120, 45)" after "at"/"coordinates"…, or any group containing a decimal: not marks. */
function isCoordinateContext(text: string, start: number, body: string): boolean {
  if (/\d\.\d/.test(body)) return true;
  const before = text.slice(Math.max(0, start - 30), start);
  const n = (body.match(/\d+/g) ?? []).length;
  return (n === 2 || n === 4) && COORD_WORDS.test(before);
}

// ---- bare numbers --------------------------------------------------------------------------------------

/** Words that may follow a mark number in prose ("3 is the cat", "3 and 5", "3 which…"). */
const FOLLOW_OK = new Set(
  (
    "is are was were and or to which that who shows show showing contains contain seems seem appears appear looks " +
    "look depicts depict represents represent corresponds correspond covers cover has have being should would " +
    "could might may can will refers refer points point indicates indicate matches match also as highlights " +
    "outlines encloses marks labels seem"
  ).split(" "),
);
/** Context right before a number that makes it a count, a page, a time… rather than a mark. */
const COUNT_BEFORE =
  /\b(?:there\s+(?:are|is|were|was)|about|approximately|approx\.?|around|roughly|nearly|almost|over|under|at\s+least|at\s+most|more\s+than|fewer\s+than|less\s+than|up\s+to|count(?:ed)?|total(?:\s+of)?|number\s+of|image|photo|picture|frame|step|figure|fig\.|page|version|top|first|last|see|of|by|x|times|aged?|age|size|width|height|[xywh]\s*[=:])\s*$/i;

/** Bare numbers that plausibly name marks (weak mentions), with counts, years, units, coordinates filtered out. */
function bareNumbers(text: string): { start: number; end: number; body: string }[] {
  const out: { start: number; end: number; body: string }[] = [];
  const re = /(?<![\w.$€£#\-/:,])(\d{1,4})(?:\s*(?:-|–|to)\s*(\d{1,4}))?(?![\w%°]|\.\d|:\d|,\d|\/\d|'s)/g;
  for (const m of text.matchAll(re)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    const n = Number(m[1]);
    if (m[1].length === 4 || n > 999 || n === 0) continue; // years and such are not marks
    const lineStart = text.lastIndexOf("\n", start - 1) + 1;
    const linePrefix = text.slice(lineStart, start);
    // "1. First…" / "2) Then…": a numbered list, not a mark.
    if (/^\s*$/.test(linePrefix) && /^[.)]\s/.test(text.slice(end, end + 2))) continue;
    if (COUNT_BEFORE.test(text.slice(Math.max(0, start - 24), start))) continue;
    const after = text.slice(end);
    const next = /^\s+([A-Za-z]+)/.exec(after);
    if (next && !FOLLOW_OK.has(next[1].toLowerCase())) continue; // "2 people", "3 cm", "5 o'clock"
    if (/^\s*(?:x|×|\*)\s*\d/.test(after)) continue; // 3 x 4
    out.push({ start, end, body: m[0] });
  }
  return out;
}

// ---- JSON ----------------------------------------------------------------------------------------------

const JSON_KEY = /mark|id$|^ids?$|region|label|segment|object|answer|index|match|selected|choice/i;

/** Mentions in a JSON answer: values under mark-like keys, or a bare array of labels. All strong. */
export function mentionsInJson(value: unknown, index: MarkIndex): Mention[] {
  const labels: string[] = [];
  const take = (v: unknown) => {
    if (typeof v === "number" && Number.isInteger(v)) labels.push(String(v));
    else if (typeof v === "string") {
      const s = v.trim();
      const m = findMentions(s, index);
      for (const x of m) if (!x.negated) labels.push(x.label);
    } else if (Array.isArray(v)) v.forEach(take);
  };
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach(walk);
      return;
    }
    if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (JSON_KEY.test(k) && (typeof x !== "object" || Array.isArray(x))) take(x);
        else walk(x);
      }
    }
  };
  if (Array.isArray(value) && value.every((x) => typeof x === "number" || typeof x === "string")) take(value);
  else walk(value);
  return labels.map((raw) => {
    const label = raw.toLowerCase();
    return { label, id: index.byLabel.get(label), start: 0, end: 0, strength: "strong", negated: false };
  });
}
