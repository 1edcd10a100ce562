/** The segments_info of one image from a COCO panoptic JSON (panoptic_*.json). */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { maskFileError } from "./errors.js";

export interface PanopticSegment {
  id: number;
  category_id?: number;
  iscrowd?: number;
  bbox?: number[];
  area?: number;
  [key: string]: unknown;
}

/**
 * Read `jsonFile` and return the segments_info of the annotation whose file_name is the panoptic PNG's
 * name, or else whose stem is the image's stem.
 */
export async function loadSegmentsInfo(
  jsonFile: string,
  pngFile: string,
  imageFile?: string,
): Promise<PanopticSegment[]> {
  const json = await readJsonFile(jsonFile);
  const anns = (json as { annotations?: unknown }).annotations;
  if (!Array.isArray(anns)) throw maskFileError(jsonFile, "not a COCO panoptic JSON (no annotations list)");
  const pngName = path.basename(pngFile);
  const stem = imageFile ? path.parse(imageFile).name : undefined;
  const ann =
    anns.find((a) => a?.file_name === pngName) ??
    (stem !== undefined
      ? anns.find((a) => typeof a?.file_name === "string" && path.parse(a.file_name).name === stem)
      : undefined);
  if (!ann) {
    throw maskFileError(
      jsonFile,
      `no annotation with file_name ${pngName}${stem !== undefined && `${stem}.png` !== pngName ? ` or ${stem}.png` : ""} among its ${anns.length}`,
    );
  }
  if (!Array.isArray(ann.segments_info))
    throw maskFileError(jsonFile, `annotation ${ann.file_name} has no segments_info`);
  for (const s of ann.segments_info) {
    if (typeof s?.id !== "number")
      throw maskFileError(jsonFile, `a segment of ${ann.file_name} has no numeric id`);
  }
  return ann.segments_info as PanopticSegment[];
}

/** Read and parse a JSON file, turning every failure into a one-line error naming the file. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw maskFileError(file, describeReadError(err));
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw maskFileError(file, `invalid JSON (${(err as Error).message})`);
  }
}

export function describeReadError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return `cannot read (${(err as Error).message})`;
}
