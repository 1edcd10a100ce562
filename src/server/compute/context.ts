import type { Proposer } from "../../proposers/proposer.js";
import type { SamSession } from "../../proposers/sam/index.js";
import { HttpError } from "../errors.js";
import { ImageStore } from "../image-store.js";

export type SamProposer = Proposer & { session(): Promise<SamSession> };

export interface ComputeSettings {
  /** Decoded images above this many pixels are refused (413). */
  maxPixels: number;
  /** This worker's share of the image cache, bytes. */
  cacheBytes: number;
  /** SAM model folder or registered name, when configured. */
  samModel?: string;
}

/** What a compute worker keeps between jobs: its decoded images (with hierarchies) and the SAM model. */
export class ComputeContext {
  readonly images: ImageStore;
  private samPromise?: Promise<SamProposer>;

  constructor(readonly settings: ComputeSettings) {
    this.images = new ImageStore({ maxPixels: settings.maxPixels, cacheBytes: settings.cacheBytes });
  }

  get hasSam(): boolean {
    return this.settings.samModel !== undefined;
  }

  /** The SAM proposer (model loaded on first use, shared with interactive segmentation). */
  sam(): Promise<SamProposer> {
    const model = this.settings.samModel;
    if (!model) {
      return Promise.reject(
        new HttpError(
          422,
          "no_sam_model",
          "no SAM model is configured on the server; start it with --sam-model",
        ),
      );
    }
    this.samPromise ??= import("../../proposers/sam/index.js").then((m) => m.createSamProposer({ model }));
    return this.samPromise;
  }
}
