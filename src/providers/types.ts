import type { z } from "zod";

/** Token counts as the provider reported them (absent when it did not say). */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
}

/** The largest image a provider uses without downscaling it itself (so we resize first and labels stay legible). */
export interface ImageLimits {
  /** Longest side, pixels. */
  maxLongSide: number;
  /** Shortest side, pixels (OpenAI high-detail: 768). */
  maxShortSide?: number;
  /** Total pixels (Anthropic: about 1.15 megapixels). */
  maxPixels?: number;
}

export interface CompleteRequest {
  system: string;
  prompt: string;
  /**
   * The marked image, PNG bytes, already sized within the provider's `imageLimits`; several images (video
   * frames) are sent in order, before the prompt.
   */
  image: Uint8Array | readonly Uint8Array[];
  /** Ask for JSON matching this schema where the provider supports structured output; text otherwise. */
  schema?: z.ZodType;
  signal?: AbortSignal;
}

export interface CompleteResult {
  /** The model's answer as text (the JSON text when structured output was used). */
  text: string;
  /** The parsed object when a schema was given and the answer matched it. */
  object?: unknown;
  usage: Usage;
  /** Provider's finish reason, unified ("stop", "length", "content-filter", …). */
  finishReason?: string;
  /** True when answered from the disk cache or a replay file rather than the network. */
  cached?: boolean;
}

/** One interface over every model backend: the marked image and a prompt in, an answer out. */
export interface Provider {
  /** "openai", "openai-compatible", "anthropic", "google", "replay". */
  readonly name: string;
  readonly model: string;
  readonly imageLimits: ImageLimits;
  /** Whether `schema` is sent as JSON-schema structured output (else the answer is parsed from text). */
  readonly structuredOutput: boolean;
  /** Settings that change answers (base URL, temperature…): part of the cache key. Never holds a key. */
  readonly settings: Readonly<Record<string, unknown>>;
  complete(request: CompleteRequest): Promise<CompleteResult>;
}

/** How requests are made: the same for every network provider, and none of it changes an answer's text. */
export interface RequestSettings {
  /** Per-attempt timeout (default 120 s). A timed-out request is not retried: the server is slow, not failing. */
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseDelayMs?: number;
  maxRetryAfterMs?: number;
  temperature?: number;
  maxOutputTokens?: number;
  /** Told before each retry, e.g. to print it. */
  onRetry?: (message: string) => void;
}
