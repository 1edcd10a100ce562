import type { Proposer } from "../proposers/proposer.js";
import type { SamSession } from "../proposers/sam/index.js";
import { createProvider, type Provider } from "../providers/index.js";
import { HttpError } from "./errors.js";
import { ImageStore } from "./image-store.js";
import { JobLimiter } from "./limiter.js";
import type { ServeOptions } from "./options.js";

type SamProposer = Proposer & { session(): Promise<SamSession> };

/** What every handler shares: options, caches, job limiters, and the lazily created model clients. */
export class ServerContext {
  readonly images: ImageStore;
  /** CPU work: decoding, region proposals, marking, segmentation. */
  readonly compute: JobLimiter;
  /** Calls to the configured multimodal model. */
  readonly model: JobLimiter;
  readonly started = Date.now();
  private providerPromise?: Promise<Provider>;
  private samPromise?: Promise<SamProposer>;

  constructor(readonly options: ServeOptions) {
    this.images = new ImageStore({ maxPixels: options.maxPixels, cacheBytes: options.cacheBytes });
    this.compute = new JobLimiter({ name: "mark", concurrency: options.concurrency, queue: options.queue });
    this.model = new JobLimiter({
      name: "model",
      concurrency: options.modelConcurrency,
      queue: options.modelQueue,
    });
  }

  get hasProvider(): boolean {
    return this.options.provider !== undefined;
  }

  get hasSam(): boolean {
    return this.options.samModel !== undefined;
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

  /** The SAM proposer (model loaded on first use, shared with interactive segmentation). */
  sam(): Promise<SamProposer> {
    const model = this.options.samModel;
    if (!model) {
      return Promise.reject(
        new HttpError(
          422,
          "no_sam_model",
          "no SAM model is configured on the server; start it with --sam-model",
        ),
      );
    }
    this.samPromise ??= import("../proposers/sam/index.js").then((m) => m.createSamProposer({ model }));
    return this.samPromise;
  }
}
