/**
 * Default values and choice lists the CLI shows in `--help`, copied here so that registering the commands
 * never loads the modules that own them (sharp, onnxruntime, the AI SDK): `som --help` stays fast.
 * test/cli/defaults.test.ts checks each copy against its owner, so they cannot drift apart.
 */
import type { MarkType } from "../render/render.js";

/** = render/render.ts MARK_TYPES */
export const MARK_TYPES: readonly MarkType[] = ["number", "mask", "contour", "box"];
/** = render/render.ts DEFAULT_PNG_LEVEL */
export const DEFAULT_PNG_LEVEL = 1;
/** = pipeline/mark.ts DEFAULT_MARKS */
export const DEFAULT_MARKS: readonly MarkType[] = ["number", "mask", "contour"];
/** = pipeline/mark.ts DEFAULT_ALPHA */
export const DEFAULT_ALPHA = 0.3;
/** = pipeline/regions.ts DEFAULT_GRANULARITY */
export const DEFAULT_GRANULARITY = 0.5;
/** = image/load.ts DEFAULT_MAX_PIXELS */
export const DEFAULT_MAX_PIXELS = 100_000_000;
/** = providers/create.ts PROVIDER_NAMES */
export const PROVIDER_NAMES = ["openai", "openai-compatible", "anthropic", "google", "replay"] as const;
/** = batch/queue.ts DEFAULT_QUEUE_NAME */
export const DEFAULT_QUEUE_NAME = "som-batch";
