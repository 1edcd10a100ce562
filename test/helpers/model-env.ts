/**
 * Per-file set-up for CLI tests that talk to a model: a temp folder, OPENAI_API_KEY and SOM_CACHE_DIR set
 * for the file (restored after), and a fake OpenAI-protocol server per test that records what it was sent.
 * Registers its own vitest hooks; call it at the top level of a test file.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { FakeServer, ModelInput } from "./fake-http-server.js";
import { startFakeOpenAI } from "./fake-openai-server.js";

export interface ModelEnv {
  /** The file's temp folder (set before the file's own beforeAll hooks run). */
  readonly dir: string;
  /** What the current test's fake server was sent, in order. */
  readonly seen: ModelInput[];
  /** The current test's fake server, if started. */
  readonly server: (FakeServer & { baseURL: string }) | undefined;
  /** Start this test's fake server; `answer` gets each input and its 1-based count. Closed after the test. */
  fake(answer: (input: ModelInput, n: number) => string): Promise<FakeServer & { baseURL: string }>;
}

/**
 * `checksKey`: the fake servers answer 401 unless sent `apiKey` (openai-compatible servers such as
 * Ollama take no key, so tests of those leave it off).
 */
export function useModelEnv(prefix: string, apiKey: string, o: { checksKey?: boolean } = {}): ModelEnv {
  let dir = "";
  let server: (FakeServer & { baseURL: string }) | undefined;
  const seen: ModelInput[] = [];
  const saved = { ...process.env };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    process.env.OPENAI_API_KEY = apiKey;
    process.env.SOM_CACHE_DIR = join(dir, "cache");
  });
  afterAll(async () => {
    process.env = saved;
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    seen.length = 0;
  });
  return {
    get dir() {
      return dir;
    },
    seen,
    get server() {
      return server;
    },
    async fake(answer) {
      server = await startFakeOpenAI({
        apiKey: o.checksKey ? apiKey : undefined,
        model: (input) => {
          seen.push(input);
          return answer(input, seen.length);
        },
      });
      return server;
    },
  };
}
