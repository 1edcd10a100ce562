/**
 * Regions from PNG masks: a label map (8/16-bit grey or palette; each non-zero stored value, palette
 * index not colour, is one region, its value kept as `label_value`) or a COCO panoptic PNG (RGB,
 * id = R + 256·G + 65536·B, 0 = void).
 */
import type { PngSamples } from "../../image/png-index.js";
import { makeRegion, type Region } from "../../regions/region.js";
import type { ImageSize } from "./coco-json.js";
import { maskFileError, sizeMismatch } from "./errors.js";
import { masksFromLabelMap } from "./label-map.js";
import type { PanopticSegment } from "./segments-info.js";

export function regionsFromLabelPng(png: PngSamples, file: string, image: ImageSize): Region[] {
  if (png.width !== image.width || png.height !== image.height)
    throw sizeMismatch(file, png.width, png.height, image);
  let values: ArrayLike<number> = png.data;
  if (png.channels === 2) {
    // Grey + alpha: the grey sample is the label.
    const grey =
      png.bitDepth === 16 ? new Uint16Array(png.width * png.height) : new Uint8Array(png.width * png.height);
    for (let i = 0; i < grey.length; i++) grey[i] = png.data[i * 2];
    values = grey;
  } else if (png.channels !== 1) {
    throw maskFileError(file, `label PNG must have one channel (got ${png.channels})`);
  }
  return masksFromLabelMap(values, png.width, png.height).map(({ label, mask }, i) =>
    makeRegion(i + 1, mask, "masks", 1, { label_value: label }),
  );
}

/** Segment ids of an RGB(A) panoptic PNG. */
export function panopticIds(png: PngSamples, file: string): Uint32Array {
  if ((png.channels !== 3 && png.channels !== 4) || png.bitDepth !== 8) {
    throw maskFileError(
      file,
      `panoptic PNG must be 8-bit RGB (got ${png.channels} channels, ${png.bitDepth}-bit)`,
    );
  }
  const n = png.width * png.height;
  const ids = new Uint32Array(n);
  const c = png.channels;
  const d = png.data;
  for (let i = 0, o = 0; i < n; i++, o += c) ids[i] = d[o] + 256 * d[o + 1] + 65536 * d[o + 2];
  return ids;
}

/**
 * Regions of a panoptic PNG. With `segments` (from the panoptic JSON) they follow its order and carry
 * category_id / iscrowd; every id in the PNG must be listed there and every listed segment present.
 */
export function regionsFromPanopticPng(
  png: PngSamples,
  file: string,
  image: ImageSize,
  segments?: { file: string; list: PanopticSegment[] },
): Region[] {
  if (png.width !== image.width || png.height !== image.height)
    throw sizeMismatch(file, png.width, png.height, image);
  const found = masksFromLabelMap(panopticIds(png, file), png.width, png.height);
  if (!segments) {
    return found.map(({ label, mask }, i) => makeRegion(i + 1, mask, "masks", 1, { segment_id: label }));
  }
  const byId = new Map(found.map((f) => [f.label, f.mask]));
  const listed = new Set(segments.list.map((s) => s.id));
  const unlisted = found.filter((f) => !listed.has(f.label)).map((f) => f.label);
  if (unlisted.length) {
    throw maskFileError(
      file,
      `segment id(s) ${unlisted.slice(0, 5).join(", ")} are not in the segments_info of ${segments.file}`,
    );
  }
  return segments.list.map((s, i) => {
    const mask = byId.get(s.id);
    if (!mask)
      throw maskFileError(file, `segment ${s.id} listed in ${segments.file} has no pixels in the PNG`);
    // Keep the JSON's own fields (category_id, iscrowd, ...) except those recomputed from the mask.
    const { id, bbox: _bbox, area: _area, ...rest } = s;
    return makeRegion(i + 1, mask, "masks", 1, { segment_id: id, ...rest });
  });
}
