import { createHash } from "node:crypto";
import { decodeImage, type LoadedImage } from "../image/load.js";
import {
  buildHierarchy,
  finestLevelCount,
  hierarchyRegions,
  type RegionHierarchy,
} from "../proposers/builtin/index.js";
import type { Mask } from "../regions/mask.js";
import type { Region } from "../regions/region.js";
import { HttpError } from "./errors.js";

/** Content hash of uploaded bytes: the `imageId` a client sends back to skip re-uploading. */
export function imageIdOf(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Small LRU map. */
class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
}

/**
 * One decoded image and everything derived from it that later requests reuse: the built-in region
 * hierarchy (built once, on first use), the regions picked at each granularity, and recent marked results.
 */
export class ImageEntry {
  private hierarchyCache?: RegionHierarchy;
  private readonly regionsByLevel = new Lru<string, Region[]>(12);
  /** Rendered results by request signature, so moving a slider back is instant. */
  readonly results = new Lru<string, unknown>(8);

  constructor(
    readonly id: string,
    readonly image: LoadedImage,
  ) {}

  get pixels(): number {
    return this.image.width * this.image.height;
  }

  get hasHierarchy(): boolean {
    return this.hierarchyCache !== undefined;
  }

  /** The built-in proposer's hierarchy (synchronous, ~0.5–1 s for a 1-megapixel photo the first time). */
  hierarchy(): RegionHierarchy {
    if (!this.hierarchyCache) this.hierarchyCache = memoizeNodeMasks(buildHierarchy(this.image));
    return this.hierarchyCache;
  }

  /** Built-in regions at a granularity; granularities that pick the same hierarchy levels share one entry. */
  builtinRegions(granularity: number, maxMarks?: number): Region[] {
    const key = `${finestLevelCount(granularity)}:${maxMarks ?? ""}`;
    let regions = this.regionsByLevel.get(key);
    if (!regions) {
      regions = hierarchyRegions(this.hierarchy(), { granularity, maxMarks });
      this.regionsByLevel.set(key, regions);
    }
    return regions;
  }
}

/**
 * Node masks are the costly part of picking regions (hole filling, bridge splitting, upsampling), and
 * neighbouring granularities share most nodes: remember each node's masks on this hierarchy instance.
 * Callers treat masks as read-only, so sharing them is safe.
 */
function memoizeNodeMasks(h: RegionHierarchy): RegionHierarchy {
  const memo = new Map<string, Mask[]>();
  const compute = h.nodeMasks.bind(h);
  h.nodeMasks = (node: number, splitParts = true): Mask[] => {
    const key = `${node}:${splitParts ? 1 : 0}`;
    let masks = memo.get(key);
    if (!masks) {
      masks = compute(node, splitParts);
      memo.set(key, masks);
    }
    return masks;
  };
  return h;
}

export interface ImageStoreOptions {
  /** Decoded images above this many pixels are refused (413). */
  maxPixels: number;
  /** Total decoded pixels kept in the cache; least recently used images are dropped first. */
  cachePixels: number;
}

/** Decoded images by content hash, least recently used dropped first when the pixel budget is spent. */
export class ImageStore {
  private readonly entries = new Map<string, ImageEntry>();
  private pixels = 0;

  constructor(private readonly options: ImageStoreOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** A cached image by id, or 404 `image_not_found` (the client then uploads the bytes again). */
  get(id: string): ImageEntry {
    const entry = this.entries.get(id);
    if (!entry) {
      throw new HttpError(
        404,
        "image_not_found",
        `no image ${id.slice(0, 12)}… on the server; upload it again`,
      );
    }
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry;
  }

  /** Decode and cache uploaded bytes (or return the cached entry for identical bytes). */
  async put(bytes: Uint8Array): Promise<ImageEntry> {
    const id = imageIdOf(bytes);
    const cached = this.entries.get(id);
    if (cached) return this.get(id);
    const image = await decodeImage(bytes, { maxPixels: this.options.maxPixels });
    const entry = new ImageEntry(id, image);
    this.entries.set(id, entry);
    this.pixels += entry.pixels;
    for (const [key, old] of this.entries) {
      if (this.pixels <= this.options.cachePixels || old === entry) break;
      this.entries.delete(key);
      this.pixels -= old.pixels;
    }
    return entry;
  }
}
