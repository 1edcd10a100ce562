import sharp from "sharp";
import { createRaster } from "../../image/raster.js";
import { buildManifest, type Manifest } from "../../manifest/manifest.js";
import { type LabelStyle, labelText } from "../../marks/labels.js";
import { defaultLineWidth, encodeRgbaPng, type MarkType, renderMarksRgba } from "../../render/render.js";
import { labelMetrics } from "../../render/font.js";
import { placeBadges } from "./place-badges.js";
import { marksToRegions } from "./regions.js";
import type { WebMarks } from "./types.js";

export const DEFAULT_WEB_MARKS: readonly MarkType[] = ["number", "box"];

export interface WebDrawStyle {
  marks?: readonly MarkType[];
  labels?: LabelStyle;
  alpha?: number;
  /** Badge font size in image pixels (default 12 CSS px × device scale factor). */
  fontSize?: number;
  pngLevel?: number;
  /** Manifest `image.file`. */
  file?: string;
}

/**
 * Draw the marks over the page's screenshot with the shared renderer (rectangle regions; badges placed by
 * placeBadges) and build the manifest: the `som mark` contract plus `point`, `element` and `why` per mark.
 */
export async function renderWebMarks(
  screenshotPng: Buffer,
  web: WebMarks,
  style: WebDrawStyle = {},
): Promise<{ png: Buffer; manifest: Manifest }> {
  const { data, info } = await sharp(screenshotPng).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const width = info.width;
  const height = info.height;
  const regions = marksToRegions(web.marks, width, height);
  const labels = style.labels ?? "numeric";
  const fontSize = style.fontSize ?? Math.round(12 * web.deviceScaleFactor);
  const measure = labelMetrics(fontSize).measure;
  const placed = placeBadges(regions, width, height, (id) => labelText(id, labels), measure);
  const marks = style.marks ?? DEFAULT_WEB_MARKS;
  const alpha = style.alpha ?? 0.15;
  const rgba = renderMarksRgba(
    createRaster(width, height, new Uint8Array(data.buffer, data.byteOffset, data.length)),
    placed,
    {
      marks,
      alpha,
      fontSize,
      lineWidth: Math.max(1, Math.round(web.deviceScaleFactor), defaultLineWidth(width, height) - 1),
    },
  );
  const png = await encodeRgbaPng(rgba, width, height, style.pngLevel);
  const manifest = buildManifest(
    { width, height, file: style.file },
    {
      proposer: "web",
      marks: [...marks],
      labels,
      alpha,
      fontSize,
      url: web.url,
      title: web.title,
      viewport: web.viewport,
      deviceScaleFactor: web.deviceScaleFactor,
      fullPage: web.fullPage,
      frames: web.frames,
      outside: web.outside,
      ...(web.truncated ? { truncated: web.truncated } : {}),
    },
    placed,
  );
  const byId = new Map(web.marks.map((m) => [m.id, m]));
  for (const m of manifest.marks) {
    const w = byId.get(m.id);
    if (w) Object.assign(m, { point: w.point, element: w.element, why: w.why });
  }
  return { png, manifest };
}
