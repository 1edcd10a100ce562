import { readFile } from "node:fs/promises";
import { UserError } from "../../errors.js";
import { ADE20K } from "./ade20k.js";
import { COCO_PANOPTIC } from "./coco-panoptic.js";
import type { Vocabulary, VocabularyEntry } from "./types.js";

/**
 * "coco", "ade20k", or a file: JSON (an array of names, of {id, name}, or a COCO file with `categories`)
 * or plain text with one name per line.
 */
export async function loadVocabulary(spec: string): Promise<Vocabulary> {
  const key = spec.toLowerCase();
  if (key === "coco" || key === "coco-panoptic") return COCO_PANOPTIC;
  if (key === "ade20k" || key === "ade" || key === "ade20k-150") return ADE20K;
  let text: string;
  try {
    text = await readFile(spec, "utf8");
  } catch {
    throw new UserError(`--vocab ${spec}: not "coco", "ade20k" or a readable file`);
  }
  const entries = parseVocabFile(text, spec);
  if (entries.length === 0) throw new UserError(`--vocab ${spec}: no category names found`);
  return { name: spec, entries };
}

function parseVocabFile(text: string, file: string): VocabularyEntry[] {
  const t = text.trim();
  if (t.startsWith("[") || t.startsWith("{")) {
    let data: unknown;
    try {
      data = JSON.parse(t);
    } catch {
      throw new UserError(`--vocab ${file}: invalid JSON`);
    }
    const list = Array.isArray(data) ? data : (data as { categories?: unknown[] }).categories;
    if (!Array.isArray(list))
      throw new UserError(`--vocab ${file}: expected an array of names or a "categories" list`);
    return list.map((item, i) => {
      if (typeof item === "string") return entry(i + 1, item);
      const o = item as { id?: unknown; name?: unknown; isthing?: unknown };
      if (typeof o?.name !== "string") throw new UserError(`--vocab ${file}: entry ${i + 1} has no "name"`);
      const e = entry(typeof o.id === "number" ? o.id : i + 1, o.name);
      return { ...e, isthing: o.isthing === undefined ? true : Boolean(o.isthing) };
    });
  }
  return t
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((name, i) => entry(i + 1, name));
}

function entry(id: number, name: string): VocabularyEntry {
  return { id, name: name.trim(), official: name.trim(), isthing: true };
}
