import { createAnthropic } from "@ai-sdk/anthropic";
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModel } from "ai";

export type SdkProviderName = "openai" | "openai-compatible" | "anthropic" | "google";

export const DEFAULT_BASE_URLS: Readonly<Record<SdkProviderName, string | undefined>> = {
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com/v1",
  google: "https://generativelanguage.googleapis.com/v1beta",
  "openai-compatible": undefined,
};

export const DEFAULT_MODELS: Readonly<Record<SdkProviderName, string | undefined>> = {
  openai: "gpt-4o",
  anthropic: "claude-sonnet-4-5",
  google: "gemini-2.5-flash",
  "openai-compatible": undefined,
};

/** Azure OpenAI resources answer the OpenAI v1 protocol at https://NAME.openai.azure.com/openai/v1. */
export function isAzureURL(baseURL: string): boolean {
  try {
    const host = new URL(baseURL).hostname;
    return /\.(openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/.test(host);
  } catch {
    return false;
  }
}

/** The AI SDK model object for one provider. OpenAI goes through chat completions (`.chat`), not /responses. */
export function createSdkModel(
  provider: SdkProviderName,
  model: string,
  baseURL: string,
  apiKey: string | undefined,
  structuredOutput: boolean,
  fetch?: typeof globalThis.fetch,
): LanguageModel {
  switch (provider) {
    case "openai": {
      // Azure takes a key in `api-key`; it reads `Authorization: Bearer` as an Entra ID token and rejects a
      // key sent there, so that header is dropped (the SDK leaves out headers set to undefined).
      const headers =
        apiKey && isAzureURL(baseURL)
          ? ({ "api-key": apiKey, Authorization: undefined } as unknown as Record<string, string>)
          : undefined;
      return createOpenAI({ apiKey: apiKey ?? "", baseURL, headers, fetch }).chat(model);
    }
    case "openai-compatible":
      return createOpenAICompatible({
        name: "openai-compatible",
        baseURL,
        apiKey,
        includeUsage: true,
        supportsStructuredOutputs: structuredOutput,
        fetch,
      }).chatModel(model);
    case "anthropic":
      return createAnthropic({ apiKey: apiKey ?? "", baseURL, fetch }).messages(model);
    case "google":
      return createGoogleGenerativeAI({ apiKey: apiKey ?? "", baseURL, fetch })(model);
  }
}
