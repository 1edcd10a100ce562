/** SAM-family proposers through ONNX: automatic mask generation and interactive prompts. */
export { type GeneratedMask, generateMasks } from "./automatic.js";
export { assertDeviceAvailable, cudaUnavailableReason, isSamDevice, type SamDevice } from "./device.js";
export { type InteractivePrompts, type PointInput, segmentPrompts } from "./interactive.js";
export { inspectSamFolder, type SamDtype, type SamModelFolder } from "./model-folder.js";
export {
  granularityOptions,
  type MaskLevel,
  OFFICIAL_DEFAULTS,
  resolveGeneratorOptions,
  type SamGeneratorOptions,
} from "./options.js";
export { SamPredictor } from "./predictor.js";
export { createSamProposer, openSamSession, type SamProposerOptions, type SamSession } from "./proposer.js";
export { loadSamRuntime, type SamRuntime } from "./runtime.js";
