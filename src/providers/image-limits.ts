import type { ImageLimits } from "./types.js";

/**
 * Largest image each API uses as sent; anything bigger it downscales itself, which would shrink our labels
 * after they were sized. Sources: OpenAI vision guide (high detail: fit 2048×2048, then shortest side 768),
 * Anthropic vision docs (long edge over 1568 px or above ~1.15 MP is resized), Gemini docs (up to 3072×3072).
 */
export const IMAGE_LIMITS: Readonly<Record<string, ImageLimits>> = {
  openai: { maxLongSide: 2048, maxShortSide: 768 },
  anthropic: { maxLongSide: 1568, maxPixels: 1_150_000 },
  google: { maxLongSide: 3072 },
  // Unknown servers (Ollama, vLLM…): a size most vision encoders accept.
  "openai-compatible": { maxLongSide: 2048, maxShortSide: 768 },
  replay: { maxLongSide: 2048, maxShortSide: 768 },
};

/** Size to send for a width×height image: the largest scale ≤ 1 that satisfies every limit. */
export function fitImageSize(
  width: number,
  height: number,
  limits: ImageLimits,
): { width: number; height: number; scale: number } {
  let scale = 1;
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  scale = Math.min(scale, limits.maxLongSide / long);
  if (limits.maxShortSide != null) scale = Math.min(scale, limits.maxShortSide / short);
  if (limits.maxPixels != null) scale = Math.min(scale, Math.sqrt(limits.maxPixels / (width * height)));
  if (scale >= 1) return { width, height, scale: 1 };
  // Floor so rounding never pushes a side back over its limit.
  const w = Math.max(1, Math.floor(width * scale));
  const h = Math.max(1, Math.floor(height * scale));
  return { width: w, height: h, scale: w / width };
}
