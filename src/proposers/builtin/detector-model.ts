/**
 * Optional object detector for seeding the built-in proposer: the COCO 80-class CenterNet (MobileNetV3)
 * that ships as a TF.js graph model in the npm package @vladmandic/human (models/centernet.json + .bin,
 * MIT). It runs on @tensorflow/tfjs-core + tfjs-converter with the pure-WebAssembly backend
 * (@tensorflow/tfjs-backend-wasm, its .wasm files read from node_modules): no native binary, nothing
 * downloaded at run time. All four packages are optionalDependencies, imported lazily here only.
 *
 * Pre/post-processing reproduces @vladmandic/human's src/object/centernet.ts: RGB as float 0..255,
 * stretched (no letterbox) bilinearly to 512×512, output `tower_0/detections` = 100 × [x1, y1, x2, y2,
 * score, class] in 512-pixel input coordinates, then NMS (human: IoU 0.4, min score 0.2).
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { RasterImage } from "../../image/raster.js";
import { UserError } from "../../errors.js";
import { COCO_THING_LABELS } from "./detector-labels.js";

export const DETECTOR_NAMES = ["centernet"] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];
/** The detector the built-in proposer uses by default, when its optional packages load. */
export const DEFAULT_DETECTOR: DetectorName = "centernet";
/** What `--detector` accepts: a detector, or "none" for the weight-free path. */
export const DETECTOR_CHOICES = ["none", ...DETECTOR_NAMES] as const;
export type DetectorChoice = (typeof DETECTOR_CHOICES)[number];

/** `--detector` is a flag of the built-in proposer: any other proposer refuses it (one line). */
export function assertDetectorFits(detector: unknown, proposerName: string): void {
  if (detector !== undefined && proposerName !== "builtin")
    throw new UserError(`--detector works with the builtin proposer only, not --proposer ${proposerName}`);
}

/** The one line printed when the default detector cannot load and the weight-free path runs instead. */
export function detectorFallbackWarning(detector: DetectorName, why: string): string {
  return (
    `som: warning: the built-in proposer's detector (${detector}) could not load, so marks come from the ` +
    `weight-free path: ${why} (--detector none chooses that path without this warning)`
  );
}

/** One detected object, in input-image pixels. */
export interface Detection {
  /** [x, y, w, h] */
  box: [number, number, number, number];
  score: number;
  /** COCO 80-class index (0 = person) and its name. */
  classId: number;
  label: string;
}

export interface DetectOptions {
  /** Detections below this score are dropped (human's default 0.2). */
  minScore?: number;
  /** NMS IoU (human's default 0.4). */
  nmsIoU?: number;
  /** Most detections kept, best first. */
  maxDetections?: number;
}

export interface ObjectDetector {
  readonly name: DetectorName;
  /** Where the weights come from, for manifests: "@vladmandic/human@3.3.6". */
  readonly version: string;
  detect(image: RasterImage, options?: DetectOptions): Promise<Detection[]>;
}

const INPUT_SIZE = 512;
const OUTPUT_NODE = "tower_0/detections";
const PACKAGES = [
  "@tensorflow/tfjs-core",
  "@tensorflow/tfjs-converter",
  "@tensorflow/tfjs-backend-wasm",
  "@vladmandic/human",
];
/** The command that installs the optional detector packages (for error messages). */
export const INSTALL_HINT = `npm install ${PACKAGES.map((p) => `${p}@${p.startsWith("@vladmandic") ? "3.3.6" : "4.22.0"}`).join(" ")}`;

type Tf = typeof import("@tensorflow/tfjs-core");
type GraphModel = import("@tensorflow/tfjs-converter").GraphModel;

let loading: Promise<ObjectDetector> | undefined;

/**
 * The detector, loaded once per process (~0.1 s: WebAssembly backend + 4 MB of weights). Throws a
 * one-line UserError naming the packages to install when the optional packages are missing.
 */
export function loadDetector(name: DetectorName = "centernet"): Promise<ObjectDetector> {
  if (!(DETECTOR_NAMES as readonly string[]).includes(name))
    return Promise.reject(
      new UserError(`unknown detector "${name}" (choose from ${DETECTOR_NAMES.join(", ")})`),
    );
  loading ??= loadCenterNet().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/** Whether the optional detector packages can be resolved (without loading them). */
export function detectorAvailable(): boolean {
  try {
    for (const p of PACKAGES) import.meta.resolve(p);
    return true;
  } catch {
    return false;
  }
}

async function importOptional<T>(pkg: string): Promise<T> {
  try {
    return (await import(pkg)) as T;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND")
      throw new UserError(`the detector needs the optional package ${pkg}; install it with: ${INSTALL_HINT}`);
    throw e;
  }
}

async function loadCenterNet(): Promise<ObjectDetector> {
  const require = createRequire(import.meta.url);
  // The emscripten glue of the wasm backend adds process-wide uncaughtException/unhandledRejection
  // handlers that rethrow; remove whatever it adds so the host's own handling stays as it was.
  const before = {
    uncaughtException: process.listeners("uncaughtException"),
    unhandledRejection: process.listeners("unhandledRejection"),
  };
  const tf = await importOptional<Tf>("@tensorflow/tfjs-core");
  const converter = await importOptional<typeof import("@tensorflow/tfjs-converter")>(
    "@tensorflow/tfjs-converter",
  );
  const wasm = await importOptional<typeof import("@tensorflow/tfjs-backend-wasm")>(
    "@tensorflow/tfjs-backend-wasm",
  );
  let modelDir: string;
  try {
    // The package's entry is dist/human.node.js; the models sit beside dist/. (Only the files are used.)
    modelDir = path.resolve(path.dirname(require.resolve("@vladmandic/human")), "../models");
  } catch {
    throw new UserError(
      `the detector needs the optional package @vladmandic/human (it ships the model); install it with: ${INSTALL_HINT}`,
    );
  }
  const wasmDir = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm")), path.sep);
  wasm.setWasmPaths(wasmDir);
  if (tf.getBackend() !== "wasm") {
    const ok = await tf.setBackend("wasm");
    if (!ok) throw new Error("could not start the TensorFlow.js WebAssembly backend");
  }
  await tf.ready();
  for (const l of process.listeners("uncaughtException"))
    if (!before.uncaughtException.includes(l)) process.removeListener("uncaughtException", l);
  for (const l of process.listeners("unhandledRejection"))
    if (!before.unhandledRejection.includes(l)) process.removeListener("unhandledRejection", l);

  const json = JSON.parse(await readFile(path.join(modelDir, "centernet.json"), "utf8"));
  const bin = await readFile(path.join(modelDir, "centernet.bin"));
  const weightSpecs = (json.weightsManifest as { weights: unknown[] }[]).flatMap((g) => g.weights);
  const model: GraphModel = await converter.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: weightSpecs as never,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
    }),
  );
  const pkg = JSON.parse(await readFile(path.join(modelDir, "../package.json"), "utf8")) as {
    version?: string;
  };
  return {
    name: "centernet",
    version: `@vladmandic/human@${pkg.version ?? "unknown"}`,
    async detect(image, options = {}) {
      const input = tf.tensor4d(resizeRgb(image, INPUT_SIZE), [1, INPUT_SIZE, INPUT_SIZE, 3]);
      const out = model.execute(input, [OUTPUT_NODE]) as import("@tensorflow/tfjs-core").Tensor;
      const raw = (await out.data()) as Float32Array;
      tf.dispose([input, out]);
      return decodeDetections(raw, image.width, image.height, options);
    },
  };
}

/**
 * RGB float planes (0..255) of the image stretched to size×size, bilinear with TF's default sampling
 * (src = dst · in/out, no half-pixel offset), as human's `tf.image.resizeBilinear` does.
 */
export function resizeRgb(image: RasterImage, size: number): Float32Array {
  const { width: W, height: H, data } = image;
  const out = new Float32Array(size * size * 3);
  const sx = W / size;
  const sy = H / size;
  for (let y = 0; y < size; y++) {
    const fy = y * sy;
    const y0 = Math.min(H - 1, Math.floor(fy));
    const y1 = Math.min(H - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < size; x++) {
      const fx = x * sx;
      const x0 = Math.min(W - 1, Math.floor(fx));
      const x1 = Math.min(W - 1, x0 + 1);
      const wx = fx - x0;
      const a = (y0 * W + x0) * 4;
      const b = (y0 * W + x1) * 4;
      const c = (y1 * W + x0) * 4;
      const d = (y1 * W + x1) * 4;
      const o = (y * size + x) * 3;
      for (let k = 0; k < 3; k++) {
        const top = data[a + k] + (data[b + k] - data[a + k]) * wx;
        const bot = data[c + k] + (data[d + k] - data[c + k]) * wx;
        out[o + k] = top + (bot - top) * wy;
      }
    }
  }
  return out;
}

/** Model output (rows of [x1, y1, x2, y2, score, class] on the 512 grid) → detections after NMS. */
export function decodeDetections(
  raw: Float32Array,
  width: number,
  height: number,
  options: DetectOptions = {},
): Detection[] {
  const minScore = options.minScore ?? 0.2;
  const nmsIoU = options.nmsIoU ?? 0.4;
  const maxDet = options.maxDetections ?? 20;
  const cands: Detection[] = [];
  for (let i = 0; i + 6 <= raw.length; i += 6) {
    const score = raw[i + 4];
    const cls = raw[i + 5];
    if (!(score >= minScore) || Number.isNaN(cls)) continue;
    const classId = Math.round(cls);
    const x1 = Math.max(0, (raw[i] / INPUT_SIZE) * width);
    const y1 = Math.max(0, (raw[i + 1] / INPUT_SIZE) * height);
    const x2 = Math.min(width, (raw[i + 2] / INPUT_SIZE) * width);
    const y2 = Math.min(height, (raw[i + 3] / INPUT_SIZE) * height);
    // Written so NaN coordinates fail too.
    if (!(x2 - x1 >= 1 && y2 - y1 >= 1)) continue;
    cands.push({
      box: [x1, y1, x2 - x1, y2 - y1],
      score,
      classId,
      label: COCO_THING_LABELS[classId] ?? `class ${classId}`,
    });
  }
  // Greedy class-agnostic NMS, best first (as tf.image.nonMaxSuppression in human).
  cands.sort((a, b) => b.score - a.score || a.box[0] - b.box[0] || a.box[1] - b.box[1]);
  const kept: Detection[] = [];
  for (const c of cands) {
    if (kept.length >= maxDet) break;
    if (kept.every((k) => boxIoU(k.box, c.box) <= nmsIoU)) kept.push(c);
  }
  return kept;
}

export function boxIoU(a: readonly number[], b: readonly number[]): number {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}
