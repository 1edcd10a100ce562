import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createProvider } from "../../src/providers/create.js";
import type { FakeServer } from "../helpers/fake-http-server.js";
import { startFakeOpenAI } from "../helpers/fake-openai-server.js";
import { photoPng } from "./fixtures.js";

const KEY = "sk-cache-test-secret-999";
let png: Uint8Array;
let dir: string;
let server: (FakeServer & { baseURL: string }) | undefined;
let calls = 0;

beforeAll(async () => {
  png = await photoPng();
  dir = await mkdtemp(join(tmpdir(), "som-cache-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function listFiles(d: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out;
}

describe("disk cache", () => {
  it("answers a repeated request from disk, misses on another model or image, and never stores the key", async () => {
    server = await startFakeOpenAI({ apiKey: KEY, model: () => `answer ${++calls}` });
    const cacheDir = join(dir, "cache");
    const make = (model = "gpt-4o", cache = true) =>
      createProvider({
        provider: "openai",
        model,
        baseURL: server!.baseURL,
        env: { OPENAI_API_KEY: KEY },
        cacheDir,
        cache,
      });
    const req = { system: "s", prompt: "Which mark?", image: png };
    const a = await (await make()).complete(req);
    const b = await (await make()).complete(req);
    expect(a.text).toBe(b.text);
    expect(a.cached).toBeFalsy();
    expect(b.cached).toBe(true);
    expect(b.usage).toEqual(a.usage);
    expect(server.requests).toHaveLength(1);
    await (await make("gpt-4o-mini")).complete(req);
    const other = png.slice();
    other[other.length - 20] ^= 1; // one byte of the image differs
    await (await make()).complete({ ...req, image: other });
    expect(server.requests).toHaveLength(3);
    await (await make("gpt-4o", false)).complete(req); // --no-cache
    expect(server.requests).toHaveLength(4);
    const files = await listFiles(cacheDir);
    expect(files).toHaveLength(3);
    for (const f of files) expect(await readFile(f, "utf8")).not.toContain(KEY);
    // Recording wraps the cache: a cached answer is recorded too.
    const rec = join(dir, "from-cache.jsonl");
    const recording = await createProvider({
      provider: "openai",
      baseURL: server.baseURL,
      env: { OPENAI_API_KEY: KEY },
      cacheDir,
      recordFile: rec,
    });
    expect((await recording.complete(req)).cached).toBe(true);
    expect((await readFile(rec, "utf8")).trim().split("\n")).toHaveLength(1);
    expect(server.requests).toHaveLength(4);
  });
});

describe("record and replay", () => {
  it("replays recorded answers offline by request, and names a miss", async () => {
    server = await startFakeOpenAI({ apiKey: KEY, model: (i) => `recorded for ${i.prompt}` });
    const file = join(dir, "answers.jsonl");
    const live = await createProvider({
      provider: "openai",
      baseURL: server.baseURL,
      env: { OPENAI_API_KEY: KEY },
      cache: false,
      recordFile: file,
    });
    await live.complete({ system: "s", prompt: "first", image: png });
    await live.complete({ system: "s", prompt: "second", image: png });
    await server.close();
    server = undefined;
    const text = await readFile(file, "utf8");
    expect(text.trim().split("\n")).toHaveLength(2);
    expect(text).not.toContain(KEY);

    const replay = await createProvider({ provider: "replay", replayFile: file, env: {} });
    expect(replay.name).toBe("replay");
    expect(replay.model).toBe("gpt-4o");
    expect(replay.imageLimits).toEqual(live.imageLimits);
    const r = await replay.complete({ system: "s", prompt: "second", image: png });
    expect(r.text).toBe("recorded for second");
    expect(r.cached).toBe(true);
    await expect(replay.complete({ system: "s", prompt: "third", image: png })).rejects.toThrow(
      /replay: no recorded answer in .*answers\.jsonl for this request \(prompt "third"\)/,
    );
    await expect(createProvider({ provider: "replay", env: {} })).rejects.toThrow(/--replay FILE/);
    await expect(createProvider({ provider: "replay", replayFile: join(dir, "nope.jsonl") })).rejects.toThrow(
      /no such file/,
    );
  });
});
