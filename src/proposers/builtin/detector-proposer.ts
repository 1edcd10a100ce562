/**
 * The built-in proposer with optional detector seeding: the region hierarchy, built with the detector's
 * boxes bending its merges towards objects (box-guide.ts), cut at the same levels, plus one region per
 * confident detector box (see detector-seed.ts). Seeded regions replace the weakest marks of the finest
 * level (at most half of the marks), so the mark count stays what the granularity (or maxMarks) gives.
 */
import type { RasterImage } from "../../image/raster.js";
import { type BBox, maskArea, maskBBox, maskIoU } from "../../regions/mask.js";
import { makeRegion, type Region } from "../../regions/region.js";
import type { ProposeOptions } from "../proposer.js";
import { type Detection, type DetectorName, loadDetector, type ObjectDetector } from "./detector-model.js";
import { type SeedOptions, seedRegions } from "./detector-seed.js";
import type { BoxGuideWeights } from "./box-guide.js";
import { buildHierarchy, type HierarchyOptions, type RegionHierarchy } from "./hierarchy.js";
import { hierarchyRegions } from "./select.js";

export interface DetectorSeedingOptions {
  detector: DetectorName;
  /** Boxes below this detector score seed nothing. */
  minScore?: number;
  /** Most boxes used per image, best first. */
  maxDetections?: number;
  /** "replace" (default): seeded regions take the place of the weakest marks; "add": on top of them. */
  budget?: "replace" | "add";
  seed?: Partial<SeedOptions>;
  /** Let the boxes guide the hierarchy's merges (default true; box-guide.ts), or only seed regions. */
  guide?: boolean | BoxGuideWeights;
  /** Most of the mark budget seeds may take when they replace level regions (default 0.5). */
  maxSeedShare?: number;
}

const DUPLICATE_IOU = 0.9;
const MAX_SEED_FRACTION = 0.95;
/** Most of the mark budget seeds may take when they replace level regions. */
const MAX_SEED_SHARE = 0.5;
export const DEFAULT_DETECTOR_MIN_SCORE = 0.1;

/** Normalise the `detector` option of createBuiltinProposer. */
export function detectorSeedingOptions(
  d: DetectorName | DetectorSeedingOptions | undefined,
): DetectorSeedingOptions | undefined {
  if (d === undefined) return undefined;
  return typeof d === "string" ? { detector: d } : d;
}

/** A seeded region kept for an image: not empty, not near the whole image, no duplicate of another. */
interface Seed {
  mask: Region["mask"];
  area: number;
  detection: Detection;
  node: number;
}

/**
 * Detector seeding for one BuiltinProposer: loads the detector on first use (lazily, so the optional
 * packages are only needed when asked for) and caches each image's boxes and seeds (they do not depend on
 * the granularity, so a slider move or a granularity sweep only re-runs the selection).
 */
export class DetectorSeeding {
  private readonly detections = new WeakMap<RasterImage, Detection[]>();
  private readonly hierarchies = new WeakMap<RasterImage, RegionHierarchy>();
  private readonly seeds = new WeakMap<RasterImage, Seed[]>();
  private detector?: ObjectDetector;

  constructor(
    readonly seeding: DetectorSeedingOptions,
    private readonly hierarchyOptions: Partial<HierarchyOptions> = {},
  ) {}

  /** Load the detector (once; rejects with the reason when its optional packages are missing or broken). */
  async ready(): Promise<ObjectDetector> {
    this.detector ??= await loadDetector(this.seeding.detector);
    return this.detector;
  }

  /** The loaded detector's weights package and version (undefined before `ready`). */
  get version(): string | undefined {
    return this.detector?.version;
  }

  /** The detector's boxes for an image (computed once per RasterImage object, at a low score floor). */
  async detect(image: RasterImage): Promise<Detection[]> {
    let d = this.detections.get(image);
    if (!d) {
      const detector = await this.ready();
      d = await detector.detect(image, { minScore: 0.05, maxDetections: 100 });
      this.detections.set(image, d);
    }
    const minScore = this.seeding.minScore ?? DEFAULT_DETECTOR_MIN_SCORE;
    return d.filter((x) => x.score >= minScore).slice(0, this.seeding.maxDetections ?? 30);
  }

  /**
   * The hierarchy the seeded regions come from: built with the image's boxes guiding the merges (unless
   * `guide: false`, then the plain one from `plain`), once per RasterImage object.
   */
  async hierarchy(
    image: RasterImage,
    plain: (image: RasterImage) => RegionHierarchy,
  ): Promise<RegionHierarchy> {
    const guide = this.seeding.guide ?? true;
    if (guide === false) return plain(image);
    let h = this.hierarchies.get(image);
    if (!h) {
      const o = this.hierarchyOptions;
      const detections = await this.detect(image);
      h = buildHierarchy(image, {
        ...o,
        merge: {
          ...o.merge,
          ...(guide === true ? {} : { guideWeights: guide }),
        } as HierarchyOptions["merge"],
        guideBoxes: detections,
      });
      this.hierarchies.set(image, h);
    }
    return h;
  }

  /** The image's seeds, most confident box first (computed once per RasterImage object). */
  private seedsFor(h: RegionHierarchy, image: RasterImage, detections: readonly Detection[]): Seed[] {
    let fresh = this.seeds.get(image);
    if (fresh) return fresh;
    fresh = [];
    for (const s of seedRegions(h, image, detections, this.seeding.seed)) {
      const area = maskArea(s.mask);
      // Like the levels: nothing near the whole image (a box filling the photo can seed the root).
      if (area === 0 || area > MAX_SEED_FRACTION * image.width * image.height) continue;
      if (isDup(s.mask, area, fresh)) continue;
      fresh.push({ mask: s.mask, area, detection: s.detection, node: s.node });
    }
    this.seeds.set(image, fresh);
    return fresh;
  }

  async propose(
    plainHierarchy: (image: RasterImage) => RegionHierarchy,
    image: RasterImage,
    options: ProposeOptions = {},
  ): Promise<Region[]> {
    options.signal?.throwIfAborted();
    options.onProgress?.({ stage: "detector", done: 0, total: 3 });
    const detections = await this.detect(image);
    options.signal?.throwIfAborted();
    options.onProgress?.({ stage: "hierarchy", done: 1, total: 3 });
    const h = await this.hierarchy(image, plainHierarchy);
    options.signal?.throwIfAborted();
    options.onProgress?.({ stage: "regions", done: 2, total: 3 });
    const select = { granularity: options.granularity, maxMarks: options.maxMarks };
    const base = hierarchyRegions(h, select);
    const fresh = this.seedsFor(h, image, detections);
    const cap = options.maxMarks ?? Number.POSITIVE_INFINITY;
    // Replacing, seeds take at most half the marks (the most confident boxes first): at a coarse
    // granularity the few marks stay mostly the large level regions, and the count stays the levels'.
    const replacing = !(this.seeding.budget === "add" && options.maxMarks === undefined);
    const limit = Math.min(
      cap,
      replacing ? Math.floor(base.length * (this.seeding.maxSeedShare ?? MAX_SEED_SHARE)) : cap,
    );
    const unmarked = (regions: readonly Region[]) =>
      fresh.filter((f) => !isDup(f.mask, f.area, regions)).slice(0, limit);
    let kept: Region[] = base;
    let seeded = unmarked(base);
    if (replacing && seeded.length > 0) {
      // Replace the weakest marks: the level cut keeps coarse, persistent regions first. A seed that
      // duplicates a region of the cut is left out (that region marks its object); one duplicating a region
      // the cut dropped is used, so no object loses both. Re-cut until the two agree (a few rounds at most).
      let n = seeded.length;
      for (let round = 0; round < 8; round++) {
        kept = hierarchyRegions(h, { ...select, maxMarks: Math.max(0, base.length - n) });
        seeded = unmarked(kept);
        if (seeded.length === n) break;
        n = seeded.length;
      }
      seeded = seeded.slice(0, Math.max(0, base.length - kept.length));
    }
    const all = [
      ...kept.map((r) => ({
        mask: r.mask,
        area: r.area,
        score: r.score,
        extra: r.extra,
        node: Number(r.extra?.node ?? -1),
      })),
      ...seeded.map((s) => ({
        mask: s.mask,
        area: s.area,
        score: Math.round(s.detection.score * 1000) / 1000,
        extra: {
          node: s.node >= 0 ? s.node : undefined,
          detector: { label: s.detection.label, score: Math.round(s.detection.score * 1000) / 1000 },
        } as Record<string, unknown>,
        node: s.node,
      })),
    ];
    all.sort((a, b) => b.area - a.area || a.mask.y - b.mask.y || a.mask.x - b.mask.x || a.node - b.node);
    options.onProgress?.({ stage: "regions", done: 3, total: 3 });
    return all.map((r, i) => makeRegion(i + 1, r.mask, "builtin", r.score, r.extra));
  }
}

/** Whether a mask nearly equals (IoU > DUPLICATE_IOU) one of `others`. */
function isDup(
  mask: Region["mask"],
  area: number,
  others: readonly { mask: Region["mask"]; area: number }[],
): boolean {
  const bb = maskBBox(mask);
  return others.some((p) => {
    // Cheap upper bounds first: the overlap is at most the smaller area and the boxes' overlap.
    if (Math.min(area, p.area) / Math.max(area, p.area) <= DUPLICATE_IOU) return false;
    const inter = Math.min(area, p.area, bboxIntersection(bb, maskBBox(p.mask)));
    if (inter / (area + p.area - inter) <= DUPLICATE_IOU) return false;
    return maskIoU(mask, p.mask, area, p.area) > DUPLICATE_IOU;
  });
}

/** Area shared by two [x, y, w, h] boxes. */
function bboxIntersection(a: BBox, b: BBox): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}
