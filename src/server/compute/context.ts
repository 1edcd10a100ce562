import type { Proposer } from "../../proposers/proposer.js";
import type { SamSession } from "../../proposers/sam/index.js";
import { HttpError } from "../errors.js";
import type { BuiltinProposer, RegionHierarchy } from "../../proposers/builtin/index.js";
import type { DetectorName } from "../../proposers/builtin/detector-model.js";
import { type ImageEntry, ImageStore } from "../image-store.js";

export type SamProposer = Proposer & { session(): Promise<SamSession> };

export interface ComputeSettings {
  /** Decoded images above this many pixels are refused (413). */
  maxPixels: number;
  /** This worker's share of the image cache, bytes. */
  cacheBytes: number;
  /** SAM model folder or registered name, when configured. */
  samModel?: string;
  /** Detector guiding the built-in proposer, when configured. */
  detector?: DetectorName;
}

/** What a compute worker keeps between jobs: its decoded images (with hierarchies) and the SAM model. */
export class ComputeContext {
  readonly images: ImageStore;
  private samPromise?: Promise<SamProposer>;
  private builtinPromise?: Promise<BuiltinProposer>;

  constructor(readonly settings: ComputeSettings) {
    this.images = new ImageStore({ maxPixels: settings.maxPixels, cacheBytes: settings.cacheBytes });
  }

  get hasSam(): boolean {
    return this.settings.samModel !== undefined;
  }

  /**
   * With a detector configured: the entry's hierarchy becomes the box-guided one (detector run once per
   * image, on first use) and its built-in regions include the seeded ones. Without, nothing changes.
   */
  async prepareBuiltin(entry: ImageEntry): Promise<void> {
    const detector = this.settings.detector;
    if (!detector || entry.builtinOverride) return;
    this.builtinPromise ??= import("../../proposers/builtin/index.js").then((m) =>
      m.createBuiltinProposer({ detector }),
    );
    const proposer = await this.builtinPromise;
    let hierarchy: RegionHierarchy;
    try {
      hierarchy = await proposer.hierarchyFor(entry.image);
    } catch (err) {
      // The detector is the server's set-up, not the request's fault (a missing or broken optional package).
      throw new HttpError(503, "detector_unavailable", `detector ${detector}: ${(err as Error).message}`);
    }
    entry.useBuiltin(hierarchy, (granularity, maxMarks) =>
      proposer.propose(entry.image, { granularity, maxMarks }),
    );
  }

  /** What the built-in marks ran with, for manifests: the detector and its version, or `detector: "none"`. */
  async builtinSettings(): Promise<Record<string, unknown>> {
    if (!this.settings.detector || !this.builtinPromise) return { detector: "none" };
    return (await this.builtinPromise).describe();
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
