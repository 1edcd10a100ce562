import { createHash } from "node:crypto";
import { z } from "zod";
import type { CompleteRequest, Provider } from "./types.js";

/** Hash of what the model is shown: marked image bytes, system prompt, user prompt and output schema. */
export function requestKey(req: Pick<CompleteRequest, "system" | "prompt" | "image" | "schema">): string {
  const h = createHash("sha256");
  const schema = req.schema ? z.toJSONSchema(req.schema) : null;
  h.update(JSON.stringify({ system: req.system, prompt: req.prompt, schema }));
  for (const image of req.image instanceof Uint8Array ? [req.image] : req.image) {
    h.update(`\0${image.length}\0`);
    h.update(image);
  }
  return h.digest("hex");
}

/** Hash of a request as sent to one model with one set of settings: the disk-cache key. */
export function cacheKey(provider: Pick<Provider, "name" | "model" | "settings">, reqKey: string): string {
  return createHash("sha256")
    .update(
      JSON.stringify({
        req: reqKey,
        provider: provider.name,
        model: provider.model,
        settings: provider.settings,
      }),
    )
    .digest("hex");
}
