import { UserError } from "../errors.js";
import {
  DEFAULT_DETECTOR,
  type DetectorName,
  detectorAvailable,
  detectorFallbackWarning,
  INSTALL_HINT,
} from "../proposers/builtin/detector-model.js";
import { createProvider, type Provider } from "../providers/index.js";
import { WorkerPool } from "./compute/pool.js";
import type { ComputeJob, JobOf, JobResults, WorkerImageSource } from "./compute/protocol.js";
import { HttpError } from "./errors.js";
import { imageIdOf, imageNotFound } from "./image-store.js";
import type { ImageSource } from "./image-input.js";
import { JobLimiter } from "./limiter.js";
import type { ServeOptions } from "./options.js";
import { fetchImageUrl } from "./url-fetch.js";

/** What every handler shares: options, job limiters, the compute workers and the lazily created model client. */
export class ServerContext {
  /** Worker threads for the CPU work; one per marking slot. */
  readonly pool: WorkerPool;
  /** CPU work: decoding, region proposals, marking, segmentation. */
  readonly compute: JobLimiter;
  /** Calls to the configured multimodal model. */
  readonly model: JobLimiter;
  readonly started = Date.now();
  /** The detector guiding the built-in marks (undefined: the weight-free path). */
  readonly detector?: DetectorName;
  private providerPromise?: Promise<Provider>;

  constructor(readonly options: ServeOptions) {
    this.detector = serveDetector(options);
    this.compute = new JobLimiter({ name: "mark", concurrency: options.concurrency, queue: options.queue });
    this.model = new JobLimiter({
      name: "model",
      concurrency: options.modelConcurrency,
      queue: options.modelQueue,
    });
    this.pool = new WorkerPool({
      size: options.concurrency,
      // The cache budget is shared out: each worker caches the images it marked.
      settings: {
        maxPixels: options.maxPixels,
        cacheBytes: Math.floor(options.cacheBytes / options.concurrency),
        ...(options.samModel ? { samModel: options.samModel } : {}),
        ...(this.detector ? { detector: this.detector } : {}),
      },
      ...(options.workerEntry ? { entry: options.workerEntry } : {}),
      log: options.log,
    });
  }

  get hasProvider(): boolean {
    return this.options.provider !== undefined;
  }

  get hasSam(): boolean {
    return this.options.samModel !== undefined;
  }

  /**
   * Run a job about a request's image on a compute worker: bytes are fetched here if given by URL, and the
   * job goes to the worker that already holds the image. An id no worker holds is a 404 at once.
   */
  async runOnImage<O extends ComputeJob["op"]>(
    source: ImageSource,
    job: (source: WorkerImageSource) => JobOf<O>,
    signal?: AbortSignal,
  ): Promise<JobResults[O]> {
    if ("imageId" in source) {
      if (!this.pool.holds(source.imageId)) throw imageNotFound(source.imageId);
      return this.pool.run(job(source), source.imageId, signal);
    }
    const bytes =
      "bytes" in source
        ? source.bytes
        : await fetchImageUrl(source.imageUrl, {
            maxBytes: this.options.maxBodyBytes,
            timeoutMs: Math.min(30_000, this.options.timeoutMs),
            allowPrivate: this.options.allowPrivateUrls,
            signal,
          });
    return this.pool.run(job({ bytes }), imageIdOf(bytes), signal);
  }

  /** The configured provider (created once; a failed creation is retried on the next request). */
  provider(): Promise<Provider> {
    if (!this.options.provider) {
      return Promise.reject(
        new HttpError(
          503,
          "no_provider",
          "no model is configured on the server; start it with --provider and --model",
        ),
      );
    }
    this.providerPromise ??= createProvider(this.options.provider);
    this.providerPromise.catch(() => {
      this.providerPromise = undefined;
    });
    return this.providerPromise;
  }

  /** Stop the compute workers. */
  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * The server's detector: unset means the default one when its optional packages resolve, else the
 * weight-free path with one warning on stderr; "none" is the weight-free path; a named one must resolve.
 * (Checked here so a missing package is one line at start-up; the workers load the model on first use.)
 */
function serveDetector(options: ServeOptions): DetectorName | undefined {
  const d = options.detector;
  if (d === "none") return undefined;
  if (detectorAvailable()) return d ?? DEFAULT_DETECTOR;
  const missing = `its optional packages are missing; install them with: ${INSTALL_HINT}`;
  if (d !== undefined) throw new UserError(`detector ${d}: ${missing}`);
  process.stderr.write(`${detectorFallbackWarning(DEFAULT_DETECTOR, missing)}\n`);
  return undefined;
}
