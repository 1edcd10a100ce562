/**
 * Provider and regions from command-line flags, shared by `som ask`, `som task`, `som eval` and the
 * per-item work of `som batch` (which lives below src/cli, so it cannot import the commands).
 */
import { basename } from "node:path";
import { UserError } from "../errors.js";
import type { RasterImage } from "../image/raster.js";
import { regionsFor } from "../pipeline/regions.js";
import { loadMaskRegions } from "../proposers/masks/index.js";
import type { Proposer } from "../proposers/proposer.js";
import { createProposer } from "../proposers/registry.js";
import { createProvider } from "../providers/create.js";
import type { Provider } from "../providers/types.js";
import type { Region } from "../regions/region.js";

/** --provider, --model, --base-url, cache, replay, timeouts (as parsed by commander). */
export interface ProviderFlags {
  provider?: string;
  model?: string;
  baseUrl?: string;
  cache: boolean;
  cacheDir?: string;
  replay?: string;
  record?: string;
  timeout?: number;
  maxRetries?: number;
  temperature?: number;
  maxTokens?: number;
  structured?: boolean;
  quiet?: boolean;
}

/** Where regions come from: --proposer, --masks, --sam-model, --detector, --granularity, --max-marks. */
export interface RegionFlags {
  proposer?: string;
  masks?: string;
  segmentsInfo?: string;
  samModel?: string;
  detector?: string;
  granularity: number;
  maxMarks?: number;
  quiet?: boolean;
}

export async function providerFromCli(opts: ProviderFlags): Promise<Provider> {
  let name = opts.provider;
  if (opts.replay) {
    if (name && name !== "replay")
      throw new UserError(`--replay answers from a file; it cannot be combined with --provider ${name}`);
    name = "replay";
  }
  return createProvider({
    provider: name,
    model: opts.model,
    baseURL: opts.baseUrl,
    cache: opts.cache,
    cacheDir: opts.cacheDir,
    replayFile: opts.replay,
    recordFile: opts.record,
    timeoutMs: opts.timeout != null ? opts.timeout * 1000 : undefined,
    maxRetries: opts.maxRetries,
    temperature: opts.temperature,
    maxOutputTokens: opts.maxTokens,
    structuredOutput: opts.structured,
    onRetry: opts.quiet ? undefined : (m) => process.stderr.write(`som: ${m}\n`),
  });
}

/**
 * The proposer the flags select, or undefined when regions come from `opts.masks` (given on the command
 * line as `masksFlag`). Throws on contradictory flags.
 */
export async function proposerFromCli(
  opts: RegionFlags,
  masksFlag = "--masks",
): Promise<Proposer | undefined> {
  const proposerName = opts.proposer ?? (opts.masks ? "masks" : "builtin");
  if (proposerName === "masks") {
    if (!opts.masks) throw new UserError(`--proposer masks needs ${masksFlag} FILE`);
    return undefined;
  }
  if (opts.masks) throw new UserError(`${masksFlag} cannot be combined with --proposer ${proposerName}`);
  if (proposerName === "sam" && !opts.samModel) {
    throw new UserError(
      "--proposer sam needs --sam-model DIR (a SAM-family ONNX folder or a name from `som models list`)",
    );
  }
  return createProposer(proposerName, {
    model: opts.samModel,
    quiet: opts.quiet,
    detector: opts.detector,
  });
}

/**
 * Regions of the image from `opts.masks` or a proposer: `proposer` when given (made once by a caller that
 * handles many images), else the one the flags select.
 */
export async function regionsFromCli(
  image: RasterImage,
  file: string,
  opts: RegionFlags,
  masksFlag = "--masks",
  proposer?: Proposer,
): Promise<Region[]> {
  const p = proposer ?? (await proposerFromCli(opts, masksFlag));
  if (!p) {
    const regions = await loadMaskRegions(opts.masks!, image, {
      imageFile: basename(file),
      segmentsInfo: opts.segmentsInfo,
    });
    return regionsFor(image, { regions, maxMarks: opts.maxMarks });
  }
  return regionsFor(image, { proposer: p, granularity: opts.granularity, maxMarks: opts.maxMarks });
}
