import { availableParallelism } from "node:os";
import type { DetectorChoice } from "../proposers/builtin/detector-model.js";
import type { ProviderConfig } from "../providers/index.js";

export interface ServeOptions {
  host: string;
  port: number;
  /** Bearer token required on /v1 when set. */
  token?: string;
  /** Largest request body in bytes (413 beyond). */
  maxBodyBytes: number;
  /** Largest decoded image in pixels (413 beyond). */
  maxPixels: number;
  /** Memory for cached images and their hierarchies and results, bytes. */
  cacheBytes: number;
  /** Marking / segmentation jobs running at once (one compute worker thread each), and waiting (429 beyond). */
  concurrency: number;
  queue: number;
  /** Model (LLM) calls running at once, and waiting. */
  modelConcurrency: number;
  modelQueue: number;
  /** Whole-request deadline in ms (queue wait included); 503 `timeout` after it. */
  timeoutMs: number;
  /** Allow `imageUrl` (http(s) to public addresses only). */
  allowUrlFetch: boolean;
  /** Test hook: let `imageUrl` reach private addresses. Never exposed on the command line. */
  allowPrivateUrls?: boolean;
  /** The model used by /v1/ask and /v1/tasks; absent = those endpoints answer 503. */
  provider?: ProviderConfig;
  /** SAM model folder or registered name, for `proposer: "sam"` and SAM prompts in /v1/segment. */
  samModel?: string;
  /**
   * Detector guiding the built-in proposer (box-guided hierarchy + seeded regions). Unset: the default one
   * when its optional packages are installed, else the weight-free path with a warning; "none": weight-free.
   */
  detector?: DetectorChoice;
  /** Folder of the built web app (default: dist-web beside the package). */
  webDir?: string;
  /** Test hook: the compute worker's entry module (tests wrap the real one to inject slow jobs or crashes). */
  workerEntry?: URL;
  /** Request log lines (method, path, status, ms) go here; never bodies, headers or keys. */
  log?: (line: string) => void;
}

export const DEFAULT_SERVE_OPTIONS: ServeOptions = {
  host: "127.0.0.1",
  port: 7860,
  maxBodyBytes: 50 * 1024 * 1024,
  maxPixels: 40_000_000,
  cacheBytes: 256 * 2 ** 20,
  // One worker thread per job; at most the cores there are, and 2 at most by default (memory: each has a cache).
  concurrency: Math.max(1, Math.min(2, availableParallelism())),
  queue: 16,
  modelConcurrency: 4,
  modelQueue: 16,
  timeoutMs: 120_000,
  allowUrlFetch: false,
};

/** Loopback names and addresses: binding to anything else exposes the server to the network. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || h === "::ffff:127.0.0.1";
}
