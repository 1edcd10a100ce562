/**
 * What a batch runs over: folders (recursive), globs, list files (one path or URL a line), single images,
 * URLs, and the data set specs of `som eval` (`coco-panoptic:DIR`, `refer:DIR`, `flickr30k:DIR`,
 * `davis:DIR`, …). For `track` an item is a later frame with its first frame and the first frame's object
 * masks: from `davis:DIR`, or a list file of `FRAME1 FRAME2 MASKS` lines.
 */
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import { UserError } from "../errors.js";
import { isUrl } from "./read-input.js";
import type { BatchItem } from "./types.js";

export const IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif", "tif", "tiff", "avif"];
const IMAGE_GLOB = `**/*.{${IMAGE_EXTENSIONS.join(",")}}`;
const DATASET_KINDS = [
  "coco-panoptic",
  "ade20k-panoptic",
  "panoptic",
  "ade20k",
  "refer",
  "refcocos",
  "flickr30k",
  "davis",
];

function isImagePath(p: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(p).slice(1).toLowerCase());
}

function stemOf(p: string): string {
  return p.slice(0, p.length - extname(p).length);
}

/** A name fit for a file: path separators kept, anything odd replaced. */
function safeName(n: string): string {
  return n
    .split(/[\\/]+/)
    .filter((s) => s && s !== "." && s !== "..")
    .map((s) => s.replace(/[^\w.@+=-]+/g, "_"))
    .join("/");
}

async function fromDir(dir: string): Promise<BatchItem[]> {
  const files = await glob(IMAGE_GLOB, { cwd: dir, caseSensitiveMatch: false, followSymbolicLinks: true });
  return files.sort().map((f) => ({ input: join(dir, f), name: safeName(stemOf(f)) }));
}

async function fromGlob(pattern: string): Promise<BatchItem[]> {
  const files = (await glob(pattern, { caseSensitiveMatch: false, absolute: false })).filter(isImagePath);
  const base = staticBase(pattern);
  return files.sort().map((f) => ({ input: f, name: safeName(stemOf(relative(base, f))) }));
}

/** The folder part of a glob before its first wildcard. */
function staticBase(pattern: string): string {
  const parts = pattern.split("/");
  const i = parts.findIndex((p) => isDynamicPattern(p));
  return parts.slice(0, i < 0 ? parts.length - 1 : i).join("/") || ".";
}

async function fromList(file: string, track: boolean): Promise<BatchItem[]> {
  const dir = dirname(file);
  const lines = (await readFile(file, "utf8")).split(/\r?\n/);
  const out: BatchItem[] = [];
  const at = (p: string) => (isUrl(p) || isAbsolute(p) ? p : join(dir, p));
  for (const [n, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    if (track) {
      // Paths may hold spaces only when the three fields are tab-separated.
      const fields = line.includes("\t") ? line.split("\t").map((f) => f.trim()) : line.split(/\s+/);
      if (fields.length !== 3)
        throw new UserError(
          `${file}:${n + 1}: a track line is FRAME1 FRAME2 MASKS, got ${fields.length} field(s)`,
        );
      const [frame1, frame2, masks] = fields.map(at) as [string, string, string];
      const rel = relative(dir, frame2);
      out.push({
        input: frame2,
        name: safeName(stemOf(isUrl(frame2) || rel.startsWith("..") ? basename(frame2) : rel)),
        args: { frame1, masks },
        also: [frame1, masks],
      });
      continue;
    }
    if (isUrl(line)) {
      const u = new URL(line);
      out.push({ input: line, name: safeName(stemOf(basename(u.pathname)) || u.hostname) });
      continue;
    }
    const p = isAbsolute(line) ? line : join(dir, line);
    const rel = relative(dir, p);
    out.push({ input: p, name: safeName(stemOf(rel.startsWith("..") ? basename(p) : rel)) });
  }
  return out;
}

async function fromDataset(spec: string): Promise<BatchItem[]> {
  const kind = spec.slice(0, spec.indexOf(":"));
  if (kind === "davis") {
    const { loadDavisDataset } = await import("../eval/track-data.js");
    const samples = await loadDavisDataset(spec);
    return samples.map((s) => ({
      input: s.image,
      name: safeName(`${s.seq}/${s.frame}`),
      args: { frame1: s.firstImage, masks: s.firstAnnotation },
      also: [s.firstImage, s.firstAnnotation],
    }));
  }
  if (kind === "refer" || kind === "refcocos") {
    const { loadReferDataset } = await import("../eval/refer-data.js");
    const samples = await loadReferDataset(spec);
    return samples.map((s) => ({
      input: s.imageFile,
      name: safeName(`${stemOf(basename(s.imageFile))}.${s.id}`),
      args: { expression: s.expression },
    }));
  }
  if (kind === "flickr30k") {
    const { loadGroundDataset } = await import("../eval/ground-data.js");
    const { samples } = await loadGroundDataset(spec);
    return samples.map((s) => ({
      input: s.imageFile,
      name: safeName(`${stemOf(basename(s.imageFile))}.${s.sentenceId}`),
      args: { sentence: s.sentence, phrases: s.phrases.map((p) => p.text) },
    }));
  }
  const { loadClassifyDataset } = await import("../eval/classify-data.js");
  const { samples } = await loadClassifyDataset(spec);
  return samples.map((s) => ({ input: s.imageFile, name: safeName(stemOf(basename(s.imageFile))) }));
}

/** Expand every input spec into items, in a stable order; output names must not collide. */
export async function expandInputs(
  specs: readonly string[],
  o: { forMark?: boolean; task?: string } = {},
): Promise<BatchItem[]> {
  const track = o.task === "track";
  const items: BatchItem[] = [];
  for (const spec of specs) {
    const colon = spec.indexOf(":");
    if (colon > 1 && DATASET_KINDS.includes(spec.slice(0, colon))) {
      let got = await fromDataset(spec);
      if (spec.startsWith("davis:")) {
        // Frames of a video: without track, each frame is a plain image named <seq>/<frame>.
        items.push(...(track ? got : got.map((i) => ({ input: i.input, name: i.name }))));
        continue;
      }
      // Marking needs each image once, whatever the number of expressions / sentences it has.
      if (o.forMark) {
        const seen = new Set<string>();
        got = got
          .filter((i) => !seen.has(i.input) && seen.add(i.input))
          .map((i) => ({ input: i.input, name: safeName(stemOf(basename(i.input))) }));
      }
      items.push(...got);
      continue;
    }
    if (isUrl(spec)) {
      const u = new URL(spec);
      items.push({ input: spec, name: safeName(stemOf(basename(u.pathname)) || u.hostname) });
      continue;
    }
    const info = await stat(spec).catch(() => undefined);
    if (info?.isDirectory()) items.push(...(await fromDir(spec)));
    else if (info?.isFile()) {
      if (isImagePath(spec)) items.push({ input: spec, name: safeName(stemOf(basename(spec))) });
      else items.push(...(await fromList(spec, track)));
    } else if (isDynamicPattern(spec)) items.push(...(await fromGlob(spec)));
    else if (isImagePath(spec)) {
      // A missing image is one failed item (recorded in the ledger), not the end of the batch.
      items.push({ input: spec, name: safeName(stemOf(basename(spec))) });
    } else throw new UserError(`${spec}: no such file, folder, glob match or data set`);
  }
  if (track) {
    const loose = items.find((it) => it.args?.frame1 === undefined);
    if (loose)
      throw new UserError(
        `${loose.input}: track needs a first frame and its objects per item: give davis:DIR or a list file of "FRAME1 FRAME2 MASKS" lines`,
      );
  }
  const byName = new Map<string, string>();
  for (const it of items) {
    const other = byName.get(it.name);
    if (other !== undefined && resolve(other) !== resolve(it.input)) {
      throw new UserError(
        `${it.input} and ${other} would both write ${it.name}.*: batch them into different --out folders`,
      );
    }
    byName.set(it.name, it.input);
  }
  // The same input named twice is one item.
  const seen = new Set<string>();
  return items.filter((it) => !seen.has(it.name) && seen.add(it.name));
}
