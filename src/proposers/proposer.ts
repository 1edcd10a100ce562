import type { RasterImage } from "../image/raster.js";
import type { Region } from "../regions/region.js";

export interface ProposeProgress {
  stage: string;
  done: number;
  total: number;
}

export interface ProposeOptions {
  /** 0 = coarse (few large regions) … 1 = fine (many small ones). */
  granularity?: number;
  /** Upper bound on the number of regions returned. */
  maxMarks?: number;
  signal?: AbortSignal;
  onProgress?: (p: ProposeProgress) => void;
}

/** Stage 1 of the pipeline: image → candidate regions (ids 1..n, in any order; allocation sorts them). */
export interface Proposer {
  readonly name: string;
  propose(image: RasterImage, options?: ProposeOptions): Promise<Region[]>;
  /** Settings the last `propose` ran with that results depend on (recorded in manifests), e.g. the detector. */
  describe?(): Record<string, unknown>;
}
