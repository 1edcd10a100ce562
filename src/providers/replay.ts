import { appendFile, readFile } from "node:fs/promises";
import { UserError } from "../errors.js";
import { requestKey } from "./cache-key.js";
import { ProviderError } from "./errors.js";
import { IMAGE_LIMITS } from "./image-limits.js";
import type { CompleteResult, ImageLimits, Provider } from "./types.js";

/** One line of a replay file (JSONL): a recorded answer and what identifies its request. */
export interface RecordedAnswer {
  /** requestKey() of the request: marked image, prompts and schema. */
  request?: string;
  /** The user prompt, used when no request key matches (hand-written files). */
  prompt?: string;
  provider?: string;
  model?: string;
  imageLimits?: ImageLimits;
  structuredOutput?: boolean;
  text: string;
  object?: unknown;
  usage?: CompleteResult["usage"];
  finishReason?: string;
}

/** Wrap a provider so every answer is appended to a JSONL file that `createReplayProvider` can answer from. */
export function withRecorder(provider: Provider, file: string): Provider {
  return {
    ...provider,
    async complete(req) {
      const result = await provider.complete(req);
      const line: RecordedAnswer = {
        request: requestKey(req),
        prompt: req.prompt,
        provider: provider.name,
        model: provider.model,
        imageLimits: provider.imageLimits,
        structuredOutput: provider.structuredOutput,
        text: result.text,
        object: result.object,
        usage: result.usage,
        finishReason: result.finishReason,
      };
      await appendFile(file, `${JSON.stringify(line)}\n`);
      return result;
    },
  };
}

/**
 * A provider that answers from a recorded JSONL file, offline: by request key first, else by an exact
 * prompt match. It uses the recorded provider's image limits, so the marked image (and its key) is the same.
 */
export async function createReplayProvider(file: string): Promise<Provider> {
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch (err) {
    throw new UserError(
      `replay file ${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`,
    );
  }
  const lines: RecordedAnswer[] = [];
  raw.split("\n").forEach((text, i) => {
    if (!text.trim()) return;
    let rec: RecordedAnswer;
    try {
      rec = JSON.parse(text);
    } catch {
      throw new UserError(`replay file ${file}, line ${i + 1}: not valid JSON`);
    }
    if (typeof rec?.text !== "string")
      throw new UserError(`replay file ${file}, line ${i + 1}: no "text" field`);
    lines.push(rec);
  });
  if (lines.length === 0) throw new UserError(`replay file ${file}: no recorded answers`);
  const first = lines[0];
  const byKey = new Map(lines.filter((l) => l.request).map((l) => [l.request!, l]));
  return {
    name: "replay",
    model: first.model ?? "recorded",
    imageLimits: first.imageLimits ?? IMAGE_LIMITS[first.provider ?? ""] ?? IMAGE_LIMITS.replay,
    // As recorded, so tasks build the same prompts (and request keys) as when the answers were recorded.
    structuredOutput: first.structuredOutput ?? false,
    settings: { file },
    async complete(req) {
      let hit = byKey.get(requestKey(req));
      if (!hit) {
        const same = lines.filter((l) => l.prompt === req.prompt);
        if (same.length === 1) hit = same[0];
      }
      if (!hit) {
        const p = req.prompt.split("\n")[0].slice(0, 80);
        throw new ProviderError(
          `replay: no recorded answer in ${file} for this request (prompt "${p}")`,
          "replay_miss",
        );
      }
      return {
        text: hit.text,
        object: hit.object,
        usage: hit.usage ?? {},
        finishReason: hit.finishReason,
        cached: true,
      };
    },
  };
}
