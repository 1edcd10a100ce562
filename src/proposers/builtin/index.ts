import type { RasterImage } from "../../image/raster.js";
import type { Region } from "../../regions/region.js";
import type { ProposeOptions, Proposer } from "../proposer.js";
import { DEFAULT_DETECTOR, type DetectorChoice, detectorFallbackWarning } from "./detector-model.js";
import { DetectorSeeding, type DetectorSeedingOptions, detectorSeedingOptions } from "./detector-proposer.js";
import { buildHierarchy, type HierarchyOptions, type RegionHierarchy } from "./hierarchy.js";
import { hierarchyRegions } from "./select.js";

export {
  buildHierarchy,
  DEFAULT_HIERARCHY_OPTIONS,
  type HierarchyOptions,
  RegionHierarchy,
} from "./hierarchy.js";
export {
  DEFAULT_DETECTOR,
  type Detection,
  DETECTOR_CHOICES,
  DETECTOR_NAMES,
  type DetectorChoice,
  type DetectorName,
  detectorAvailable,
  loadDetector,
} from "./detector-model.js";
export type { DetectorSeedingOptions } from "./detector-proposer.js";
export {
  DEFAULT_GRANULARITY,
  finestLevelCount,
  hierarchyRegions,
  levelCounts,
  type SelectOptions,
  selectNodes,
} from "./select.js";

/**
 * Which detector guides the built-in proposer: "auto" (the default) uses the default detector when its
 * optional packages load and falls back to the weight-free path with one warning otherwise; a detector name
 * (or seeding options) requires it (loading errors are thrown); "none" is the weight-free path.
 */
export type BuiltinDetectorOption = "auto" | DetectorChoice | DetectorSeedingOptions;

/** Hierarchy options, plus the detector seeding (see detector-proposer.ts; on by default, see above). */
export type BuiltinProposerOptions = Partial<HierarchyOptions> & {
  detector?: BuiltinDetectorOption;
  /** Where the one-line warning goes when "auto" falls back (default: stderr, once per process). */
  onWarning?: (line: string) => void;
};

let warnedFallback = false;
function warnOnceOnStderr(line: string): void {
  if (warnedFallback) return;
  warnedFallback = true;
  process.stderr.write(`${line}\n`);
}

/**
 * The built-in proposer: a region hierarchy per image (over-segmentation, then merging by colour,
 * texture, boundary strength, size and fill), cut at the levels the granularity asks for. By default a
 * small COCO detector (optional npm packages, no download) guides the merges and seeds object regions.
 * The hierarchy of the most recent images is cached, so moving the granularity does not recompute it.
 */
export class BuiltinProposer implements Proposer {
  readonly name = "builtin";
  private readonly cache = new WeakMap<RasterImage, RegionHierarchy>();
  private readonly seeding?: DetectorSeeding;
  private readonly required: boolean;
  /** Why "auto" fell back to the weight-free path, once it has. */
  private unavailable?: string;
  private checked?: Promise<DetectorSeeding | undefined>;

  constructor(private readonly options: BuiltinProposerOptions = {}) {
    const d = options.detector ?? "auto";
    this.required = d !== "auto";
    const seeding = detectorSeedingOptions(d === "auto" ? DEFAULT_DETECTOR : d === "none" ? undefined : d);
    if (seeding) this.seeding = new DetectorSeeding(seeding, options);
  }

  /**
   * The detector seeding that runs, once its detector has loaded: undefined for the weight-free path
   * ("none", or "auto" when the optional packages are missing or fail to load).
   */
  private activeSeeding(): Promise<DetectorSeeding | undefined> {
    const seeding = this.seeding;
    if (!seeding) return Promise.resolve(undefined);
    // The outcome is kept: a fallback stays weight-free; a required detector's failure is retried next time.
    this.checked ??= seeding.ready().then(
      () => seeding,
      (err: unknown) => {
        if (this.required) {
          this.checked = undefined;
          throw err;
        }
        this.unavailable = err instanceof Error ? err.message : String(err);
        (this.options.onWarning ?? warnOnceOnStderr)(
          detectorFallbackWarning(seeding.seeding.detector, this.unavailable),
        );
        return undefined;
      },
    );
    return this.checked;
  }

  /** Whether the detector guides this proposer (loads it on first call; false on the weight-free path). */
  async usesDetector(): Promise<boolean> {
    return (await this.activeSeeding()) !== undefined;
  }

  /**
   * Which path ran, for manifests: `{ detector: "centernet", detectorVersion: "@vladmandic/human@3.3.6" }`,
   * `{ detector: "none" }`, or with "auto" after a fallback also `detectorUnavailable: "<why>"`. Read it after
   * `propose` (with "auto", the detector is only tried then).
   */
  describe(): Record<string, unknown> {
    const version = this.seeding?.version;
    if (this.seeding && version) return { detector: this.seeding.seeding.detector, detectorVersion: version };
    return { detector: "none", ...(this.unavailable ? { detectorUnavailable: this.unavailable } : {}) };
  }

  /**
   * The weight-free hierarchy of an image (computed once per RasterImage object). With a detector,
   * `propose` uses a box-guided one instead: see `hierarchyFor`.
   */
  hierarchy(image: RasterImage): RegionHierarchy {
    let h = this.cache.get(image);
    if (!h) {
      h = buildHierarchy(image, this.options);
      this.cache.set(image, h);
    }
    return h;
  }

  /** The hierarchy `propose` cuts: the box-guided one when a detector runs, else `hierarchy(image)`. */
  async hierarchyFor(image: RasterImage): Promise<RegionHierarchy> {
    const plain = (im: RasterImage) => this.hierarchy(im);
    const seeding = await this.activeSeeding();
    return seeding ? seeding.hierarchy(image, plain) : plain(image);
  }

  async propose(image: RasterImage, options: ProposeOptions = {}): Promise<Region[]> {
    const seeding = await this.activeSeeding();
    if (seeding) return seeding.propose((im) => this.hierarchy(im), image, options);
    options.signal?.throwIfAborted();
    options.onProgress?.({ stage: "hierarchy", done: 0, total: 2 });
    const h = this.hierarchy(image);
    options.signal?.throwIfAborted();
    options.onProgress?.({ stage: "regions", done: 1, total: 2 });
    const regions = hierarchyRegions(h, { granularity: options.granularity, maxMarks: options.maxMarks });
    options.onProgress?.({ stage: "regions", done: 2, total: 2 });
    return regions;
  }
}

export function createBuiltinProposer(options: BuiltinProposerOptions = {}): Proposer & BuiltinProposer {
  return new BuiltinProposer(options);
}
