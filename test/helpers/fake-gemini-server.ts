import {
  type FakeProviderOptions,
  type FakeServer,
  type ModelInput,
  type SeenRequest,
  startFakeServer,
} from "./fake-http-server.js";

/**
 * Gemini generateContent (POST /v1beta/models/MODEL:generateContent): key in `x-goog-api-key` or `?key=`,
 * `contents[].parts[]` with `inlineData {mimeType, data}`, `systemInstruction`, `generationConfig`
 * (responseMimeType / responseSchema); answers `{candidates:[{content:{parts,role}, finishReason}], usageMetadata}`;
 * errors `{error:{code, message, status}}`.
 */
export type FakeGeminiOptions = FakeProviderOptions;

export async function startFakeGemini(o: FakeGeminiOptions): Promise<FakeServer & { baseURL: string }> {
  const server = await startFakeServer((req) => {
    const m = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(req.path);
    if (req.method !== "POST" || !m) return geminiError(404, "NOT_FOUND", `Not found: ${req.path}`);
    const key = req.headers["x-goog-api-key"] ?? req.query.get("key");
    if (o.apiKey != null && key !== o.apiKey) {
      return geminiError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.");
    }
    const model = decodeURIComponent(m[1]);
    if (o.models && !o.models.includes(model)) {
      return geminiError(
        404,
        "NOT_FOUND",
        `models/${model} is not found for API version v1beta, or is not supported for generateContent.`,
      );
    }
    const input = geminiModelInput(req, model);
    const out = o.model(input);
    const usageMetadata = { promptTokenCount: 1290, candidatesTokenCount: 12, totalTokenCount: 1302 };
    if (typeof out !== "string") {
      return {
        body: {
          candidates: [{ finishReason: "SAFETY", index: 0, safetyRatings: [] }],
          usageMetadata: { promptTokenCount: 1290, totalTokenCount: 1290 },
          modelVersion: model,
        },
      };
    }
    return {
      body: {
        candidates: [{ content: { parts: [{ text: out }], role: "model" }, finishReason: "STOP", index: 0 }],
        usageMetadata,
        modelVersion: model,
        responseId: "resp-test",
      },
    };
  });
  return Object.assign(server, { baseURL: `${server.origin}/v1beta` });
}

export function geminiError(code: number, status: string, message: string) {
  return { status: code, body: { error: { code, message, status } } };
}

export function geminiModelInput(req: SeenRequest, model: string): ModelInput {
  const contents = req.body.contents as {
    role: string;
    parts: { text?: string; inlineData?: { mimeType: string; data: string } }[];
  }[];
  const user = contents?.find((c) => c.role === "user");
  if (!user) throw new Error("contents: no user turn");
  const images = user.parts
    .filter((p) => p.inlineData)
    .map((p) => {
      if (p.inlineData?.mimeType !== "image/png")
        throw new Error("contents.parts: inlineData is not image/png");
      return Buffer.from(p.inlineData.data, "base64");
    });
  if (images.length === 0) throw new Error("contents.parts: no inlineData part");
  const system = (req.body.systemInstruction?.parts ?? []).map((p: { text: string }) => p.text).join("\n");
  return {
    system,
    prompt: user.parts
      .filter((p) => p.text != null)
      .map((p) => p.text)
      .join("\n"),
    image: images[0],
    images,
    model,
    schema: req.body.generationConfig?.responseSchema,
  };
}
