import type { RasterImage } from "../image/raster.js";
import { labelText } from "../marks/labels.js";
import { markIndex } from "../parse/mark-index.js";
import { parseMatches } from "../parse/track-answer.js";
import { trackSchema } from "../prompts/schemas.js";
import { DEFAULT_TEMPLATES, fillTemplate } from "../prompts/templates.js";
import { fitImageSize } from "../providers/image-limits.js";
import type { Region } from "../regions/region.js";
import { type AnswerJson, referenced } from "./answer.js";
import { encodeLabelPng } from "./mask-png.js";
import { markForProvider } from "./marked-view.js";
import { renderRegions, resizeRaster } from "./render-regions.js";
import { answerSummary, askGroups, checkRefusal } from "./run-groups.js";
import { scaleRegions } from "./scale-regions.js";
import { baseJson, idKind, sentFiles, type TaskInput, type TaskOutput } from "./task-input.js";

export interface TrackInput extends TaskInput {
  /** Frame 1 and its objects (ids 1..n, labelled with numbers); `image`/`regions` are frame 2's candidates. */
  frame1: RasterImage;
  objects: readonly Region[];
  /** The id each object carries in the output (e.g. its value in the frame-1 label PNG); default its id. */
  objectValue?: (object: Region) => number;
}

/** The id an object carries in the output: its value in the frame-1 label PNG / panoptic segment id. */
export function maskObjectValue(o: Region): number {
  const e = o.extra ?? {};
  const v = e.label_value ?? e.segment_id ?? e.id;
  return typeof v === "number" ? v : o.id;
}

/**
 * Video object matching: objects marked in frame 1 (numbers), candidate regions in frame 2 (letters by
 * default), both frames sent; the model pairs them. Output `matches`, and `<stem>.masks.png`: frame 2 with
 * each matched candidate painted with its object's id.
 */
export async function runTrack(input: TrackInput): Promise<TaskOutput> {
  const template = input.template ?? DEFAULT_TEMPLATES.track;
  const limits = input.provider.imageLimits;
  const objStyle = { ...input.style, labels: "numeric" as const };
  const fit1 = fitImageSize(input.frame1.width, input.frame1.height, limits);
  const frame1Png = await renderRegions(
    await resizeRaster(input.frame1, fit1.width, fit1.height),
    scaleRegions(input.objects, fit1.width, fit1.height),
    objStyle,
  );
  const view = await markForProvider(input.image, input.regions, limits, input.style, input.groupSize);
  const objectLabels = input.objects.map((o) => labelText(o.id, "numeric"));
  const objectsIndex = markIndex(input.objects.map((o) => ({ id: o.id, label: labelText(o.id, "numeric") })));
  const answers = await askGroups(
    input.provider,
    view.groups,
    (group) => {
      const labels = group.regions.map((r) => labelText(r.id, input.style.labels));
      const vars = {
        objectCount: String(input.objects.length),
        objectLabels: objectLabels.join(","),
        candidateKind: `${input.style.labels === "alpha" ? "letters" : "numbers"} ${labels.join(",")}`,
        idKind: idKind(input.style),
      };
      return {
        system: fillTemplate(template.system, vars),
        prompt: fillTemplate(template.prompt, vars),
        schema: trackSchema,
        before: [frame1Png],
      };
    },
    input.onProgress,
  );
  const byId = new Map(input.regions.map((r) => [r.id, r]));
  const match = new Map<number, number | null>();
  const unknown: string[] = [];
  for (const a of answers) {
    const candidates = markIndex(
      a.group.regions.map((r) => ({ id: r.id, label: labelText(r.id, input.style.labels) })),
    );
    const parsed = parseMatches(a.parseText, objectsIndex, candidates);
    checkRefusal(input.provider, a.result.text, parsed.pairs.size > 0);
    for (const [obj, cand] of parsed.pairs)
      if (cand != null || !match.has(obj)) match.set(obj, match.get(obj) ?? cand);
    for (const u of parsed.unknown) if (!unknown.includes(u)) unknown.push(u);
  }
  const value = input.objectValue ?? ((o: Region) => o.id);
  const matches = input.objects.map((o) => {
    const cand = match.get(o.id) ?? null;
    const region = cand != null ? byId.get(cand) : undefined;
    return {
      object: value(o),
      label: labelText(o.id, "numeric"),
      mark: cand,
      markLabel: cand != null ? labelText(cand, input.style.labels) : null,
      ...(region ? { bbox: region.bbox, area: region.area } : {}),
    };
  });
  const matched = input.objects.filter((o) => match.get(o.id) != null);
  const chosen = matched.map((o) => byId.get(match.get(o.id)!)!);
  const json: AnswerJson = {
    ...baseJson("track", input, view, "track"),
    ...answerSummary(answers),
    referenced: chosen.map((r) => referenced(r, input.style.labels)),
    unknown,
    frame1: { width: input.frame1.width, height: input.frame1.height, objects: input.objects.length },
    matches,
  };
  // The answer image labels each matched region with its object's number.
  const relabelled = matched.map((o) => ({ ...byId.get(match.get(o.id)!)!, id: o.id }));
  const png = await renderRegions(input.image, relabelled, objStyle);
  const masks = await encodeLabelPng(
    matched.map((o) => ({ region: byId.get(match.get(o.id)!)!, value: value(o) })),
    input.image.width,
    input.image.height,
  );
  const sent = [{ suffix: ".sent-frame1.som.png", data: frame1Png }, ...sentFiles(view)];
  return { json, png, files: [{ suffix: ".masks.png", data: masks }, ...sent] };
}
