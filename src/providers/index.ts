export { defaultCacheDir, withCache } from "./cache.js";
export { cacheKey, requestKey } from "./cache-key.js";
export { createProvider, PROVIDER_NAMES, type ProviderConfig, type ProviderName } from "./create.js";
export { ProviderError, type ProviderErrorCode } from "./errors.js";
export { fitImageSize, IMAGE_LIMITS } from "./image-limits.js";
export { createReplayProvider, type RecordedAnswer, withRecorder } from "./replay.js";
export type {
  CompleteRequest,
  CompleteResult,
  ImageLimits,
  Provider,
  RequestSettings,
  Usage,
} from "./types.js";
