import { z } from "zod";

/**
 * JSON answers requested from providers with structured output. Every field is required (OpenAI strict mode);
 * ids are strings so numeric and letter labels both fit.
 */
export const referSchema = z.object({
  ids: z.array(z.string()).describe("IDs of the marked regions the expression refers to"),
});

export function classifySchema(names: readonly string[]) {
  // An enum keeps answers inside the vocabulary; very long vocabularies exceed provider limits on enums.
  const name = names.length > 0 && names.length <= 500 ? z.enum(names as [string, ...string[]]) : z.string();
  return z.object({
    labels: z
      .array(z.object({ id: z.string().describe("the mark ID"), name }))
      .describe("one entry per marked region"),
  });
}

export const groundSchema = z.object({
  phrases: z.array(z.object({ phrase: z.string(), ids: z.array(z.string()) })),
});

export const trackSchema = z.object({
  matches: z.array(
    z.object({
      object: z.string().describe("object ID in the first image"),
      mark: z.string().describe('mark in the second image, or "none"'),
    }),
  ),
});
