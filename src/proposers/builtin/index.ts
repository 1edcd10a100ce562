import type { RasterImage } from "../../image/raster.js";
import type { Region } from "../../regions/region.js";
import type { ProposeOptions, Proposer } from "../proposer.js";
import type { DetectorName } from "./detector-model.js";
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
  type Detection,
  DETECTOR_NAMES,
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

/** Hierarchy options, plus the optional detector seeding (see detector-proposer.ts; off by default). */
export type BuiltinProposerOptions = Partial<HierarchyOptions> & {
  detector?: DetectorName | DetectorSeedingOptions;
};

/**
 * The weight-free default proposer: a region hierarchy per image (over-segmentation, then merging by
 * colour, texture, boundary strength, size and fill), cut at the levels the granularity asks for.
 * The hierarchy of the most recent images is cached, so moving the granularity does not recompute it.
 */
export class BuiltinProposer implements Proposer {
  readonly name = "builtin";
  private readonly cache = new WeakMap<RasterImage, RegionHierarchy>();
  private readonly seeding?: DetectorSeeding;

  constructor(private readonly options: BuiltinProposerOptions = {}) {
    const seeding = detectorSeedingOptions(options.detector);
    if (seeding) this.seeding = new DetectorSeeding(seeding, options);
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

  /** The hierarchy `propose` cuts: the box-guided one when a detector is set, else `hierarchy(image)`. */
  async hierarchyFor(image: RasterImage): Promise<RegionHierarchy> {
    const plain = (im: RasterImage) => this.hierarchy(im);
    return this.seeding ? this.seeding.hierarchy(image, plain) : plain(image);
  }

  async propose(image: RasterImage, options: ProposeOptions = {}): Promise<Region[]> {
    if (this.seeding) return this.seeding.propose((im) => this.hierarchy(im), image, options);
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
