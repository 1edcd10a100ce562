import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createProvider } from "../../src/providers/create.js";
import { retryAfterMs } from "../../src/providers/errors.js";
import type { FakeServer } from "../helpers/fake-http-server.js";
import { openaiError, startFakeOpenAI } from "../helpers/fake-openai-server.js";
import { failure, photoPng } from "./fixtures.js";

const KEY = "sk-test-0123456789abcdef";
let png: Uint8Array;
let server: (FakeServer & { baseURL: string }) | undefined;

beforeAll(async () => {
  png = await photoPng();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function openai(extra: Record<string, unknown> = {}) {
  return createProvider({
    provider: "openai",
    model: "gpt-4o",
    baseURL: server!.baseURL,
    env: { OPENAI_API_KEY: KEY },
    cache: false,
    retryBaseDelayMs: 20,
    ...extra,
  });
}

describe("openai provider over chat completions", () => {
  it("sends the PNG as a data URL, the prompt, system and model, and returns text and usage", async () => {
    server = await startFakeOpenAI({
      apiKey: KEY,
      models: ["gpt-4o"],
      model: (input) => `I see ${input.image.length} bytes; the answer is [2].`,
    });
    const p = await openai();
    const r = await p.complete({
      system: "Cite marks in brackets.",
      prompt: "Which mark is the TV?",
      image: png,
    });
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0];
    expect(req.path).toBe("/v1/chat/completions");
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.body.model).toBe("gpt-4o");
    expect(req.body.messages[0]).toEqual({ role: "system", content: "Cite marks in brackets." });
    const parts = req.body.messages[1].content;
    expect(parts.find((x: { type: string }) => x.type === "text").text).toBe("Which mark is the TV?");
    const url: string = parts.find((x: { type: string }) => x.type === "image_url").image_url.url;
    expect(url.startsWith("data:image/png;base64,")).toBe(true);
    expect(Buffer.from(url.slice(22), "base64").equals(Buffer.from(png))).toBe(true);
    expect(req.body.response_format).toBeUndefined();
    expect(r.text).toBe(`I see ${png.length} bytes; the answer is [2].`);
    expect(r.usage.inputTokens).toBeGreaterThan(765);
    expect(r.usage.totalTokens).toBe((r.usage.inputTokens ?? 0) + (r.usage.outputTokens ?? 0));
  });

  it("asks for JSON-schema structured output and returns the parsed object", async () => {
    server = await startFakeOpenAI({ apiKey: KEY, model: () => JSON.stringify({ marks: [3, 5] }) });
    const p = await openai();
    const schema = z.object({ marks: z.array(z.number().int()) });
    const r = await p.complete({ system: "s", prompt: "p", image: png, schema });
    const rf = server.requests[0].body.response_format;
    expect(rf.type).toBe("json_schema");
    expect(rf.json_schema.strict).toBe(true);
    expect(rf.json_schema.schema.properties.marks.type).toBe("array");
    expect(r.object).toEqual({ marks: [3, 5] });
  });

  it("falls back to the text when the answer does not match the schema", async () => {
    server = await startFakeOpenAI({ apiKey: KEY, model: () => "Mark 4 is the vase." });
    const p = await openai();
    const r = await p.complete({
      system: "s",
      prompt: "p",
      image: png,
      schema: z.object({ marks: z.array(z.number()) }),
    });
    expect(r.object).toBeUndefined();
    expect(r.text).toBe("Mark 4 is the vase.");
  });

  it("reports a wrong key as one line naming the variable, without echoing the key", async () => {
    server = await startFakeOpenAI({ apiKey: "sk-the-right-one", model: () => "x" });
    const err = await failure((await openai()).complete({ system: "s", prompt: "p", image: png }));
    expect(err.reason).toBe("auth");
    expect(err.message).toMatch(
      /authentication failed \(HTTP 401\).*Incorrect API key.*check OPENAI_API_KEY/,
    );
    expect(err.message).not.toContain(KEY);
    expect(err.message).not.toContain("\n");
    expect(server.requests).toHaveLength(1); // never retried
  });

  it("reports an unknown model (404 model_not_found)", async () => {
    server = await startFakeOpenAI({ apiKey: KEY, models: ["gpt-4o"], model: () => "x" });
    const err = await failure(
      (await openai({ model: "gpt-9-vision" })).complete({ system: "s", prompt: "p", image: png }),
    );
    expect(err.reason).toBe("model_not_found");
    expect(err.message).toMatch(/model "gpt-9-vision" not found .*does not exist/);
  });

  it("tells a wrong base URL (404 that names no model) from an unknown model", async () => {
    server = await startFakeOpenAI({ apiKey: KEY, models: ["gpt-4o"], model: () => "x" });
    // The usual mistake: the server root instead of its /v1.
    const err = await failure(
      (await openai({ baseURL: server.origin })).complete({ system: "s", prompt: "p", image: png }),
    );
    expect(err.reason).toBe("endpoint_not_found");
    expect(err.message).toBe(
      `openai (gpt-4o): ${server.origin}/chat/completions not found (HTTP 404): Invalid URL (POST /chat/completions); check --base-url (now ${server.origin})`,
    );
    const bad = await failure(
      (await openai({ baseURL: "http://127.0.0.1:1/v1" })).complete({ system: "s", prompt: "p", image: png }),
    );
    expect(bad.reason).toBe("connection");
    expect(bad.message).toMatch(
      /^openai \(gpt-4o\): cannot connect to http:\/\/127\.0\.0\.1:1\/v1 \(.+\); check --base-url$/,
    );
  });

  it("sends an Azure key in api-key, never as a Bearer token, to the resource's /openai/v1", async () => {
    server = await startFakeOpenAI({ model: () => "[2]" });
    const urls: string[] = [];
    // The network between us and Azure: requests to the resource go to the local server instead.
    const fetchToLocal: typeof fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      urls.push(url);
      return fetch(url.replace("https://my-res.openai.azure.com/openai", server!.origin), init);
    };
    const p = await createProvider({
      provider: "openai",
      model: "my-gpt4o-deployment",
      baseURL: "https://my-res.openai.azure.com/openai/v1",
      env: { AZURE_OPENAI_API_KEY: KEY },
      cache: false,
      fetch: fetchToLocal,
    });
    expect((await p.complete({ system: "s", prompt: "p", image: png })).text).toBe("[2]");
    expect(urls).toEqual(["https://my-res.openai.azure.com/openai/v1/chat/completions"]);
    const h = server.requests[0].headers;
    expect(h["api-key"]).toBe(KEY);
    expect(h.authorization).toBeUndefined();
    expect(server.requests[0].body.model).toBe("my-gpt4o-deployment");
    await expect(
      createProvider({ provider: "openai", baseURL: "https://my-res.openai.azure.com/openai/v1", env: {} }),
    ).rejects.toThrow(/no API key; set AZURE_OPENAI_API_KEY or OPENAI_API_KEY/);
  });

  it("reads Retry-After as seconds or an HTTP date, and retry-after-ms", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterMs({ "retry-after": "2" }, now)).toBe(2000);
    expect(retryAfterMs({ "retry-after": "Wed, 01 Jan 2025 00:00:07 GMT" }, now)).toBe(7000);
    expect(retryAfterMs({ "retry-after-ms": "250", "retry-after": "9" }, now)).toBe(250);
    expect(retryAfterMs({ "retry-after": "soon" }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });

  it("waits for Retry-After on 429 and then succeeds", async () => {
    server = await startFakeOpenAI({ apiKey: KEY, model: () => "[1]" });
    server.queue.push({
      ...openaiError(
        429,
        "Rate limit reached for gpt-4o on tokens per min.",
        "tokens",
        "rate_limit_exceeded",
      ),
      headers: { "retry-after": "1" },
    });
    const retries: string[] = [];
    const t0 = Date.now();
    const r = await (await openai({ onRetry: (m: string) => retries.push(m) })).complete({
      system: "s",
      prompt: "p",
      image: png,
    });
    const waited = Date.now() - t0;
    expect(r.text).toBe("[1]");
    expect(server.requests).toHaveLength(2);
    // The backoff alone would be ~20 ms: the 1 s wait comes from the header.
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(retries[0]).toMatch(/rate limited \(HTTP 429\).*retry 1 in 1\.0 s/);
  });

  it("retries a 500 and succeeds; gives up after maxRetries with the attempt count", async () => {
    server = await startFakeOpenAI({ apiKey: KEY, model: () => "[7]" });
    server.queue.push(
      openaiError(500, "The server had an error while processing your request.", "server_error", null),
    );
    expect((await (await openai()).complete({ system: "s", prompt: "p", image: png })).text).toBe("[7]");
    expect(server.requests).toHaveLength(2);

    for (let i = 0; i < 3; i++)
      server.queue.push(openaiError(503, "The engine is currently overloaded.", "server_error", null));
    const err = await failure(
      (await openai({ maxRetries: 2 })).complete({ system: "s", prompt: "q", image: png }),
    );
    expect(err.reason).toBe("server_error");
    expect(err.message).toMatch(
      /server error \(HTTP 503\): The engine is currently overloaded \(after 3 attempts\)$/,
    );
    expect(server.requests).toHaveLength(5);
  });

  it("gives up at once when Retry-After is beyond the limit", async () => {
    server = await startFakeOpenAI({ apiKey: KEY, model: () => "[1]" });
    server.queue.push({
      ...openaiError(429, "Quota exceeded.", "requests", "rate_limit_exceeded"),
      headers: { "retry-after": "3600" },
    });
    const err = await failure((await openai()).complete({ system: "s", prompt: "p", image: png }));
    expect(err.message).toMatch(/rate limited.*server asks to wait 3600 s; giving up/);
    expect(server.requests).toHaveLength(1);
  });

  it("times out a slow server with a one-line error", async () => {
    server = await startFakeOpenAI({ apiKey: KEY, model: () => "[1]" });
    server.queue.push({ delayMs: 2000, body: {} });
    const t0 = Date.now();
    const err = await failure(
      (await openai({ timeoutMs: 300 })).complete({ system: "s", prompt: "p", image: png }),
    );
    expect(err.reason).toBe("timeout");
    expect(err.message).toMatch(/no answer within 0\.3 s \(timeout\)/);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it("turns a refusal into a refusal error", async () => {
    server = await startFakeOpenAI({
      apiKey: KEY,
      model: () => ({ refusal: "I'm sorry, I can't help with that." }),
    });
    const err = await failure((await openai()).complete({ system: "s", prompt: "p", image: png }));
    expect(err.reason).toBe("refusal");
    expect(err.message).toMatch(/refused to answer: "I'm sorry, I can't help with that\."/);
  });

  it("reports an empty answer", async () => {
    server = await startFakeOpenAI({ apiKey: KEY, model: () => "" });
    const err = await failure((await openai()).complete({ system: "s", prompt: "p", image: png }));
    expect(err.reason).toBe("empty_answer");
    expect(err.message).toMatch(/empty answer \(finish reason: stop\)/);
  });

  it("names a missing key, a refused connection and an unresolvable host", async () => {
    await expect(createProvider({ provider: "openai", env: {}, cache: false })).rejects.toThrow(
      /no API key; set OPENAI_API_KEY/,
    );
    server = await startFakeOpenAI({ model: () => "x" });
    const deadURL = server.baseURL;
    await server.close();
    server = undefined;
    let err = await failure(
      (
        await createProvider({
          provider: "openai",
          baseURL: deadURL,
          env: { OPENAI_API_KEY: KEY },
          cache: false,
        })
      ).complete({
        system: "s",
        prompt: "p",
        image: png,
      }),
    );
    expect(err.reason).toBe("connection");
    expect(err.message).toMatch(
      /connection refused by http:\/\/127\.0\.0\.1:\d+\/v1 \(ECONNREFUSED\).*--base-url/,
    );
    err = await failure(
      (
        await createProvider({
          provider: "openai",
          baseURL: "http://no-such-host.invalid/v1",
          env: { OPENAI_API_KEY: KEY },
          cache: false,
        })
      ).complete({ system: "s", prompt: "p", image: png }),
    );
    expect(err.message).toMatch(
      /cannot resolve the host of http:\/\/no-such-host\.invalid\/v1 \((ENOTFOUND|EAI_AGAIN)\)/,
    );
    await expect(
      createProvider({ provider: "openai", baseURL: "localhost:8080", env: { OPENAI_API_KEY: KEY } }),
    ).rejects.toThrow(/invalid --base-url/);
  });
});

describe("openai-compatible provider", () => {
  it("needs no key, sends SOM_API_KEY when set, and does not ask for structured output by default", async () => {
    server = await startFakeOpenAI({ model: (i) => `model ${i.model} saw: ${i.prompt}` });
    const p = await createProvider({
      provider: "openai-compatible",
      model: "llava:13b",
      baseURL: server.baseURL,
      env: {},
      cache: false,
    });
    expect(p.structuredOutput).toBe(false);
    const r = await p.complete({
      system: "s",
      prompt: "hello",
      image: png,
      schema: z.object({ marks: z.array(z.number()) }),
    });
    expect(r.text).toBe("model llava:13b saw: hello");
    expect(server.requests[0].headers.authorization).toBeUndefined();
    expect(server.requests[0].body.response_format).toBeUndefined();
    const withKey = await createProvider({
      provider: "openai-compatible",
      model: "m",
      baseURL: server.baseURL,
      env: { SOM_API_KEY: "local-key" },
      cache: false,
    });
    await withKey.complete({ system: "s", prompt: "p", image: png });
    expect(server.requests[1].headers.authorization).toBe("Bearer local-key");
    await expect(createProvider({ provider: "openai-compatible", model: "m", env: {} })).rejects.toThrow(
      /needs --base-url/,
    );
    await expect(
      createProvider({ provider: "openai-compatible", baseURL: server.baseURL, env: {} }),
    ).rejects.toThrow(/needs --model/);
  });
});
