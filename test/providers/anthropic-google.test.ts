import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createProvider } from "../../src/providers/create.js";
import { anthropicError, startFakeAnthropic } from "../helpers/fake-anthropic-server.js";
import { geminiError, startFakeGemini } from "../helpers/fake-gemini-server.js";
import type { FakeServer } from "../helpers/fake-http-server.js";
import { failure, photoPng } from "./fixtures.js";

let png: Uint8Array;
let server: (FakeServer & { baseURL: string }) | undefined;
beforeAll(async () => {
  png = await photoPng();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const schema = z.object({ marks: z.array(z.number().int()) });

describe("anthropic provider over the messages API", () => {
  const KEY = "sk-ant-test-key-123456";
  const make = (extra: Record<string, unknown> = {}) =>
    createProvider({
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      baseURL: server!.baseURL,
      env: { ANTHROPIC_API_KEY: KEY },
      cache: false,
      retryBaseDelayMs: 20,
      ...extra,
    });

  it("sends x-api-key, anthropic-version, a base64 PNG block, system and prompt", async () => {
    server = await startFakeAnthropic({
      apiKey: KEY,
      models: ["claude-sonnet-4-5"],
      model: () => "The cat is [4].",
    });
    const r = await (await make()).complete({
      system: "Use marks.",
      prompt: "Where is the cat?",
      image: png,
    });
    const req = server.requests[0];
    expect(req.path).toBe("/v1/messages");
    expect(req.headers["x-api-key"]).toBe(KEY);
    expect(req.headers["anthropic-version"]).toBe("2023-06-01");
    expect(req.body.model).toBe("claude-sonnet-4-5");
    expect(req.body.max_tokens).toBeGreaterThan(0);
    expect(JSON.stringify(req.body.system)).toContain("Use marks.");
    const blocks = req.body.messages[0].content;
    const img = blocks.find((b: { type: string }) => b.type === "image");
    expect(img.source.type).toBe("base64");
    expect(img.source.media_type).toBe("image/png");
    expect(Buffer.from(img.source.data, "base64").equals(Buffer.from(png))).toBe(true);
    expect(blocks.find((b: { type: string }) => b.type === "text").text).toBe("Where is the cat?");
    expect(r.text).toBe("The cat is [4].");
    expect(r.usage).toMatchObject({ inputTokens: 1200, outputTokens: expect.any(Number) });
  });

  it("uses native structured output for models that have it", async () => {
    server = await startFakeAnthropic({ apiKey: KEY, model: () => '{"marks":[2,9]}' });
    const r = await (await make()).complete({ system: "s", prompt: "p", image: png, schema });
    expect(server.requests[0].body.output_config.format.type).toBe("json_schema");
    expect(r.object).toEqual({ marks: [2, 9] });
  });

  it("maps 401, 404 model, refusal; retries 529 overloaded", async () => {
    server = await startFakeAnthropic({ apiKey: KEY, models: ["claude-sonnet-4-5"], model: () => "[1]" });
    let err = await failure(
      (await make({ env: { ANTHROPIC_API_KEY: "sk-ant-wrong-key" } })).complete({
        system: "s",
        prompt: "p",
        image: png,
      }),
    );
    expect(err.message).toMatch(
      /authentication failed \(HTTP 401\): invalid x-api-key; check ANTHROPIC_API_KEY/,
    );
    err = await failure(
      (await make({ model: "claude-nope" })).complete({ system: "s", prompt: "p", image: png }),
    );
    expect(err.reason).toBe("model_not_found");
    expect(err.message).toMatch(/model "claude-nope" not found.*model: claude-nope/);
    server.queue.push(anthropicError(529, "overloaded_error", "Overloaded"));
    expect((await (await make()).complete({ system: "s", prompt: "p", image: png })).text).toBe("[1]");
    await server.close();
    server = await startFakeAnthropic({
      apiKey: KEY,
      model: () => ({ refusal: "I can't help identify people." }),
    });
    err = await failure((await make()).complete({ system: "s", prompt: "p", image: png }));
    expect(err.reason).toBe("refusal");
  });
});

describe("google provider over generateContent", () => {
  const KEY = "AIza-test-key-0123456789";
  const make = (extra: Record<string, unknown> = {}) =>
    createProvider({
      provider: "google",
      model: "gemini-2.5-flash",
      baseURL: server!.baseURL,
      env: { GOOGLE_GENERATIVE_AI_API_KEY: KEY },
      cache: false,
      retryBaseDelayMs: 20,
      ...extra,
    });

  it("sends the key header, inlineData PNG, systemInstruction and responseSchema; reads candidates and usage", async () => {
    server = await startFakeGemini({
      apiKey: KEY,
      models: ["gemini-2.5-flash"],
      model: () => '{"marks":[1]}',
    });
    const r = await (await make()).complete({ system: "Sys.", prompt: "Which?", image: png, schema });
    const req = server.requests[0];
    expect(req.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(req.headers["x-goog-api-key"]).toBe(KEY);
    expect(req.body.systemInstruction.parts[0].text).toBe("Sys.");
    const parts = req.body.contents[0].parts;
    const img = parts.find((p: { inlineData?: unknown }) => p.inlineData).inlineData;
    expect(img.mimeType).toBe("image/png");
    expect(Buffer.from(img.data, "base64").equals(Buffer.from(png))).toBe(true);
    expect(parts.find((p: { text?: string }) => p.text).text).toBe("Which?");
    expect(req.body.generationConfig.responseMimeType).toBe("application/json");
    expect(req.body.generationConfig.responseSchema.properties.marks.type).toBe("array");
    expect(r.object).toEqual({ marks: [1] });
    expect(r.usage).toEqual({ inputTokens: 1290, outputTokens: 12, totalTokens: 1302 });
  });

  it("maps a bad key (400 API key not valid), unknown model, SAFETY block; retries 503", async () => {
    server = await startFakeGemini({ apiKey: KEY, models: ["gemini-2.5-flash"], model: () => "[3]" });
    let err = await failure(
      (await make({ env: { GOOGLE_GENERATIVE_AI_API_KEY: "wrong" } })).complete({
        system: "s",
        prompt: "p",
        image: png,
      }),
    );
    expect(err.reason).toBe("auth");
    expect(err.message).toMatch(/API key not valid.*check GOOGLE_GENERATIVE_AI_API_KEY/);
    err = await failure(
      (await make({ model: "gemini-0" })).complete({ system: "s", prompt: "p", image: png }),
    );
    expect(err.message).toMatch(/model "gemini-0" not found.*models\/gemini-0 is not found/);
    server.queue.push(geminiError(503, "UNAVAILABLE", "The model is overloaded. Please try again later."));
    expect((await (await make()).complete({ system: "s", prompt: "p", image: png })).text).toBe("[3]");
    expect(server.requests).toHaveLength(4);
    await server.close();
    server = await startFakeGemini({ apiKey: KEY, model: () => ({ refusal: "" }) });
    err = await failure((await make()).complete({ system: "s", prompt: "p", image: png }));
    expect(err.reason).toBe("refusal");
    expect(err.message).toMatch(/refused to answer \(content filter\)/);
  });
});
