import type { RasterImage } from "../../../image/raster.js";
import { detectText, type TextBox } from "./detect.js";
import { loadOcrModels } from "./models.js";
import { recognizeLines } from "./recognize.js";

export interface OcrLine extends TextBox {
  text: string;
  confidence: number;
}

/** PP-OCRv4 over a whole image: text lines in original pixels with their text and confidence. */
export async function runOcr(image: RasterImage, modelDir?: string): Promise<OcrLine[]> {
  const models = await loadOcrModels(modelDir);
  const boxes = await detectText(models.det, image);
  const lines = await recognizeLines(models.rec, models.alphabet, image, boxes);
  return boxes
    .map((b, i) => ({ ...b, ...lines[i] }))
    .filter((l) => l.text !== "")
    .sort((a, b) => a.y - b.y || a.x - b.x);
}
