import { createHash } from "node:crypto";
import { decodeImage, type LoadedImage } from "../image/load.js";
import {
  buildHierarchy,
  finestLevelCount,
  hierarchyRegions,
  type RegionHierarchy,
} from "../proposers/builtin/index.js";
import type { Region } from "../regions/region.js";
import { HttpError } from "./errors.js";

/** Content hash of uploaded bytes: the `imageId` a client sends back to skip re-uploading. */
export function imageIdOf(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The 404 for an image id the server no longer holds: the client uploads the bytes again. */
export function imageNotFound(id: string): HttpError {
  return new HttpError(404, "image_not_found", `no image ${id.slice(0, 12)}… on the server; upload it again`);
}

/** Small LRU map that also keeps the total size of its values. */
class Lru<K, V> {
  private readonly map = new Map<K, V>();
  total = 0;
  constructor(
    private readonly max: number,
    private readonly sizeOf: (v: V) => number = () => 0,
  ) {}
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: K, value: V): void {
    this.delete(key);
    this.map.set(key, value);
    this.total += this.sizeOf(value);
    while (this.map.size > this.max) this.delete(this.map.keys().next().value as K);
  }
  private delete(key: K): void {
    const old = this.map.get(key);
    if (old === undefined) return;
    this.total -= this.sizeOf(old);
    this.map.delete(key);
  }
}

/** What a marked result costs to keep: the PNG and the manifest's RLE strings. */
export interface CachedResult {
  png: Buffer;
  manifest: { marks: { segmentation: { counts: string } }[] };
}

const resultBytes = (r: CachedResult) =>
  r.png.length + r.manifest.marks.reduce((n, m) => n + 2 * m.segmentation.counts.length + 200, 0);

/**
 * One decoded image and everything derived from it that later requests reuse: the built-in region
 * hierarchy (built once, on first use), the regions picked at each granularity, and recent marked results.
 */
export class ImageEntry {
  private hierarchyCache?: RegionHierarchy;
  private readonly regionsByLevel = new Lru<string, Region[]>(12);
  /** Rendered results by request signature, so moving a slider back is instant. */
  readonly results = new Lru<string, CachedResult>(8, resultBytes);

  constructor(
    readonly id: string,
    readonly image: LoadedImage,
  ) {}

  get pixels(): number {
    return this.image.width * this.image.height;
  }

  /** Approximate memory held: the raster, the hierarchy and its mask memo, cached results. */
  get bytes(): number {
    const h = this.hierarchyCache;
    const hierarchy = h ? h.leafLabels.byteLength + h.nodeCount * 64 : 0;
    return (
      this.image.data.byteLength + hierarchy + (this.hierarchyCache?.maskCacheBytes ?? 0) + this.results.total
    );
  }

  get hasHierarchy(): boolean {
    return this.hierarchyCache !== undefined;
  }

  /** With a detector: regions come from the detector-seeded proposer (see ComputeContext.prepareBuiltin). */
  builtinOverride?: (granularity: number, maxMarks?: number) => Promise<Region[]>;

  /**
   * The built-in proposer's hierarchy (synchronous, ~0.2–0.8 s for a photo the first time). With a detector
   * configured, call ComputeContext.prepareBuiltin first: it installs the box-guided hierarchy, whose node
   * ids differ from this weight-free one.
   */
  hierarchy(): RegionHierarchy {
    if (!this.hierarchyCache) this.hierarchyCache = buildHierarchy(this.image);
    return this.hierarchyCache;
  }

  /** Use a given hierarchy (the detector's box-guided one) and regions source instead of the weight-free ones. */
  useBuiltin(
    hierarchy: RegionHierarchy,
    regions: (granularity: number, maxMarks?: number) => Promise<Region[]>,
  ): void {
    this.hierarchyCache = hierarchy;
    this.builtinOverride = regions;
  }

  /** Built-in regions at a granularity; granularities that pick the same hierarchy levels share one entry. */
  async builtinRegions(granularity: number, maxMarks?: number): Promise<Region[]> {
    const key = `${finestLevelCount(granularity)}:${maxMarks ?? ""}`;
    let regions = this.regionsByLevel.get(key);
    if (!regions) {
      regions = this.builtinOverride
        ? await this.builtinOverride(granularity, maxMarks)
        : hierarchyRegions(this.hierarchy(), { granularity, maxMarks });
      this.regionsByLevel.set(key, regions);
    }
    return regions;
  }
}

export interface ImageStoreOptions {
  /** Decoded images above this many pixels are refused (413). */
  maxPixels: number;
  /** Memory the cache may hold (decoded images and what is derived from them); least recently used go first. */
  cacheBytes: number;
}

/** Decoded images by content hash, least recently used dropped first when the memory budget is spent. */
export class ImageStore {
  private readonly entries = new Map<string, ImageEntry>();

  constructor(private readonly options: ImageStoreOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** Ids of the cached images. */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Approximate memory held by all cached images. */
  get bytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.bytes;
    return n;
  }

  /** A cached image by id, or 404 `image_not_found` (the client then uploads the bytes again). */
  get(id: string): ImageEntry {
    const entry = this.entries.get(id);
    if (!entry) throw imageNotFound(id);
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry;
  }

  /** Decode and cache uploaded bytes (or return the cached entry for identical bytes). */
  async put(bytes: Uint8Array): Promise<ImageEntry> {
    const id = imageIdOf(bytes);
    if (this.entries.has(id)) return this.get(id);
    const image = await decodeImage(bytes, { maxPixels: this.options.maxPixels });
    const entry = new ImageEntry(id, image);
    this.entries.set(id, entry);
    this.trim();
    return entry;
  }

  /** Drop least recently used images until the cache fits its budget (the newest always stays). */
  trim(): void {
    let total = this.bytes;
    for (const [key, old] of this.entries) {
      if (total <= this.options.cacheBytes || this.entries.size <= 1) break;
      total -= old.bytes;
      this.entries.delete(key);
    }
  }
}
