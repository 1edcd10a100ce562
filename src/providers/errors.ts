import { APICallError } from "ai";
import { UserError } from "../errors.js";

export type ProviderErrorCode =
  | "no_key"
  | "auth"
  | "forbidden"
  | "model_not_found"
  | "endpoint_not_found"
  | "rate_limited"
  | "server_error"
  | "bad_request"
  | "connection"
  | "timeout"
  | "refusal"
  | "empty_answer"
  | "replay_miss";

/** A one-line, user-facing provider failure; `retryable` drives the retry loop. */
export class ProviderError extends UserError {
  constructor(
    message: string,
    readonly reason: ProviderErrorCode,
    readonly retryable = false,
    /** Milliseconds the server asked us to wait (Retry-After), when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message, reason);
    this.name = "ProviderError";
  }
}

export interface ErrorContext {
  provider: string;
  model: string;
  baseURL: string;
  /** Environment variable holding the key, named in auth errors. */
  keyVar?: string;
  /** The key itself, only so it can be blanked out of any server message that echoes it. */
  apiKey?: string;
}

/** Map whatever the AI SDK or fetch threw to a ProviderError with a message naming the cause. */
export function toProviderError(err: unknown, ctx: ErrorContext): ProviderError {
  if (err instanceof ProviderError) return err;
  const who = `${ctx.provider} (${ctx.model})`;
  if (APICallError.isInstance(err) && err.statusCode != null) {
    const status = err.statusCode;
    // Without its final full stop, so hints can follow ("…api-keys; check OPENAI_API_KEY").
    const detail = redact(serverMessage(err), ctx.apiKey).replace(/[.\s]+$/, "");
    const tail = detail ? `: ${detail}` : "";
    if (status === 401) {
      const hint = ctx.keyVar ? `; check ${ctx.keyVar}` : "";
      return new ProviderError(`${who}: authentication failed (HTTP 401)${tail}${hint}`, "auth");
    }
    if (status === 403) {
      return new ProviderError(`${who}: permission denied (HTTP 403)${tail}`, "forbidden");
    }
    if (status === 404) {
      // A 404 naming the model is an unknown model; any other is a wrong URL (e.g. --base-url without /v1).
      if (/model/i.test(detail) || detail.includes(ctx.model)) {
        return new ProviderError(
          `${who}: model "${ctx.model}" not found at ${ctx.baseURL} (HTTP 404)${tail}; check --model`,
          "model_not_found",
        );
      }
      return new ProviderError(
        `${who}: ${err.url} not found (HTTP 404)${tail}; check --base-url (now ${ctx.baseURL})`,
        "endpoint_not_found",
      );
    }
    if (status === 429) {
      return new ProviderError(
        `${who}: rate limited (HTTP 429)${tail}`,
        "rate_limited",
        true,
        retryAfterMs(err.responseHeaders),
      );
    }
    if (status >= 500 || status === 408) {
      return new ProviderError(
        `${who}: server error (HTTP ${status})${tail}`,
        "server_error",
        true,
        retryAfterMs(err.responseHeaders),
      );
    }
    // Gemini answers a bad key with 400 INVALID_ARGUMENT "API key not valid".
    if (status === 400 && /api[ _-]?key/i.test(detail) && /invalid|not valid|missing/i.test(detail)) {
      const hint = ctx.keyVar ? `; check ${ctx.keyVar}` : "";
      return new ProviderError(`${who}: authentication failed (HTTP 400)${tail}${hint}`, "auth");
    }
    if (
      status === 400 &&
      /model/i.test(detail) &&
      /not (found|exist|support)|unknown|invalid model/i.test(detail)
    ) {
      return new ProviderError(`${who}: unknown model "${ctx.model}" (HTTP 400)${tail}`, "model_not_found");
    }
    return new ProviderError(`${who}: request rejected (HTTP ${status})${tail}`, "bad_request");
  }
  const net = networkCause(err);
  if (net) {
    if (net === "ENOTFOUND" || net === "EAI_AGAIN") {
      return new ProviderError(
        `${who}: cannot resolve the host of ${ctx.baseURL} (${net}); check --base-url`,
        "connection",
      );
    }
    if (net === "ECONNREFUSED") {
      return new ProviderError(
        `${who}: connection refused by ${ctx.baseURL} (ECONNREFUSED); is the server running? check --base-url`,
        "connection",
      );
    }
    return new ProviderError(`${who}: network error talking to ${ctx.baseURL} (${net})`, "connection", true);
  }
  const msg = err instanceof Error ? err.message : String(err);
  if (APICallError.isInstance(err)) {
    // No HTTP answer and no errno code (e.g. undici's "bad port"): fetch itself refused the URL.
    const cause =
      err.cause instanceof Error ? err.cause.message : msg.replace(/^Cannot connect to API:\s*/, "");
    return new ProviderError(
      `${who}: cannot connect to ${ctx.baseURL} (${redact(firstLine(cause), ctx.apiKey)}); check --base-url`,
      "connection",
    );
  }
  if (/Invalid URL|Failed to parse URL/i.test(msg)) {
    return new ProviderError(`${who}: invalid base URL ${ctx.baseURL}; check --base-url`, "connection");
  }
  return new ProviderError(`${who}: ${redact(firstLine(msg), ctx.apiKey)}`, "bad_request");
}

/** The server's own error text, from the JSON error body the API defines, else the SDK's message. */
function serverMessage(err: APICallError): string {
  const data = err.data as { error?: { message?: unknown } | string; message?: unknown } | undefined;
  let msg: unknown;
  if (data && typeof data === "object") {
    if (typeof data.error === "string") msg = data.error;
    else if (data.error && typeof data.error.message === "string") msg = data.error.message;
    else if (typeof data.message === "string") msg = data.message;
  }
  if (typeof msg !== "string" && err.responseBody) {
    try {
      const body = JSON.parse(err.responseBody);
      msg =
        body?.error?.message ?? body?.message ?? (typeof body?.error === "string" ? body.error : undefined);
    } catch {
      msg = err.responseBody.length < 200 ? err.responseBody : undefined;
    }
  }
  return typeof msg === "string" ? firstLine(msg).slice(0, 300) : "";
}

/** Retry-After (seconds or HTTP date) or retry-after-ms, in milliseconds. */
export function retryAfterMs(
  headers: Record<string, string> | undefined,
  now = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = headers["retry-after-ms"];
  if (ms != null && Number.isFinite(Number.parseFloat(ms))) return Math.max(0, Number.parseFloat(ms));
  const ra = headers["retry-after"];
  if (ra == null) return undefined;
  const secs = Number(ra.trim());
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The errno-style code of a fetch failure (ECONNREFUSED, ENOTFOUND…), searching the cause chain. */
function networkCause(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 6; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    const errors = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const inner = networkCause(errors[0]);
      if (inner) return inner;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join("***");
}

function firstLine(s: string): string {
  return s.split("\n")[0].trim();
}
