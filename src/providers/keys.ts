/** Which environment variables hold each provider's key, in order of preference. Keys come from here only. */
export const KEY_VARS: Readonly<Record<string, readonly string[]>> = {
  openai: ["OPENAI_API_KEY"],
  azure: ["AZURE_OPENAI_API_KEY", "OPENAI_API_KEY"],
  anthropic: ["ANTHROPIC_API_KEY"],
  google: ["GOOGLE_GENERATIVE_AI_API_KEY"],
  "openai-compatible": ["SOM_API_KEY"],
};

/** The key and the variable it came from; undefined when none of the provider's variables is set. */
export function readApiKey(
  provider: string,
  env: Readonly<Record<string, string | undefined>>,
): { key: string; variable: string } | undefined {
  for (const variable of KEY_VARS[provider] ?? []) {
    const key = env[variable]?.trim();
    if (key) return { key, variable };
  }
  return undefined;
}
