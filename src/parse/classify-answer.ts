import { jsonInText } from "./json-in-text.js";
import { keyedSegments } from "./keyed-segments.js";
import type { MarkIndex } from "./mark-index.js";
import { findMentions } from "./mark-refs.js";

/** What a classify answer says each mark is: names as the model wrote them. */
export interface MarkNames {
  /** mark id → name, in answer order. */
  names: Map<number, string>;
  /** Labels named that no mark carries. */
  unknown: string[];
}

/**
 * Names per mark from "1: person, 2: dog", "[3] cat", "| 4 | tree |", "person: 1, 3; dog: 2", "person (1, 3)",
 * or JSON ({"1": "person"}, [{"mark": 1, "name": "person"}], {"person": [1, 3]}).
 */
export function parseMarkNames(text: string, index: MarkIndex): MarkNames {
  const json = jsonInText(text);
  if (json !== undefined) {
    const r = namesFromJson(json, index);
    if (r.names.size > 0 || r.unknown.length > 0) return r;
  }
  const names = new Map<number, string>();
  const unknown: string[] = [];
  const put = (label: string, id: number | undefined, name: string) => {
    const clean = cleanName(name);
    if (!clean) return;
    if (id == null) {
      if (!unknown.includes(label)) unknown.push(label);
    } else if (!names.has(id)) names.set(id, clean);
  };
  for (const s of keyedSegments(text, index)) put(s.label, s.id, s.rest);
  if (names.size > 0) return { names, unknown };
  // Name first, marks after: "person: 1, 3; dog: 2" or "person (1, 3), dog (2)".
  const reverse =
    /(^|[\n;]|,\s*(?=[A-Za-z]))\s*[-*•]?\s*([A-Za-z][A-Za-z' -]{0,40}?)\s*(?::|=|-|\(|→|->)\s*([^\n;:()]*?\d[^\n;:()]*?)(?=\)|;|\n|,\s*[A-Za-z]|$)/g;
  for (const m of text.matchAll(reverse)) {
    for (const mention of findMentions(m[3], index)) put(mention.label, mention.id, m[2]);
  }
  return { names, unknown };
}

/** "a person." → "person"; strips articles, quotes, markdown and trailing explanations in brackets. */
export function cleanName(s: string): string {
  return s
    .replace(/\*\*|__|`/g, "")
    .replace(/\s*[([].*$/, "")
    .replace(/^["'“‘]|["'”’]$/g, "")
    .replace(/^(?:it\s+is\s+|this\s+is\s+)?(?:an?|the)\s+/i, "")
    .replace(/[.;,!]+$/, "")
    .trim()
    .toLowerCase();
}

const NAME_KEY = /^(?:name|category|class|label_name|object|category_name|class_name|noun|type)$/i;
const MARK_KEY = /^(?:mark|marks|id|mark_id|region|region_id|label|number|index)$/i;

function namesFromJson(value: unknown, index: MarkIndex): MarkNames {
  const names = new Map<number, string>();
  const unknown: string[] = [];
  const put = (labelRaw: unknown, name: unknown) => {
    if (typeof name !== "string") return;
    const label = String(labelRaw)
      .trim()
      .replace(/^\[|\]$/g, "")
      .toLowerCase();
    const id = index.byLabel.get(label);
    if (id == null) {
      if (!unknown.includes(label)) unknown.push(label);
    } else if (!names.has(id)) names.set(id, cleanName(name));
  };
  const isLabel = (k: string) =>
    index.style === "numeric" ? /^\[?\d{1,4}\]?$/.test(k.trim()) : /^[a-z]{1,3}$/i.test(k);
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const item of v) {
        if (item && typeof item === "object" && !Array.isArray(item)) {
          const entries = Object.entries(item);
          const mk = entries.find(
            ([k, x]) => MARK_KEY.test(k) && (typeof x === "number" || isLabel(String(x))),
          );
          const nm = entries.find(([k, x]) => NAME_KEY.test(k) && typeof x === "string" && !isLabel(x));
          if (mk && nm) {
            put(mk[1], nm[1]);
            continue;
          }
        }
        walk(item);
      }
      return;
    }
    if (!v || typeof v !== "object") return;
    const entries = Object.entries(v);
    if (entries.length > 0 && entries.every(([k, x]) => isLabel(k) && typeof x === "string")) {
      for (const [k, x] of entries) put(k, x);
      return;
    }
    const reverse = entries.filter(
      ([k, x]) =>
        !isLabel(k) && (typeof x === "number" || (Array.isArray(x) && x.every((y) => typeof y === "number"))),
    );
    if (reverse.length > 0 && reverse.length === entries.length) {
      for (const [k, x] of reverse) for (const n of [x].flat()) put(n, k);
      return;
    }
    for (const [, x] of entries) walk(x);
  };
  walk(value);
  return { names, unknown };
}
