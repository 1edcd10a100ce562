/**
 * `createSamProposer(options)`: the SAM-family automatic mask generator as a pipeline Proposer
 * (`som mark --proposer sam --model DIR`). The model loads on first use and stays loaded; embeddings are
 * cached per image content, so re-proposing the same image at another granularity skips the encoder.
 */
import type { RasterImage } from "../../image/raster.js";
import { makeRegion, type Region } from "../../regions/region.js";
import { resolveModelPath } from "../../models/registry.js";
import type { ProposeOptions, Proposer } from "../proposer.js";
import { generateMasks } from "./automatic.js";
import type { SamDevice } from "./device.js";
import { resolveGeneratorOptions, type SamGeneratorOptions } from "./options.js";
import { SamPredictor } from "./predictor.js";
import { loadSamRuntime } from "./runtime.js";

export interface SamProposerOptions extends SamGeneratorOptions {
  /** Model folder (transformers.js layout) or a name registered with `som models add`. */
  model: string;
  /** fp32 (default when present), fp16, q8, … (picks onnx/*{suffix}.onnx). */
  dtype?: string;
  device?: SamDevice;
}

export interface SamSession {
  predictor: SamPredictor;
}

/** Load once, share between the proposer and interactive segmentation. */
export async function openSamSession(
  options: Pick<SamProposerOptions, "model" | "dtype" | "device">,
): Promise<SamSession> {
  const runtime = await loadSamRuntime(resolveModelPath(options.model), {
    dtype: options.dtype,
    device: options.device,
  });
  return { predictor: new SamPredictor(runtime) };
}

export function createSamProposer(
  options: SamProposerOptions,
): Proposer & { session(): Promise<SamSession> } {
  const { model, dtype, device, ...generator } = options;
  let session: Promise<SamSession> | null = null;
  const getSession = () => {
    session ??= openSamSession({ model, dtype, device });
    session.catch(() => {
      session = null;
    });
    return session;
  };
  return {
    name: "sam",
    session: getSession,
    async propose(image: RasterImage, opts: ProposeOptions = {}): Promise<Region[]> {
      const resolved = resolveGeneratorOptions(generator, opts.granularity, image.width, image.height);
      const { predictor } = await getSession();
      const masks = await generateMasks(predictor, image, resolved, {
        signal: opts.signal,
        onProgress: opts.onProgress,
      });
      // Best first, so maxMarks keeps the most confident masks.
      const ranked = [...masks].sort((a, b) => b.predictedIou - a.predictedIou);
      const kept = opts.maxMarks !== undefined ? ranked.slice(0, Math.max(0, opts.maxMarks)) : ranked;
      return kept.map((m, i) =>
        makeRegion(i + 1, m.mask, "sam", Math.min(1, Math.max(0, m.predictedIou)), {
          predicted_iou: m.predictedIou,
          stability_score: m.stabilityScore,
          point_coords: m.point,
          crop_box: [m.cropBox[0], m.cropBox[1], m.cropBox[2] - m.cropBox[0], m.cropBox[3] - m.cropBox[1]],
          level: m.level,
        }),
      );
    },
  };
}
