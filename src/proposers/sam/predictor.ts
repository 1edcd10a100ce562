/**
 * Image embedding (once per image content, cached by hash) and batched prompt decoding. Prompts are in
 * input-image pixels; they are scaled to the model input the way the processor scales them.
 */
import { createHash } from "node:crypto";
import { RawImage, Tensor } from "@huggingface/transformers";
import type { RasterImage } from "../../image/raster.js";
import type { SamRuntime } from "./runtime.js";

export interface SamEmbedding {
  /** sha256 of the image size and pixels. */
  key: string;
  width: number;
  height: number;
  /** The image as resized for the model, before padding: [height, width]. */
  reshaped: [number, number];
  /** The model input size the low-res masks cover: [height, width]. */
  padded: [number, number];
  features: Record<string, Tensor>;
}

/** One prompt: points (label 1 positive, 0 negative) and/or a box [x0, y0, x1, y1], in image pixels. */
export interface SamPrompt {
  points: Array<[number, number]>;
  labels: number[];
  box?: [number, number, number, number];
}

export interface DecodedMasks {
  count: number;
  /** count × 3 predicted IoUs. */
  iou: Float32Array;
  /** count × 3 × maskH × maskW logits. */
  logits: Float32Array;
  maskH: number;
  maskW: number;
}

export function imageKey(image: RasterImage): string {
  return createHash("sha256").update(`${image.width}x${image.height}:`).update(image.data).digest("hex");
}

type Callable<T> = (inputs: Record<string, unknown>) => Promise<T>;

export class SamPredictor {
  private readonly cache = new Map<string, SamEmbedding>();
  /** Encoder runs so far (tests and benchmarks read it to check the cache). */
  encoderRuns = 0;

  constructor(
    readonly runtime: SamRuntime,
    private readonly cacheSize = 4,
  ) {}

  async embed(image: RasterImage): Promise<SamEmbedding> {
    const key = imageKey(image);
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit); // most recently used last
      return hit;
    }
    const raw = new RawImage(
      new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length),
      image.width,
      image.height,
      4,
    );
    const process = this.runtime.processor as unknown as (
      img: RawImage,
    ) => Promise<{ pixel_values: Tensor; reshaped_input_sizes: Array<[number, number]> }>;
    const processed = await process(raw);
    const model = this.runtime.model as unknown as { get_image_embeddings: Callable<Record<string, Tensor>> };
    const features = await model.get_image_embeddings({ pixel_values: processed.pixel_values });
    this.encoderRuns++;
    const dims = processed.pixel_values.dims;
    const emb: SamEmbedding = {
      key,
      width: image.width,
      height: image.height,
      reshaped: processed.reshaped_input_sizes[0],
      padded: [dims[2], dims[3]],
      features,
    };
    this.cache.set(key, emb);
    while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
    return emb;
  }

  /**
   * Decode prompts that all have the same number of points (and either all or none a box) in one call,
   * batched along the decoder's point-batch axis.
   */
  async decode(emb: SamEmbedding, prompts: SamPrompt[]): Promise<DecodedMasks> {
    const n = prompts.length;
    const withBox = prompts[0].box !== undefined;
    const cornerBoxes = withBox && !this.runtime.hasBoxInput;
    const nPts = prompts[0].points.length + (cornerBoxes ? 2 : 0);
    const sx = emb.reshaped[1] / emb.width;
    const sy = emb.reshaped[0] / emb.height;
    const points = new Float32Array(n * nPts * 2);
    const labels = new BigInt64Array(n * nPts);
    const boxes = new Float32Array(withBox && !cornerBoxes ? n * 4 : 0);
    prompts.forEach((p, i) => {
      if (p.points.length + (cornerBoxes ? 2 : 0) !== nPts || (p.box !== undefined) !== withBox) {
        throw new Error("prompts in one decoder batch must have the same shape");
      }
      const pts = [...p.points];
      const labs = [...p.labels];
      if (p.box && cornerBoxes) {
        // SAM decoders exported without input_boxes take a box as its two corners, labels 2 and 3.
        pts.push([p.box[0], p.box[1]], [p.box[2], p.box[3]]);
        labs.push(2, 3);
      } else if (p.box) {
        boxes.set([p.box[0] * sx, p.box[1] * sy, p.box[2] * sx, p.box[3] * sy], i * 4);
      }
      pts.forEach(([x, y], j) => {
        points[(i * nPts + j) * 2] = x * sx;
        points[(i * nPts + j) * 2 + 1] = y * sy;
        labels[i * nPts + j] = BigInt(labs[j]);
      });
    });
    const inputs: Record<string, unknown> = {
      ...emb.features,
      input_points: new Tensor("float32", points, [1, n, nPts, 2]),
      input_labels: new Tensor("int64", labels, [1, n, nPts]),
    };
    if (withBox && !cornerBoxes) {
      // With boxes the point-batch axis is the box axis; n must be 1 then (one box per call).
      inputs.input_boxes = new Tensor("float32", boxes, [1, n, 4]);
    } else if (this.runtime.hasBoxInput && this.runtime.folder.family === "sam") {
      // Sam2Model.forward fills an empty input_boxes itself; SamModel.forward does not.
      inputs.input_boxes = new Tensor("float32", boxes, [1, 0, 4]);
    }
    const model = this.runtime.model as unknown as {
      forward: Callable<{ iou_scores: Tensor; pred_masks: Tensor }>;
    };
    const out = await model.forward(inputs);
    const d = out.pred_masks.dims;
    const iou = out.iou_scores.data as Float32Array;
    const logits = out.pred_masks.data as Float32Array;
    if (d.length !== 5 || d[1] !== n || d[2] !== 3 || iou.length !== n * 3) {
      throw new Error(
        `unexpected decoder output shapes: pred_masks [${d.join(",")}], iou_scores [${out.iou_scores.dims.join(",")}]`,
      );
    }
    return { count: n, iou, logits, maskH: d[3], maskW: d[4] };
  }

  clearCache(): void {
    this.cache.clear();
  }
}
