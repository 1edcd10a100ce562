/**
 * Execution-provider selection. onnxruntime-node ships the CPU provider; the CUDA provider is a separate
 * download its install script fetches (skipped in offline installs), so we check for it up front and say
 * how to get it, rather than letting session creation fail with a native error.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { UserError } from "../../errors.js";

export type SamDevice = "cpu" | "cuda";

export function isSamDevice(value: string): value is SamDevice {
  return value === "cpu" || value === "cuda";
}

/** Folder of the native onnxruntime-node binding for this platform, or null when it cannot be found. */
export function onnxruntimeBinDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve("onnxruntime-node/package.json");
    return join(dirname(pkg), "bin", "napi-v6", process.platform, process.arch);
  } catch {
    return null;
  }
}

/** Why CUDA cannot be used here, or null when its provider library is installed. */
export function cudaUnavailableReason(): string | null {
  if (process.platform !== "linux" || process.arch !== "x64") {
    return `onnxruntime-node has a CUDA provider only on Linux x64 (this is ${process.platform} ${process.arch})`;
  }
  const dir = onnxruntimeBinDir();
  if (dir === null) return "onnxruntime-node is not installed";
  if (!existsSync(join(dir, "libonnxruntime_providers_cuda.so"))) {
    return (
      `onnxruntime-node was installed without its CUDA provider (no libonnxruntime_providers_cuda.so in ${dir}); ` +
      "fetch its CUDA 12 files with `ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js` (needs network)"
    );
  }
  return null;
}

/** Throw a one-line UserError when `device` cannot be used. */
export function assertDeviceAvailable(device: SamDevice): void {
  if (device === "cpu") return;
  const reason = cudaUnavailableReason();
  if (reason !== null)
    throw new UserError(`--device cuda is not available: ${reason}. Use --device cpu.`, "no_device");
}
