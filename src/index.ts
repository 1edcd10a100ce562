// Library entry ("som"): every pipeline stage, usable on its own. Heavier or optional parts have subpaths
// (package.json "exports"): som/sam (ONNX SAM), som/eval (benchmark harness), som/metrics (official scorers),
// som/web, som/agent and som/browser (Chromium). Features add one `export … from` line each at the end.
export type { LoadedImage, LoadImageOptions } from "./image/load.js";
export { DEFAULT_MAX_PIXELS, decodeImage, loadImage } from "./image/load.js";
export type { RasterImage } from "./image/raster.js";
export { createRaster } from "./image/raster.js";
export type { Manifest, ManifestMark, ManifestSettings } from "./manifest/manifest.js";
export { buildManifest, MANIFEST_VERSION } from "./manifest/manifest.js";
export type { AllocateOptions, Allocation, LabelSize, PlacedMark } from "./marks/allocate.js";
export { allocateMarks } from "./marks/allocate.js";
export type { LabelStyle } from "./marks/labels.js";
export { labelNumber, labelText } from "./marks/labels.js";
export { placeMarks } from "./marks/place.js";
export type { MarkOptions, MarkResult } from "./pipeline/mark.js";
export {
  DEFAULT_ALPHA,
  DEFAULT_GRANULARITY,
  DEFAULT_MARKS,
  markImage,
} from "./pipeline/mark.js";
export { type RegionInput, regionsFor, selectRegions } from "./pipeline/regions.js";
export { UserError } from "./errors.js";
export type { BuiltinDetectorOption, BuiltinProposerOptions } from "./proposers/builtin/index.js";
export { BuiltinProposer, createBuiltinProposer } from "./proposers/builtin/index.js";
export {
  buildHierarchy,
  DEFAULT_HIERARCHY_OPTIONS,
  type HierarchyOptions,
  hierarchyRegions,
  levelCounts,
  RegionHierarchy,
  type SelectOptions,
} from "./proposers/builtin/index.js";
export type { MaskFileOptions } from "./proposers/masks/index.js";
export { createMasksProposer, loadMaskRegions } from "./proposers/masks/index.js";
export type { ProposeOptions, Proposer, ProposeProgress } from "./proposers/proposer.js";
export { createProposer } from "./proposers/registry.js";
export {
  createUiProposer,
  formatUiMarks,
  type UiKind,
  type UiProposerOptions,
} from "./proposers/ui/index.js";
export type { BBox, Mask } from "./regions/mask.js";
export * from "./regions/mask.js";
export type { Region, RegionSource } from "./regions/region.js";
export { makeRegion, renumber } from "./regions/region.js";
export type { CocoRle } from "./regions/rle.js";
export { decodeRle, encodeRle, rleArea, rleToBbox } from "./regions/rle.js";
export type { Rgb } from "./render/colors.js";
export { contrastRatio, markColor, textColorFor } from "./render/colors.js";
export type { MarkType, RenderOptions } from "./render/render.js";
export { encodeCanvasPng, renderMarks, renderMarksPng } from "./render/render.js";

// Asking a model: providers, prompts, parsing, task runners.
export type { AskOptions } from "./pipeline/ask.js";
export { ask } from "./pipeline/ask.js";
export { markImage as mark } from "./pipeline/mark.js";
export * from "./parse/index.js";
export * from "./prompts/index.js";
export * from "./providers/index.js";
export * from "./tasks/index.js";

// Features: one line each (keep appending below).
