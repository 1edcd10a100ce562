import { UserError } from "../errors.js";
import { defaultCacheDir, withCache } from "./cache.js";
import { ProviderError } from "./errors.js";
import { IMAGE_LIMITS } from "./image-limits.js";
import { KEY_VARS, readApiKey } from "./keys.js";
import { createReplayProvider, withRecorder } from "./replay.js";
import {
  createSdkModel,
  DEFAULT_BASE_URLS,
  DEFAULT_MODELS,
  isAzureURL,
  type SdkProviderName,
} from "./sdk-models.js";
import { createSdkProvider } from "./sdk-provider.js";
import type { ImageLimits, Provider, RequestSettings } from "./types.js";

export const PROVIDER_NAMES = ["openai", "openai-compatible", "anthropic", "google", "replay"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface ProviderConfig extends RequestSettings {
  provider?: string;
  model?: string;
  baseURL?: string;
  /** Where keys are read from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Force JSON-schema structured output on or off (default: on except for openai-compatible servers). */
  structuredOutput?: boolean;
  /** Override the provider's image limits (e.g. a local model with a small vision encoder). */
  imageLimits?: Partial<ImageLimits>;
  /** Cache answers on disk (default true, except replay). */
  cache?: boolean;
  cacheDir?: string;
  /** JSONL file to answer from (provider "replay"). */
  replayFile?: string;
  /** JSONL file to append every answer to, for later replay. */
  recordFile?: string;
  /** The fetch the SDK uses (a proxy agent, a test double of the network); default globalThis.fetch. */
  fetch?: typeof globalThis.fetch;
}

/** Build the provider the user asked for, wrapped with cache and recorder as configured. */
export async function createProvider(config: ProviderConfig = {}): Promise<Provider> {
  const name = (config.provider ?? "openai") as ProviderName;
  const env = config.env ?? process.env;
  let provider: Provider;
  if (name === "replay") {
    if (!config.replayFile) throw new UserError("provider replay needs a recorded file: --replay FILE");
    provider = await createReplayProvider(config.replayFile);
  } else if ((PROVIDER_NAMES as readonly string[]).includes(name)) {
    provider = createNetworkProvider(name, config, env);
  } else {
    throw new UserError(`unknown provider "${name}"; choose one of ${PROVIDER_NAMES.join(", ")}`);
  }
  if (config.cache !== false && name !== "replay") {
    provider = withCache(provider, config.cacheDir ?? defaultCacheDir(env));
  }
  // Outside the cache, so answers served from the cache are recorded too.
  if (config.recordFile) provider = withRecorder(provider, config.recordFile);
  return provider;
}

function createNetworkProvider(
  name: SdkProviderName,
  config: ProviderConfig,
  env: Readonly<Record<string, string | undefined>>,
): Provider {
  const model = config.model ?? DEFAULT_MODELS[name];
  if (!model) throw new UserError(`provider ${name} needs --model (the model name the server knows)`);
  const baseURL = (config.baseURL ?? DEFAULT_BASE_URLS[name])?.replace(/\/+$/, "");
  if (!baseURL)
    throw new UserError(`provider ${name} needs --base-url (e.g. http://localhost:11434/v1 for Ollama)`);
  try {
    const u = new URL(baseURL);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http");
  } catch {
    throw new UserError(`invalid --base-url "${baseURL}": expected an http:// or https:// URL`);
  }
  const keyProvider = name === "openai" && isAzureURL(baseURL) ? "azure" : name;
  const found = readApiKey(keyProvider, env);
  // Local compatible servers (Ollama, LM Studio) usually take no key.
  if (!found && name !== "openai-compatible") {
    throw new ProviderError(`${name}: no API key; set ${KEY_VARS[keyProvider].join(" or ")}`, "no_key");
  }
  const structuredOutput = config.structuredOutput ?? name !== "openai-compatible";
  return createSdkProvider({
    name,
    model,
    languageModel: createSdkModel(name, model, baseURL, found?.key, structuredOutput, config.fetch),
    imageLimits: { ...IMAGE_LIMITS[name], ...config.imageLimits },
    structuredOutput,
    errorContext: {
      provider: name,
      model,
      baseURL,
      keyVar: found?.variable ?? KEY_VARS[keyProvider][0],
      apiKey: found?.key,
    },
    ...requestSettings(config),
  });
}

function requestSettings(c: RequestSettings): RequestSettings {
  const { timeoutMs, maxRetries, retryBaseDelayMs, maxRetryAfterMs, temperature, maxOutputTokens, onRetry } =
    c;
  return { timeoutMs, maxRetries, retryBaseDelayMs, maxRetryAfterMs, temperature, maxOutputTokens, onRetry };
}
