import {
  type FakeProviderOptions,
  type FakeServer,
  type ModelInput,
  type SeenRequest,
  startFakeServer,
} from "./fake-http-server.js";

/**
 * Anthropic messages API (POST /v1/messages): `x-api-key` and `anthropic-version` headers, image blocks
 * `{type:"image", source:{type:"base64", media_type, data}}`, error bodies `{type:"error", error:{type,message}}`.
 * Structured output arrives as `output_config.format` (answered as text) or as a forced `json` tool.
 */
export type FakeAnthropicOptions = FakeProviderOptions;

export async function startFakeAnthropic(o: FakeAnthropicOptions): Promise<FakeServer & { baseURL: string }> {
  const server = await startFakeServer((req) => {
    if (req.method !== "POST" || req.path !== "/v1/messages") {
      return anthropicError(404, "not_found_error", `Not Found`);
    }
    if (!req.headers["anthropic-version"]) {
      return anthropicError(400, "invalid_request_error", "anthropic-version: header is required");
    }
    if (o.apiKey != null && req.headers["x-api-key"] !== o.apiKey) {
      return anthropicError(401, "authentication_error", "invalid x-api-key");
    }
    const model = req.body?.model;
    if (o.models && !o.models.includes(model)) {
      return anthropicError(404, "not_found_error", `model: ${model}`);
    }
    if (typeof req.body?.max_tokens !== "number") {
      return anthropicError(400, "invalid_request_error", "max_tokens: Field required");
    }
    const input = anthropicModelInput(req);
    const out = o.model(input);
    const usage = { input_tokens: 1200, output_tokens: Math.ceil(JSON.stringify(out).length / 4) };
    const base = { id: "msg_01Test", type: "message", role: "assistant", model, stop_sequence: null, usage };
    if (typeof out !== "string") {
      return { body: { ...base, content: [{ type: "text", text: out.refusal }], stop_reason: "refusal" } };
    }
    const jsonTool = (req.body.tools as { name: string }[] | undefined)?.find((t) => t.name === "json");
    if (jsonTool) {
      return {
        body: {
          ...base,
          content: [{ type: "tool_use", id: "toolu_01", name: "json", input: JSON.parse(out) }],
          stop_reason: "tool_use",
        },
      };
    }
    return { body: { ...base, content: [{ type: "text", text: out }], stop_reason: "end_turn" } };
  });
  return Object.assign(server, { baseURL: `${server.origin}/v1` });
}

export function anthropicError(status: number, type: string, message: string) {
  return { status, body: { type: "error", error: { type, message } } };
}

export function anthropicModelInput(req: SeenRequest): ModelInput {
  const sys = req.body.system;
  const system =
    typeof sys === "string"
      ? sys
      : Array.isArray(sys)
        ? sys.map((b: { text: string }) => b.text).join("\n")
        : "";
  const user = (req.body.messages as { role: string; content: unknown }[]).find((m) => m.role === "user");
  if (!user || !Array.isArray(user.content)) throw new Error("messages: no user message with content blocks");
  const blocks = user.content as {
    type: string;
    text?: string;
    source?: { type: string; media_type: string; data: string };
  }[];
  const images = blocks
    .filter((b) => b.type === "image")
    .map((b) => {
      if (b.source?.type !== "base64" || b.source.media_type !== "image/png") {
        throw new Error("messages.0.content: image block is not base64 image/png");
      }
      return Buffer.from(b.source.data, "base64");
    });
  if (images.length === 0) throw new Error("messages.0.content: no image block");
  return {
    system,
    prompt: blocks
      .filter((b) => b.type === "text")
      .map((b) => b.text)
      .join("\n"),
    image: images[0],
    images,
    model: req.body.model,
    schema: req.body.output_config?.format?.schema,
  };
}
