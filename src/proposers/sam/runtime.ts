/**
 * Loads a SAM-family model folder through @huggingface/transformers (SamModel / Sam2Model / EdgeTamModel
 * and the folder's own image processor), with remote loading switched off, and checks the ONNX signatures
 * against what the rest of this module feeds and reads.
 */
import {
  AutoProcessor,
  EdgeTamModel,
  env,
  type PreTrainedModel,
  type Processor,
  Sam2Model,
  SamModel,
} from "@huggingface/transformers";
import { UserError } from "../../errors.js";
import { assertDeviceAvailable, type SamDevice } from "./device.js";
import { inspectSamFolder, type SamModelFolder } from "./model-folder.js";

interface OrtSessionLike {
  inputNames: readonly string[];
  outputNames: readonly string[];
}

export interface SamRuntime {
  folder: SamModelFolder;
  device: SamDevice;
  model: PreTrainedModel;
  processor: Processor;
  /** Names the encoder produces (fed to the decoder). */
  embeddingNames: string[];
  decoderInputs: readonly string[];
  /** The decoder takes input_boxes (else boxes go in as corner points labelled 2 and 3). */
  hasBoxInput: boolean;
}

export interface LoadSamOptions {
  dtype?: string;
  device?: SamDevice;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n").find((l) => l.trim() !== "") ?? text;
}

function checkNames(what: string, file: string, have: readonly string[], want: string[]): void {
  const missing = want.filter((n) => !have.includes(n));
  if (missing.length > 0) {
    throw new UserError(
      `${file} does not look like a ${what}: it lacks ${missing.join(", ")} (it has ${have.join(", ") || "nothing"})`,
      "bad_model",
    );
  }
}

export async function loadSamRuntime(dir: string, options: LoadSamOptions = {}): Promise<SamRuntime> {
  const folder = inspectSamFolder(dir, options.dtype);
  const device = options.device ?? "cpu";
  assertDeviceAvailable(device);
  // Never reach the network at run time: only the given folder is read.
  env.allowRemoteModels = false;
  env.allowLocalModels = true;

  const ModelClass =
    folder.family === "sam" ? SamModel : folder.modelType.startsWith("edgetam") ? EdgeTamModel : Sam2Model;
  let model: PreTrainedModel;
  let processor: Processor;
  try {
    model = await ModelClass.from_pretrained(folder.dir, {
      local_files_only: true,
      dtype: folder.dtype,
      device,
    });
  } catch (err) {
    const where = device === "cuda" ? " with the CUDA provider" : "";
    throw new UserError(
      `cannot load the ONNX files of ${folder.dir}${where}: ${firstLine(err)}`,
      "bad_model",
    );
  }
  try {
    processor = await AutoProcessor.from_pretrained(folder.dir, { local_files_only: true });
  } catch (err) {
    throw new UserError(
      `cannot read preprocessor_config.json in ${folder.dir}: ${firstLine(err)}`,
      "bad_model",
    );
  }

  const sessions = (model as unknown as { sessions: Record<string, OrtSessionLike> }).sessions;
  const encoder = sessions.model;
  const decoder = sessions.prompt_encoder_mask_decoder;
  const embeddingNames =
    folder.family === "sam"
      ? ["image_embeddings", "image_positional_embeddings"]
      : Array.from({ length: folder.featureLevels }, (_, i) => `image_embeddings.${i}`);
  checkNames("SAM vision encoder", folder.encoderFile, encoder.inputNames, ["pixel_values"]);
  checkNames("SAM vision encoder", folder.encoderFile, encoder.outputNames, embeddingNames);
  checkNames("SAM prompt encoder / mask decoder", folder.decoderFile, decoder.inputNames, [
    "input_points",
    "input_labels",
    ...embeddingNames,
  ]);
  checkNames("SAM prompt encoder / mask decoder", folder.decoderFile, decoder.outputNames, [
    "iou_scores",
    "pred_masks",
  ]);
  if (folder.family === "sam2") {
    // Sam2Model.forward reads the number of feature levels from the config.
    const config = model.config as unknown as { vision_config?: { num_feature_levels?: number } };
    config.vision_config = { ...config.vision_config, num_feature_levels: folder.featureLevels };
  }
  return {
    folder,
    device,
    model,
    processor,
    embeddingNames,
    decoderInputs: decoder.inputNames,
    hasBoxInput: decoder.inputNames.includes("input_boxes"),
  };
}
