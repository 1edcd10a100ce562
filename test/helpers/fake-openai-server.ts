import {
  type FakeProviderOptions,
  type FakeServer,
  type ModelInput,
  type SeenRequest,
  startFakeServer,
} from "./fake-http-server.js";

/**
 * OpenAI chat completions (POST /v1/chat/completions) as the API defines it: Bearer auth, messages with
 * `image_url` data-URL parts, `response_format` json_schema, error bodies `{error:{message,type,param,code}}`.
 */
export type FakeOpenAIOptions = FakeProviderOptions;

export async function startFakeOpenAI(o: FakeOpenAIOptions): Promise<FakeServer & { baseURL: string }> {
  const server = await startFakeServer((req) => {
    if (req.method !== "POST" || req.path !== "/v1/chat/completions") {
      return openaiError(404, `Invalid URL (${req.method} ${req.path})`, "invalid_request_error", null);
    }
    if (o.apiKey != null && req.headers.authorization !== `Bearer ${o.apiKey}`) {
      const given = String(req.headers.authorization ?? "").replace(/^Bearer /, "");
      return openaiError(
        401,
        `Incorrect API key provided: ${given.slice(0, 3)}***${given.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        "invalid_request_error",
        "invalid_api_key",
      );
    }
    const model = req.body?.model;
    if (o.models && !o.models.includes(model)) {
      return openaiError(
        404,
        `The model \`${model}\` does not exist or you do not have access to it.`,
        "invalid_request_error",
        "model_not_found",
      );
    }
    const input = openaiModelInput(req);
    const out = o.model(input);
    const message =
      typeof out === "string"
        ? { role: "assistant", content: out, refusal: null, annotations: [] }
        : { role: "assistant", content: null, refusal: out.refusal, annotations: [] };
    const promptTokens = Math.ceil((input.system.length + input.prompt.length) / 4) + 765;
    const completionTokens = Math.ceil(JSON.stringify(out).length / 4);
    return {
      body: {
        id: "chatcmpl-test123",
        object: "chat.completion",
        created: 1_700_000_000,
        model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: "stop" }],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
        system_fingerprint: "fp_test",
      },
    };
  });
  return Object.assign(server, { baseURL: `${server.origin}/v1` });
}

export function openaiError(status: number, message: string, type: string, code: string | null) {
  return { status, body: { error: { message, type, param: null, code } } };
}

/** Pull system prompt, user text and the PNG out of a chat-completions body; throws if the shape is wrong. */
export function openaiModelInput(req: SeenRequest): ModelInput {
  const messages = req.body.messages as { role: string; content: unknown }[];
  const system = messages.find((m) => m.role === "system" || m.role === "developer");
  const user = messages.find((m) => m.role === "user");
  if (!user || !Array.isArray(user.content)) throw new Error("no user message with content parts");
  const parts = user.content as { type: string; text?: string; image_url?: { url: string } }[];
  const text = parts
    .filter((p) => p.type === "text")
    .map((p) => p.text)
    .join("\n");
  const images = parts
    .filter((p) => p.type === "image_url")
    .map((p) => {
      const m = /^data:image\/png;base64,(.+)$/.exec(p.image_url?.url ?? "");
      if (!m) throw new Error("image_url part is not a PNG data URL");
      return Buffer.from(m[1], "base64");
    });
  if (images.length === 0) throw new Error("no image_url part with a PNG data URL");
  return {
    system: typeof system?.content === "string" ? system.content : "",
    prompt: text,
    image: images[0],
    images,
    model: req.body.model,
    schema: req.body.response_format?.json_schema?.schema,
  };
}
