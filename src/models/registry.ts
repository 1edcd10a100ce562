/**
 * The local model registry: names → model folders, in $XDG_CONFIG_HOME/som/models.json. Folders are
 * checked when added, so a name always points at something that looked like a model then.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UserError } from "../errors.js";
import { inspectSamFolder } from "../proposers/sam/model-folder.js";
import { readStamp } from "./model-stamp.js";
import { registryFile } from "./paths.js";

export interface ModelEntry {
  name: string;
  path: string;
  /** config.json model_type at the time it was added. */
  modelType: string;
  dtypes: string[];
  addedAt: string;
  /** Hub repository, for models fetched by `som models download` (or added with its som-model.json). */
  source?: string;
  /** The commit the folder's files were fetched at, where known. */
  revision?: string;
}

/** Where a folder came from, as `addModel` records it. */
export interface ModelOrigin {
  source: string;
  revision: string;
}

interface RegistryFile {
  version: 1;
  models: Record<string, Omit<ModelEntry, "name">>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function load(): RegistryFile {
  const file = registryFile();
  if (!existsSync(file)) return { version: 1, models: {} };
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as RegistryFile;
    if (data.version !== 1 || typeof data.models !== "object" || data.models === null)
      throw new Error("shape");
    return data;
  } catch {
    throw new UserError(
      `the model registry ${file} is damaged (not valid JSON of version 1); fix or delete it`,
    );
  }
}

function save(data: RegistryFile): void {
  const file = registryFile();
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(tmp, file);
}

export function listModels(): ModelEntry[] {
  const data = load();
  return Object.entries(data.models)
    .map(([name, e]) => ({ name, ...e }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Register `dir` under `name`. `origin` is given by `download`; otherwise it is read from the folder's
 * som-model.json where there is one.
 */
export function addModel(name: string, dir: string, origin?: ModelOrigin): ModelEntry {
  if (!NAME.test(name)) {
    throw new UserError(`invalid model name "${name}": use letters, digits, '.', '_' or '-' (at most 64)`);
  }
  const folder = inspectSamFolder(dir);
  const stamp = origin ? undefined : readStamp(folder.dir);
  const from = origin ?? (stamp ? { source: stamp.repo, revision: stamp.revision } : undefined);
  const data = load();
  const entry = {
    path: folder.dir,
    modelType: folder.modelType,
    dtypes: folder.availableDtypes,
    addedAt: new Date().toISOString(),
    ...(from ? { source: from.source, revision: from.revision } : {}),
  };
  data.models[name] = entry;
  save(data);
  return { name, ...entry };
}

export function removeModel(name: string): boolean {
  const data = load();
  if (!Object.hasOwn(data.models, name)) return false;
  delete data.models[name];
  save(data);
  return true;
}

/** A folder path as given, or a registered name → its folder. */
export function resolveModelPath(nameOrDir: string): string {
  const asPath = resolve(nameOrDir);
  if (existsSync(asPath) && statSync(asPath).isDirectory()) return asPath;
  const data = load();
  const entry = Object.hasOwn(data.models, nameOrDir) ? data.models[nameOrDir] : undefined;
  if (entry) return entry.path;
  const names = Object.keys(data.models);
  throw new UserError(
    `model "${nameOrDir}" is neither a folder nor a registered name` +
      (names.length > 0
        ? ` (registered: ${names.join(", ")})`
        : " (no models registered: see `som models add`)"),
    "bad_model",
  );
}
