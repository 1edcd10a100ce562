/**
 * Tiny stand-ins for SAM-family ONNX exports, with the exact input/output names and shapes of the
 * transformers.js layouts (Xenova/sam-*, onnx-community/sam2.1-*, EdgeTAM), whose decoder draws known
 * masks so every step around the model can be checked against exact answers:
 *
 * - positive points (label 1): union of discs, radius r_k for multimask output k, logit (r_k² − d²)/slope_k
 *   (d = distance from the 4×4-pixel cell centre of the 256² mask grid to the point, in model-input pixels);
 * - negative points (label 0) cut a disc of the same radius out;
 * - a box (input_boxes, or corner points labelled 2/3 for SAM decoders without input_boxes) fills the
 *   rectangle, logit = (distance to the nearest box side) / 8;
 * - iou_scores[k] = iou_k + embeddingGain · mean(image embedding), so a test can see which image's
 *   embedding reached the decoder.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FLOAT, GraphBuilder, INT64 } from "./onnx-proto.js";

export type TinyFamily = "sam" | "sam2" | "edgetam";

export interface TinySamSpec {
  family: TinyFamily;
  /** Disc radius per multimask output, in model-input (1024-space) pixels. */
  radii?: [number, number, number];
  /** logit = (r² − d²) / slope; larger slope = softer edge = lower stability score. */
  slopes?: [number, number, number];
  iou?: [number, number, number];
  embeddingGain?: number;
  /** SAM only: give the decoder an input_boxes input (SAM 2 decoders always have one). */
  boxInput?: boolean;
  /** File-name suffixes to write, e.g. ["", "_quantized"]. */
  suffixes?: string[];
  objectScore?: number;
}

const BIG = 1e8;
const GRID = 256;
const CELL = 1024 / GRID;

function channelPicker(out: number): number[] {
  // out×3×1×1 weights: output channel c copies input channel c % 3.
  const w: number[] = [];
  for (let c = 0; c < out; c++) for (let i = 0; i < 3; i++) w.push(c % 3 === i ? 1 : 0);
  return w;
}

export function buildEncoder(family: TinyFamily): Uint8Array {
  const g = new GraphBuilder();
  const px = g.input("pixel_values", FLOAT, ["batch_size", 3, 1024, 1024]);
  const level = (kernel: number, channels: number, name: string) => {
    const pooled = g.op("AveragePool", [px], { kernel_shape: [kernel, kernel], strides: [kernel, kernel] });
    g.op("Conv", [pooled, g.constF([channels, 3, 1, 1], channelPicker(channels))], {}, name);
    g.output(name, FLOAT, ["batch_size", channels, 1024 / kernel, 1024 / kernel]);
    return pooled;
  };
  if (family === "sam") {
    const pooled = level(16, 256, "image_embeddings");
    const bias = Array.from({ length: 256 }, (_, c) => c / 256);
    g.op(
      "Conv",
      [pooled, g.constF([256, 3, 1, 1], new Array(768).fill(0)), g.constF([256], bias)],
      {},
      "image_positional_embeddings",
    );
    g.output("image_positional_embeddings", FLOAT, ["batch_size", 256, 64, 64]);
  } else {
    level(4, 32, "image_embeddings.0");
    level(8, 64, "image_embeddings.1");
    level(16, 256, "image_embeddings.2");
  }
  return g.encode();
}

export function buildDecoder(spec: TinySamSpec): Uint8Array {
  const radii = spec.radii ?? [48, 96, 192];
  const slopes = spec.slopes ?? radii.map((r) => r * r * 0.01);
  const iou = spec.iou ?? [0.95, 0.95, 0.95];
  const sam2 = spec.family !== "sam";
  const boxInput = sam2 || spec.boxInput === true;
  const g = new GraphBuilder();

  // Inputs, named and shaped as the real exports.
  const embName = sam2 ? "image_embeddings.2" : "image_embeddings";
  if (sam2) {
    g.input("image_embeddings.0", FLOAT, ["batch_size", 32, 256, 256]);
    g.input("image_embeddings.1", FLOAT, ["batch_size", 64, 128, 128]);
    g.input("image_embeddings.2", FLOAT, ["batch_size", 256, 64, 64]);
  } else {
    g.input("image_embeddings", FLOAT, ["batch_size", 256, 64, 64]);
    g.input("image_positional_embeddings", FLOAT, ["batch_size", 256, 64, 64]);
  }
  const pts = g.input("input_points", FLOAT, ["batch_size", "point_batch_size", "num_points", 2]);
  const labels = g.input("input_labels", INT64, ["batch_size", "point_batch_size", "num_points"]);
  const boxes = boxInput ? g.input("input_boxes", FLOAT, ["batch_size", "num_boxes", 4]) : "";

  const i64 = (...v: number[]) => g.constI([v.length], v);
  const scalarI = (v: number) => g.constI([], [v]);
  const scalarF = (v: number) => g.constF([], [v]);

  // Append one padding point (label −10) so the graph also works with zero points (box-only prompts).
  const bp = g.op("Slice", [g.op("Shape", [pts]), i64(0), i64(2), i64(0)]);
  const padPt = g.op("Expand", [
    g.constF([1, 1, 1, 2], [0, 0]),
    g.op("Concat", [bp, i64(1, 2)], { axis: 0 }),
  ]);
  const allPts = g.op("Concat", [pts, padPt], { axis: 2 });
  const padLab = g.op("Expand", [g.constI([1, 1, 1], [-10]), g.op("Concat", [bp, i64(1)], { axis: 0 })]);
  const allLab = g.op("Concat", [labels, padLab], { axis: 2 });
  const isLabel = (v: number) => g.op("Cast", [g.op("Equal", [allLab, scalarI(v)])], { to: FLOAT });

  const px = g.op("Gather", [allPts, scalarI(0)], { axis: 3 }); // [B,P,N]
  const py = g.op("Gather", [allPts, scalarI(1)], { axis: 3 });
  const centres = Array.from({ length: GRID }, (_, j) => j * CELL + CELL / 2);
  const gx5 = g.constF([1, 1, 1, 1, GRID], centres);
  const gy5 = g.constF([1, 1, 1, GRID, 1], centres);
  const sq = (a: string) => g.op("Mul", [a, a]);
  const d2 = g.op("Add", [
    sq(g.op("Sub", [gx5, g.op("Unsqueeze", [px, i64(3, 4)])])),
    sq(g.op("Sub", [gy5, g.op("Unsqueeze", [py, i64(3, 4)])])),
  ]); // [B,P,N,256,256]
  const nearestD2 = (isL: string) => {
    const penalty = g.op("Mul", [g.op("Sub", [scalarF(1), isL]), scalarF(BIG)]);
    const masked = g.op("Add", [d2, g.op("Unsqueeze", [penalty, i64(3, 4)])]);
    return g.op("Unsqueeze", [g.op("ReduceMin", [masked], { axes: [2], keepdims: 0 }), i64(2)]); // [B,P,1,256,256]
  };
  const r2 = g.constF(
    [1, 1, 3, 1, 1],
    radii.map((r) => r * r),
  );
  const invSlope = g.constF(
    [1, 1, 3, 1, 1],
    slopes.map((s) => 1 / s),
  );
  const discLogit = (nd2: string) => g.op("Mul", [g.op("Sub", [r2, nd2]), invSlope]);
  const pointLogit = g.op("Min", [
    discLogit(nearestD2(isLabel(1))),
    g.op("Neg", [discLogit(nearestD2(isLabel(0)))]),
  ]); // [B,P,3,256,256]

  // Rectangle logit from box corners x1,y1,x2,y2 of shape [..., 1, 1].
  const gx4 = g.constF([1, 1, 1, GRID], centres);
  const gy4 = g.constF([1, 1, GRID, 1], centres);
  const rect = (x1: string, y1: string, x2: string, y2: string) =>
    g.op("Mul", [
      g.op("Min", [
        g.op("Min", [g.op("Sub", [gx4, x1]), g.op("Sub", [x2, gx4])]),
        g.op("Min", [g.op("Sub", [gy4, y1]), g.op("Sub", [y2, gy4])]),
      ]),
      scalarF(1 / 8),
    ]);
  let rectLogit: string; // [B,P or 1,1,256,256]
  if (boxInput) {
    const bsz = g.op("Slice", [g.op("Shape", [boxes]), i64(0), i64(1), i64(0)]);
    const far = g.op("Expand", [
      g.constF([1, 1, 4], [BIG, BIG, -BIG, -BIG]),
      g.op("Concat", [bsz, i64(1, 4)], { axis: 0 }),
    ]);
    const allBoxes = g.op("Concat", [boxes, far], { axis: 1 }); // [B,M+1,4]
    const corner = (k: number) =>
      g.op("Unsqueeze", [g.op("Gather", [allBoxes, scalarI(k)], { axis: 2 }), i64(2, 3)]);
    const r = rect(corner(0), corner(1), corner(2), corner(3)); // [B,M+1,256,256]
    rectLogit = g.op("Unsqueeze", [g.op("ReduceMax", [r], { axes: [1], keepdims: 1 }), i64(2)]);
  } else {
    const cornerOf = (coord: string, label: number) => {
      const is = isLabel(label);
      const v = g.op("Add", [
        g.op("Mul", [coord, is]),
        g.op("Mul", [g.op("Sub", [is, scalarF(1)]), scalarF(BIG)]),
      ]);
      return g.op("Unsqueeze", [g.op("ReduceMax", [v], { axes: [2], keepdims: 0 }), i64(2, 3)]); // [B,P,1,1]
    };
    const r = rect(cornerOf(px, 2), cornerOf(py, 2), cornerOf(px, 3), cornerOf(py, 3));
    rectLogit = g.op("Unsqueeze", [r, i64(2)]);
  }
  g.op("Max", [pointLogit, rectLogit], {}, "pred_masks");
  g.output("pred_masks", FLOAT, ["batch_size", "point_batch_size", 3, GRID, GRID]);

  const embMean = g.op("ReduceMean", [embName], { axes: [1, 2, 3], keepdims: 0 });
  const iouB = g.op("Add", [
    g.constF([1, 1, 3], iou),
    g.op("Mul", [g.op("Unsqueeze", [embMean, i64(1, 2)]), scalarF(spec.embeddingGain ?? 0)]),
  ]);
  g.op("Expand", [iouB, g.op("Concat", [bp, i64(3)], { axis: 0 })], {}, "iou_scores");
  g.output("iou_scores", FLOAT, ["batch_size", "point_batch_size", 3]);
  if (sam2) {
    const obj = g.constF([1, 1, 1], [spec.objectScore ?? 10]);
    g.op("Expand", [obj, g.op("Concat", [bp, i64(1)], { axis: 0 })], {}, "object_score_logits");
    g.output("object_score_logits", FLOAT, ["batch_size", "point_batch_size", 1]);
  }
  return g.encode();
}

const SAM_PREPROCESSOR = {
  do_convert_rgb: true,
  do_normalize: true,
  do_pad: true,
  do_rescale: true,
  do_resize: true,
  image_mean: [0.485, 0.456, 0.406],
  image_std: [0.229, 0.224, 0.225],
  image_processor_type: "SamImageProcessor",
  pad_size: { height: 1024, width: 1024 },
  processor_class: "SamProcessor",
  resample: 2,
  rescale_factor: 1 / 255,
  size: { longest_edge: 1024 },
};

const SAM2_PREPROCESSOR = {
  do_convert_rgb: true,
  do_normalize: true,
  do_rescale: true,
  do_resize: true,
  image_mean: [0.485, 0.456, 0.406],
  image_std: [0.229, 0.224, 0.225],
  image_processor_type: "Sam2ImageProcessorFast",
  mask_size: { height: 256, width: 256 },
  processor_class: "Sam2Processor",
  resample: 2,
  rescale_factor: 1 / 255,
  size: { height: 1024, width: 1024 },
};

/** Write a model folder in the transformers.js layout; returns the folder. */
export function writeTinySamFolder(dir: string, spec: TinySamSpec): string {
  mkdirSync(join(dir, "onnx"), { recursive: true });
  const modelType = spec.family === "sam" ? "sam" : spec.family === "sam2" ? "sam2" : "edgetam";
  const config =
    spec.family === "sam"
      ? { model_type: modelType, architectures: ["SamModel"] }
      : {
          model_type: modelType,
          architectures: [spec.family === "sam2" ? "Sam2Model" : "EdgeTamModel"],
          vision_config: { num_feature_levels: 3 },
        };
  writeFileSync(join(dir, "config.json"), JSON.stringify(config, null, 2));
  writeFileSync(
    join(dir, "preprocessor_config.json"),
    JSON.stringify(spec.family === "sam" ? SAM_PREPROCESSOR : SAM2_PREPROCESSOR, null, 2),
  );
  const enc = buildEncoder(spec.family);
  const dec = buildDecoder(spec);
  for (const suffix of spec.suffixes ?? [""]) {
    writeFileSync(join(dir, "onnx", `vision_encoder${suffix}.onnx`), enc);
    writeFileSync(join(dir, "onnx", `prompt_encoder_mask_decoder${suffix}.onnx`), dec);
  }
  return dir;
}
