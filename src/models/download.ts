/**
 * Download a known model folder from the Hugging Face hub (or $HF_ENDPOINT), verifying every file against
 * the hub's checksums, into $XDG_DATA_HOME/som/models/NAME, then register it. Everything is fetched at one
 * commit (the pinned one, or the one a branch resolves to first), recorded in the folder's som-model.json
 * and in the registry. Files land in a ".partial" folder first, so an interrupted download never leaves a
 * folder that looks complete.
 */
import { createHash } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { UserError } from "../errors.js";
import { DTYPE_SUFFIXES, isSamDtype } from "../proposers/sam/model-folder.js";
import { findKnownModel, isCommit, KNOWN_MODELS } from "./known-models.js";
import { writeStamp } from "./model-stamp.js";
import { modelsDataDir } from "./paths.js";
import { addModel, type ModelEntry } from "./registry.js";

interface TreeEntry {
  type: string;
  path: string;
  size: number;
  /** git blob sha1 */
  oid: string;
  lfs?: { oid: string; size: number };
}

export interface DownloadProgress {
  file: string;
  received: number;
  total: number;
}

export interface DownloadOptions {
  dtype?: string;
  /** A commit, branch or tag to fetch instead of the registry's pinned commit. */
  revision?: string;
  /** Parent folder (default: the XDG data folder). */
  dir?: string;
  endpoint?: string;
  onProgress?: (p: DownloadProgress) => void;
}

function endpointOf(options: DownloadOptions): string {
  return (options.endpoint ?? process.env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/+$/, "");
}

function networkError(name: string, endpoint: string, err: unknown): UserError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return new UserError(
    `cannot download "${name}": ${endpoint} is unreachable (${why}). som itself needs no network: fetch the model ` +
      `folder on another machine and run \`som models add ${name} DIR\``,
    "network",
  );
}

async function fetchOk(url: string, name: string, endpoint: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: "follow" });
  } catch (err) {
    throw networkError(name, endpoint, err);
  }
  if (!res.ok)
    throw new UserError(`cannot download "${name}": ${url} answered HTTP ${res.status}`, "network");
  return res;
}

/** Which files of the repo make the folder for `dtype`. */
export function selectFiles(tree: TreeEntry[], dtype: string, name: string): TreeEntry[] {
  if (!isSamDtype(dtype)) throw new UserError(`unknown dtype "${dtype}"`);
  const suffix = DTYPE_SUFFIXES[dtype];
  const files = tree.filter((e) => e.type === "file");
  const pick: TreeEntry[] = [];
  for (const need of ["config.json", "preprocessor_config.json"]) {
    const f = files.find((e) => e.path === need);
    if (!f) throw new UserError(`the hub repo of "${name}" has no ${need}`, "network");
    pick.push(f);
  }
  for (const base of ["vision_encoder", "prompt_encoder_mask_decoder"]) {
    const main = `onnx/${base}${suffix}.onnx`;
    if (!files.some((e) => e.path === main)) {
      const have = Object.entries(DTYPE_SUFFIXES)
        .filter(([, s]) => files.some((e) => e.path === `onnx/vision_encoder${s}.onnx`))
        .map(([d]) => d);
      throw new UserError(
        `"${name}" has no ${dtype} files (${main}); available dtypes: ${have.join(", ") || "none"}`,
      );
    }
    // The model file and its external-data files (onnx/NAME.onnx_data, onnx/NAME.onnx_data_1, …).
    pick.push(...files.filter((e) => e.path === main || e.path.startsWith(`${main}_data`)));
  }
  return pick;
}

function gitBlobSha1(): { update(b: Uint8Array): void; digest(): string; start(size: number): void } {
  const h = createHash("sha1");
  return {
    start: (size: number) => h.update(`blob ${size}\0`),
    update: (b: Uint8Array) => h.update(b),
    digest: () => h.digest("hex"),
  };
}

async function downloadFile(
  url: string,
  entry: TreeEntry,
  dest: string,
  name: string,
  endpoint: string,
  onProgress?: (p: DownloadProgress) => void,
): Promise<string> {
  const res = await fetchOk(url, name, endpoint);
  const total = entry.lfs?.size ?? entry.size;
  const sha256 = createHash("sha256");
  const sha1 = gitBlobSha1();
  sha1.start(total);
  mkdirSync(dirname(dest), { recursive: true });
  const out = createWriteStream(dest);
  let received = 0;
  try {
    if (!res.body) throw new Error("empty response");
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      sha256.update(chunk);
      sha1.update(chunk);
      received += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
      onProgress?.({ file: entry.path, received, total });
    }
  } catch (err) {
    out.destroy();
    throw networkError(name, endpoint, err);
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  const digest = sha256.digest("hex");
  const ok = entry.lfs ? digest === entry.lfs.oid : sha1.digest() === entry.oid;
  if (received !== total || !ok) {
    throw new UserError(
      `checksum mismatch for ${entry.path} of "${name}" (got ${received} of ${total} bytes); nothing was installed`,
      "checksum",
    );
  }
  return digest;
}

/** The commit `revision` names: itself when it is one, else what the hub's revision API says it is now. */
async function resolveCommit(
  repo: string,
  revision: string,
  name: string,
  endpoint: string,
): Promise<string> {
  if (isCommit(revision)) return revision;
  const url = `${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`;
  const info = (await (await fetchOk(url, name, endpoint)).json()) as { sha?: unknown };
  if (typeof info.sha !== "string" || !isCommit(info.sha)) {
    throw new UserError(`cannot download "${name}": ${url} named no commit for "${revision}"`, "network");
  }
  return info.sha;
}

export async function downloadModel(name: string, options: DownloadOptions = {}): Promise<ModelEntry> {
  const known = findKnownModel(name);
  if (!known) {
    throw new UserError(
      `unknown model "${name}"; downloadable: ${KNOWN_MODELS.map((m) => m.name).join(", ")}`,
    );
  }
  const endpoint = endpointOf(options);
  const dtype = options.dtype ?? "fp32";
  const requested = options.revision ?? known.revision;
  const commit = await resolveCommit(known.repo, requested, name, endpoint);
  const treeUrl = `${endpoint}/api/models/${known.repo}/tree/${commit}?recursive=true`;
  const tree = (await (await fetchOk(treeUrl, name, endpoint)).json()) as TreeEntry[];
  const files = selectFiles(tree, dtype, name);
  const parent = options.dir ?? modelsDataDir();
  const final = join(parent, name);
  const partial = `${final}.partial`;
  rmSync(partial, { recursive: true, force: true });
  try {
    const fetched: { path: string; size: number; sha256: string }[] = [];
    for (const entry of files) {
      const url = `${endpoint}/${known.repo}/resolve/${commit}/${entry.path}`;
      const sha256 = await downloadFile(
        url,
        entry,
        join(partial, entry.path),
        name,
        endpoint,
        options.onProgress,
      );
      fetched.push({ path: entry.path, size: entry.lfs?.size ?? entry.size, sha256 });
    }
    writeStamp(partial, {
      version: 1,
      repo: known.repo,
      revision: commit,
      requested,
      pinned: requested === known.revision && isCommit(known.revision),
      dtype,
      downloadedAt: new Date().toISOString(),
      files: fetched,
    });
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    throw err;
  }
  if (existsSync(final)) rmSync(final, { recursive: true, force: true });
  renameSync(partial, final);
  return addModel(name, final, { source: known.repo, revision: commit });
}
