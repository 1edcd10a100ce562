import { jsonInText } from "./json-in-text.js";
import { keyedSegments } from "./keyed-segments.js";
import type { MarkIndex } from "./mark-index.js";
import { mentionsInJson, parseMarkRefs } from "./mark-refs.js";

export interface Matches {
  /** frame-1 object id → frame-2 mark id, or null when the answer says the object is gone. */
  pairs: Map<number, number | null>;
  /** Labels named that exist in neither frame's marks. */
  unknown: string[];
}

const GONE =
  /\b(?:none|no match|not (?:visible|present|found|shown|in)|disappear|absent|missing|n\/a|out of (?:frame|view)|occluded|-$)/i;

/**
 * Object → candidate pairs from "1: c, 2: a", "Object 1 → mark 7", "1 -> none", or JSON
 * ({"1": "c"} / [{"object": 1, "mark": 7}]). `objects` indexes frame-1 labels, `candidates` frame-2 labels.
 */
export function parseMatches(text: string, objects: MarkIndex, candidates: MarkIndex): Matches {
  const pairs = new Map<number, number | null>();
  const unknown: string[] = [];
  const note = (u: string) => {
    if (!unknown.includes(u)) unknown.push(u);
  };
  const json = jsonInText(text);
  if (json !== undefined) {
    visitJson(json, (objLabel, value) => {
      const oid = objects.byLabel.get(String(objLabel).toLowerCase());
      if (oid == null) return note(String(objLabel).toLowerCase());
      if (value == null || (typeof value === "string" && GONE.test(value))) {
        if (!pairs.has(oid)) pairs.set(oid, null);
        return;
      }
      const refs = mentionsInJson({ mark: value }, candidates);
      const hit = refs.find((r) => r.id != null);
      for (const r of refs) if (r.id == null) note(r.label);
      if (!pairs.has(oid)) pairs.set(oid, hit?.id ?? null);
    });
    if (pairs.size > 0) return { pairs, unknown };
  }
  for (const seg of keyedSegments(text, objects)) {
    if (seg.id == null) {
      note(seg.label);
      continue;
    }
    if (pairs.has(seg.id)) continue;
    const refs = parseMarkRefs(seg.rest, candidates);
    for (const u of refs.unknown) note(u);
    if (refs.ids.length > 0) pairs.set(seg.id, refs.ids[0]);
    else if (GONE.test(seg.rest) || seg.rest === "") pairs.set(seg.id, null);
  }
  return { pairs, unknown };
}

const OBJECT_KEY = /^(?:object|object_id|source|frame1|first|from|id)$/i;
const MARK_KEY = /^(?:mark|match|candidate|target|frame2|second|to|mark_id)$/i;

function visitJson(v: unknown, emit: (objLabel: unknown, value: unknown) => void): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (item && typeof item === "object" && !Array.isArray(item)) {
        const e = Object.entries(item);
        const o = e.find(([k]) => OBJECT_KEY.test(k));
        const m = e.find(([k]) => MARK_KEY.test(k));
        if (o && m) {
          emit(o[1], m[1]);
          continue;
        }
      }
      visitJson(item, emit);
    }
    return;
  }
  if (!v || typeof v !== "object") return;
  const entries = Object.entries(v);
  if (entries.length > 0 && entries.every(([k]) => /^\d{1,4}$|^[a-z]{1,2}$/i.test(k))) {
    for (const [k, x] of entries) emit(k, x);
    return;
  }
  for (const [, x] of entries) visitJson(x, emit);
}
