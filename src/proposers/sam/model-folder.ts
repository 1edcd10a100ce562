/**
 * Checks a SAM-family model folder in the transformers.js layout before anything is loaded, so a wrong
 * folder gets one error line naming what is missing instead of a stack trace from deep inside a loader:
 *
 *   config.json                 model_type: sam | sam2 | sam2_video | edgetam | edgetam_video | sam3_tracker
 *   preprocessor_config.json
 *   onnx/vision_encoder{suffix}.onnx
 *   onnx/prompt_encoder_mask_decoder{suffix}.onnx   suffix by dtype: "" fp32, "_fp16", "_quantized" (q8), …
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../../errors.js";

/** sam = SAM 1 (SlimSAM, MedSAM… share it); sam2 = SAM 2 / 2.1, EdgeTAM, SAM 3 tracker (multi-level features). */
export type SamFamily = "sam" | "sam2";

/** dtype name → file-name suffix, as transformers.js maps them. */
export const DTYPE_SUFFIXES = {
  fp32: "",
  fp16: "_fp16",
  q8: "_quantized",
  int8: "_int8",
  uint8: "_uint8",
  q4: "_q4",
  q4f16: "_q4f16",
  bnb4: "_bnb4",
} as const;
export type SamDtype = keyof typeof DTYPE_SUFFIXES;

const MODEL_TYPES: Record<string, SamFamily> = {
  sam: "sam",
  sam2: "sam2",
  sam2_video: "sam2",
  edgetam: "sam2",
  edgetam_video: "sam2",
  sam3_tracker: "sam2",
};

export interface SamModelFolder {
  dir: string;
  family: SamFamily;
  /** config.json model_type, e.g. "sam2". */
  modelType: string;
  dtype: SamDtype;
  /** dtypes for which both ONNX files exist. */
  availableDtypes: SamDtype[];
  encoderFile: string;
  decoderFile: string;
  /** From config.json vision_config.num_feature_levels (SAM 2 family); 1 for SAM. */
  featureLevels: number;
}

function readJson(file: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UserError(`${what} cannot be read: ${file}`, "bad_model");
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("not an object");
    return value as Record<string, unknown>;
  } catch {
    throw new UserError(`${what} is not valid JSON: ${file}`, "bad_model");
  }
}

export function isSamDtype(value: string): value is SamDtype {
  return Object.hasOwn(DTYPE_SUFFIXES, value);
}

/** Validate `dir` as a SAM-family model folder; `dtype` picks the ONNX files (default: fp32 if present). */
export function inspectSamFolder(dir: string, dtype?: string): SamModelFolder {
  const root = resolve(dir);
  if (!existsSync(root)) throw new UserError(`model folder not found: ${root}`, "bad_model");
  if (!statSync(root).isDirectory()) throw new UserError(`model path is not a folder: ${root}`, "bad_model");

  const missing: string[] = [];
  for (const f of ["config.json", "preprocessor_config.json"])
    if (!existsSync(join(root, f))) missing.push(f);
  const onnxDir = join(root, "onnx");
  const onnxFiles = existsSync(onnxDir) && statSync(onnxDir).isDirectory() ? readdirSync(onnxDir) : [];
  const availableDtypes = (Object.keys(DTYPE_SUFFIXES) as SamDtype[]).filter(
    (d) =>
      onnxFiles.includes(`vision_encoder${DTYPE_SUFFIXES[d]}.onnx`) &&
      onnxFiles.includes(`prompt_encoder_mask_decoder${DTYPE_SUFFIXES[d]}.onnx`),
  );
  if (dtype !== undefined && !isSamDtype(dtype)) {
    throw new UserError(`unknown dtype "${dtype}" (use one of: ${Object.keys(DTYPE_SUFFIXES).join(", ")})`);
  }
  const chosen: SamDtype | undefined = dtype ?? availableDtypes[0];
  if (chosen === undefined || !availableDtypes.includes(chosen)) {
    const suffix = DTYPE_SUFFIXES[chosen ?? "fp32"];
    for (const f of [`vision_encoder${suffix}.onnx`, `prompt_encoder_mask_decoder${suffix}.onnx`]) {
      if (!onnxFiles.includes(f)) missing.push(`onnx/${f}`);
    }
  }
  if (missing.length > 0) {
    const have = availableDtypes.length > 0 ? ` (dtypes present: ${availableDtypes.join(", ")})` : "";
    throw new UserError(
      `${root} is not a SAM model folder in the transformers.js layout: missing ${missing.join(", ")}${have}`,
      "bad_model",
    );
  }

  const config = readJson(join(root, "config.json"), "config.json");
  readJson(join(root, "preprocessor_config.json"), "preprocessor_config.json");
  const modelType = typeof config.model_type === "string" ? config.model_type : "";
  const family = MODEL_TYPES[modelType];
  if (family === undefined) {
    throw new UserError(
      `config.json in ${root} has model_type "${modelType || "(none)"}"; expected one of ${Object.keys(MODEL_TYPES).join(", ")}`,
      "bad_model",
    );
  }
  const vision = (config.vision_config ?? {}) as Record<string, unknown>;
  const featureLevels =
    family === "sam" ? 1 : typeof vision.num_feature_levels === "number" ? vision.num_feature_levels : 3;
  const suffix = DTYPE_SUFFIXES[chosen as SamDtype];
  return {
    dir: root,
    family,
    modelType,
    dtype: chosen as SamDtype,
    availableDtypes,
    encoderFile: join(onnxDir, `vision_encoder${suffix}.onnx`),
    decoderFile: join(onnxDir, `prompt_encoder_mask_decoder${suffix}.onnx`),
    featureLevels,
  };
}
