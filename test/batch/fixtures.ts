import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { expect } from "vitest";
import type { LedgerRecord } from "../../src/batch/types.js";
import { dataset } from "../helpers/datasets.js";

/** The first `n` COCO val photos (file-name order). */
export async function cocoPhotos(n: number): Promise<string[]> {
  const dir = dataset("coco-panoptic-val2017", "images");
  return (await readdir(dir))
    .filter((f) => f.endsWith(".jpg"))
    .sort()
    .slice(0, n)
    .map((f) => join(dir, f));
}

/** `n` real COCO photos shrunk to `width` px (fast items), written to `dir` as <stem>.jpg. */
export async function smallPhotos(dir: string, n: number, width = 128): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const src = await cocoPhotos(n);
  const out: string[] = [];
  for (const f of src) {
    const p = join(dir, f.slice(f.lastIndexOf("/") + 1));
    await writeFile(p, await sharp(f).resize({ width }).jpeg({ quality: 80 }).toBuffer());
    out.push(p);
  }
  return out;
}

export async function readLedgerFile(out: string): Promise<LedgerRecord[]> {
  const text = await readFile(join(out, "batch.jsonl"), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LedgerRecord);
}

/** Every output named in a done record exists and is whole: the PNG decodes, the JSON parses. */
export async function expectWholeOutputs(out: string, recs: readonly LedgerRecord[]): Promise<void> {
  for (const r of recs.filter((x) => x.status === "done")) {
    expect(r.outputs?.length).toBeGreaterThan(0);
    for (const f of r.outputs ?? []) {
      const bytes = await readFile(join(out, f));
      if (f.endsWith(".png")) {
        const meta = await sharp(bytes).metadata();
        expect(meta.width).toBeGreaterThan(0);
        await sharp(bytes).raw().toBuffer(); // decodes to the end: not truncated
      } else if (f.endsWith(".json")) JSON.parse(bytes.toString("utf8"));
    }
  }
}
