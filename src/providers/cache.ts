import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { cacheKey, requestKey } from "./cache-key.js";
import type { CompleteResult, Provider } from "./types.js";

/** $SOM_CACHE_DIR, else $XDG_CACHE_HOME/som/responses, else ~/.cache/som/responses. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.SOM_CACHE_DIR) return env.SOM_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "som", "responses");
}

interface CacheEntry {
  version: 1;
  key: string;
  request: string;
  provider: string;
  model: string;
  text: string;
  object?: unknown;
  usage: CompleteResult["usage"];
  finishReason?: string;
  createdAt: string;
}

/**
 * Wrap a provider so answers are stored on disk by content hash and reused. Only successful answers are
 * stored; the entry holds the answer and names, never a key or header.
 */
export function withCache(provider: Provider, dir: string): Provider {
  return {
    ...provider,
    async complete(req) {
      const reqKey = requestKey(req);
      const key = cacheKey(provider, reqKey);
      const file = join(dir, key.slice(0, 2), `${key}.json`);
      const hit = await readEntry(file, key);
      if (hit) {
        return {
          text: hit.text,
          object: hit.object,
          usage: hit.usage,
          finishReason: hit.finishReason,
          cached: true,
        };
      }
      const result = await provider.complete(req);
      const entry: CacheEntry = {
        version: 1,
        key,
        request: reqKey,
        provider: provider.name,
        model: provider.model,
        text: result.text,
        object: result.object,
        usage: result.usage,
        finishReason: result.finishReason,
        createdAt: new Date().toISOString(),
      };
      await writeEntry(file, entry);
      return result;
    },
  };
}

async function readEntry(file: string, key: string): Promise<CacheEntry | undefined> {
  try {
    const entry = JSON.parse(await readFile(file, "utf8")) as CacheEntry;
    return entry.version === 1 && entry.key === key && typeof entry.text === "string" ? entry : undefined;
  } catch {
    return undefined; // missing or damaged entries are a miss
  }
}

async function writeEntry(file: string, entry: CacheEntry): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(entry)}\n`);
    await rename(tmp, file);
  } catch {
    // A cache that cannot be written (read-only home…) must not fail the request.
  }
}
