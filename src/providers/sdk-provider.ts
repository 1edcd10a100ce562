import { generateText, type LanguageModel, NoObjectGeneratedError, Output } from "ai";
import { type ErrorContext, ProviderError, redact, toProviderError } from "./errors.js";
import { withRetries } from "./retry.js";
import type {
  CompleteRequest,
  CompleteResult,
  ImageLimits,
  Provider,
  RequestSettings,
  Usage,
} from "./types.js";

export interface SdkProviderOptions extends RequestSettings {
  name: string;
  model: string;
  languageModel: LanguageModel;
  imageLimits: ImageLimits;
  structuredOutput: boolean;
  errorContext: ErrorContext;
}

/** A Provider over any AI SDK language model: retries, timeout, structured output with text fallback. */
export function createSdkProvider(o: SdkProviderOptions): Provider {
  const timeoutMs = o.timeoutMs ?? 120_000;
  const who = `${o.name} (${o.model})`;
  const settings = {
    baseURL: o.errorContext.baseURL,
    temperature: o.temperature ?? null,
    maxOutputTokens: o.maxOutputTokens ?? null,
    structuredOutput: o.structuredOutput,
  };
  async function attempt(req: CompleteRequest): Promise<CompleteResult> {
    const ctrl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort(new Error("timeout"));
    }, timeoutMs);
    const onAbort = () => ctrl.abort(req.signal?.reason);
    req.signal?.addEventListener("abort", onAbort, { once: true });
    const useSchema = req.schema != null && o.structuredOutput;
    try {
      const result = await generateText({
        model: o.languageModel,
        system: req.system,
        messages: [
          {
            role: "user",
            content: [
              ...imageList(req.image).map((image) => ({
                type: "image" as const,
                image,
                mediaType: "image/png",
              })),
              { type: "text", text: req.prompt },
            ],
          },
        ],
        // Retries are ours (withRetries): the SDK's would wait seconds we cannot tune and retry bad URLs.
        maxRetries: 0,
        abortSignal: ctrl.signal,
        temperature: o.temperature,
        maxOutputTokens: o.maxOutputTokens,
        ...(useSchema ? { output: Output.object({ schema: req.schema! }) } : {}),
      });
      const refusal = openAIRefusal(result.response.body);
      return checkAnswer({
        text: result.text,
        object: useSchema ? result.output : undefined,
        usage: toUsage(result.usage),
        finishReason: result.finishReason,
        refusal,
      });
    } catch (err) {
      if (timedOut) {
        throw new ProviderError(
          `${who}: no answer within ${(timeoutMs / 1000).toFixed(timeoutMs < 10_000 ? 1 : 0)} s (timeout); raise --timeout`,
          "timeout",
        );
      }
      if (req.signal?.aborted) throw err;
      if (NoObjectGeneratedError.isInstance(err)) {
        // The model answered, but not in the schema: keep its text for the text parser.
        return checkAnswer({
          text: err.text ?? "",
          usage: toUsage(err.usage),
          finishReason: err.finishReason,
          refusal: openAIRefusal((err.response as { body?: unknown } | undefined)?.body),
        });
      }
      throw toProviderError(err, o.errorContext);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener("abort", onAbort);
    }
  }

  function checkAnswer(a: CompleteResult & { refusal?: string }): CompleteResult {
    const text = redact(a.text, o.errorContext.apiKey);
    if (a.refusal || a.finishReason === "content-filter") {
      const said = (a.refusal ?? text).trim().split("\n")[0].slice(0, 200);
      throw new ProviderError(
        `${who}: the model refused to answer${said ? `: "${said}"` : " (content filter)"}`,
        "refusal",
      );
    }
    if (text.trim() === "" && a.object === undefined) {
      const hint = a.finishReason === "length" ? "; raise --max-tokens" : "";
      throw new ProviderError(
        `${who}: the model returned an empty answer (finish reason: ${a.finishReason ?? "unknown"})${hint}`,
        "empty_answer",
      );
    }
    return { text, object: a.object, usage: a.usage, finishReason: a.finishReason };
  }

  return {
    name: o.name,
    model: o.model,
    imageLimits: o.imageLimits,
    structuredOutput: o.structuredOutput,
    settings,
    complete: (req) =>
      withRetries(() => attempt(req), {
        maxRetries: o.maxRetries,
        baseDelayMs: o.retryBaseDelayMs,
        maxRetryAfterMs: o.maxRetryAfterMs,
        signal: req.signal,
        onRetry: o.onRetry
          ? ({ attempt: n, delayMs, error }) =>
              o.onRetry?.(`${error.message}; retry ${n} in ${(delayMs / 1000).toFixed(1)} s`)
          : undefined,
      }),
  };
}

function imageList(image: CompleteRequest["image"]): readonly Uint8Array[] {
  return image instanceof Uint8Array ? [image] : image;
}

function toUsage(
  u: { inputTokens?: number; outputTokens?: number; totalTokens?: number } | undefined,
): Usage {
  const usage: Usage = {};
  if (u?.inputTokens != null) usage.inputTokens = u.inputTokens;
  if (u?.outputTokens != null) usage.outputTokens = u.outputTokens;
  if (u?.totalTokens != null) usage.totalTokens = u.totalTokens;
  return usage;
}

/** OpenAI chat completions put a refusal in `message.refusal` (finish reason stays "stop"). */
function openAIRefusal(body: unknown): string | undefined {
  const choice = (body as { choices?: { message?: { refusal?: unknown } }[] } | undefined)?.choices?.[0];
  const r = choice?.message?.refusal;
  return typeof r === "string" && r.length > 0 ? r : undefined;
}
