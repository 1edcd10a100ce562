import type { InferenceSession } from "onnxruntime-node";
import type { RasterImage } from "../../../image/raster.js";
import type { TextBox } from "./detect.js";

export interface RecognizedLine {
  text: string;
  /** Mean probability of the emitted characters (0 when nothing was read). */
  confidence: number;
}

const REC_HEIGHT = 48;
const MAX_WIDTH = 1600;
const BATCH = 8;

/** Recognise each box: crop, resize to height 48, batch by aspect ratio, CTC greedy decode. */
export async function recognizeLines(
  rec: InferenceSession,
  alphabet: readonly string[],
  image: RasterImage,
  boxes: readonly TextBox[],
): Promise<RecognizedLine[]> {
  const ort = await import("onnxruntime-node");
  const widths = boxes.map((b) =>
    Math.min(MAX_WIDTH, Math.max(REC_HEIGHT / 4, Math.ceil((REC_HEIGHT * b.w) / Math.max(1, b.h)))),
  );
  const order = boxes.map((_, i) => i).sort((a, b) => widths[a] - widths[b]);
  const out: RecognizedLine[] = new Array(boxes.length);
  for (let s = 0; s < order.length; s += BATCH) {
    const idx = order.slice(s, s + BATCH);
    // Batch width: the widest crop, at least PaddleOCR's 320 (narrow crops are padded, not stretched).
    const bw = Math.max(320, ...idx.map((i) => widths[i]));
    const plane = REC_HEIGHT * bw;
    const data = new Float32Array(idx.length * 3 * plane);
    idx.forEach((i, k) => {
      fillCrop(image, boxes[i], widths[i], bw, data, k * 3 * plane);
    });
    const input = new ort.Tensor("float32", data, [idx.length, 3, REC_HEIGHT, bw]);
    const result = await rec.run({ [rec.inputNames[0]]: input });
    const t = result[rec.outputNames[0]];
    const [, steps, classes] = t.dims as number[];
    const probs = t.data as Float32Array;
    idx.forEach((i, k) => {
      out[i] = ctcDecode(probs, k * steps * classes, steps, classes, alphabet);
    });
  }
  return out;
}

/** Bilinear crop of `box` to REC_HEIGHT × cw, normalised to [-1, 1], BGR planes, zero-padded to bw. */
function fillCrop(
  image: RasterImage,
  box: TextBox,
  cw: number,
  bw: number,
  out: Float32Array,
  offset: number,
) {
  const plane = REC_HEIGHT * bw;
  const sx = box.w / cw;
  const sy = box.h / REC_HEIGHT;
  const { data, width } = image;
  for (let v = 0; v < REC_HEIGHT; v++) {
    const fy = Math.min(Math.max(box.y + (v + 0.5) * sy - 0.5, box.y), box.y + box.h - 1);
    const iy = Math.floor(fy);
    const ty = fy - iy;
    const iy1 = Math.min(iy + 1, box.y + box.h - 1);
    for (let u = 0; u < cw; u++) {
      const fx = Math.min(Math.max(box.x + (u + 0.5) * sx - 0.5, box.x), box.x + box.w - 1);
      const ix = Math.floor(fx);
      const tx = fx - ix;
      const ix1 = Math.min(ix + 1, box.x + box.w - 1);
      const a = (iy * width + ix) * 4;
      const b = (iy * width + ix1) * 4;
      const c = (iy1 * width + ix) * 4;
      const d = (iy1 * width + ix1) * 4;
      for (let ch = 0; ch < 3; ch++) {
        const top = data[a + ch] * (1 - tx) + data[b + ch] * tx;
        const bot = data[c + ch] * (1 - tx) + data[d + ch] * tx;
        out[offset + (2 - ch) * plane + v * bw + u] = ((top * (1 - ty) + bot * ty) / 255 - 0.5) / 0.5;
      }
    }
  }
}

/** Greedy CTC: best class per step, repeats collapsed, blanks (class 0) dropped. */
export function ctcDecode(
  probs: Float32Array,
  offset: number,
  steps: number,
  classes: number,
  alphabet: readonly string[],
): RecognizedLine {
  let text = "";
  let sum = 0;
  let n = 0;
  let prev = -1;
  for (let t = 0; t < steps; t++) {
    const row = offset + t * classes;
    let best = 0;
    let bestP = probs[row];
    for (let c = 1; c < classes; c++) {
      if (probs[row + c] > bestP) {
        bestP = probs[row + c];
        best = c;
      }
    }
    if (best !== 0 && best !== prev) {
      text += alphabet[best] ?? "";
      sum += bestP;
      n++;
    }
    prev = best;
  }
  return { text: text.trim(), confidence: n > 0 ? sum / n : 0 };
}
