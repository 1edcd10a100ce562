import type { PlacedMark } from "../marks/allocate.js";
import type { LabelStyle } from "../marks/labels.js";
import type { BBox } from "../regions/mask.js";
import { type CocoRle, encodeRle } from "../regions/rle.js";
import { markColor, type Rgb, toHex } from "../render/colors.js";
import type { MarkType } from "../render/render.js";

export const MANIFEST_VERSION = 1;

export interface ManifestSettings {
  proposer: string;
  granularity?: number;
  maxMarks?: number;
  marks: MarkType[];
  labels: LabelStyle;
  alpha: number;
  fontSize: number;
  [key: string]: unknown;
}

export interface ManifestMark {
  id: number;
  label: string;
  bbox: BBox;
  area: number;
  segmentation: CocoRle;
  anchor: [number, number];
  labelBox: BBox;
  /**
   * True when the label box lies entirely inside the region's mask; false when the region had no room for it
   * (too small, or its free part taken by labels placed before) and the label sits just outside.
   */
  labelInside: boolean;
  color: string;
  score: number;
  source: string;
  [key: string]: unknown;
}

/** The `*.som.json` contract shared by the CLI, the HTTP API, the web app and other tools. */
export interface Manifest {
  version: typeof MANIFEST_VERSION;
  image: { width: number; height: number; file?: string };
  settings: ManifestSettings;
  marks: ManifestMark[];
}

export function buildManifest(
  image: { width: number; height: number; file?: string },
  settings: ManifestSettings,
  marks: readonly PlacedMark[],
  colorOf: (id: number) => Rgb = markColor,
): Manifest {
  return {
    version: MANIFEST_VERSION,
    image: { width: image.width, height: image.height, ...(image.file ? { file: image.file } : {}) },
    settings,
    marks: [...marks]
      .sort((a, b) => a.id - b.id)
      .map((m) => ({
        // Proposer extras first, so they can never overwrite the contract's own fields.
        ...(m.region.extra ?? {}),
        id: m.id,
        label: m.label,
        bbox: m.region.bbox,
        area: m.region.area,
        segmentation: encodeRle(m.region.mask),
        anchor: [round2(m.anchor[0]), round2(m.anchor[1])],
        labelBox: m.labelBox,
        labelInside: m.inside,
        color: toHex(colorOf(m.id)),
        score: round4(m.region.score),
        source: m.region.source,
      })),
  };
}

const round2 = (v: number) => Math.round(v * 100) / 100;
const round4 = (v: number) => Math.round(v * 10000) / 10000;
