/**
 * `som-model.json`, written beside config.json by `som models download`: which hub repository and commit
 * the folder's files came from, which dtype, and each file's size and sha256, so a folder says where it
 * came from even when copied to another machine and added there with `som models add`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const STAMP_FILE = "som-model.json";

export interface ModelStamp {
  version: 1;
  /** Hub repository, e.g. "onnx-community/sam2.1-hiera-tiny-ONNX". */
  repo: string;
  /** The commit every file was fetched at (40 hex). */
  revision: string;
  /** What was asked for: the pinned commit, or the branch / tag that resolved to `revision`. */
  requested: string;
  /** Whether `revision` came from som's registry of known models (false: a branch, or --revision). */
  pinned: boolean;
  dtype: string;
  downloadedAt: string;
  files: { path: string; size: number; sha256: string }[];
}

export function writeStamp(dir: string, stamp: ModelStamp): void {
  writeFileSync(join(dir, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
}

/** The folder's stamp, or undefined where it has none (or one som cannot read: it is only informative). */
export function readStamp(dir: string): ModelStamp | undefined {
  const file = join(dir, STAMP_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, "utf8")) as Partial<ModelStamp>;
    return typeof s.repo === "string" && typeof s.revision === "string" ? (s as ModelStamp) : undefined;
  } catch {
    return undefined;
  }
}
