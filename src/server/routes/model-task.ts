import type { z } from "zod";
import { markIndex } from "../../parse/mark-index.js";
import { parseMarkRefs } from "../../parse/mark-refs.js";
import { labelText } from "../../marks/labels.js";
import type { LabelStyle } from "../../marks/labels.js";
import type { Provider } from "../../providers/types.js";
import type { MarkType } from "../../render/render.js";
import type { MarkStyle, TaskOutput } from "../../tasks/index.js";
import type { LoadedImage } from "../../image/load.js";
import type { Region } from "../../regions/region.js";
import { readImageRequest } from "../image-input.js";
import { MarkOptionsSchema, type MarkOptionsInput } from "../schemas.js";
import type { RouteRequest } from "./types.js";

export interface TaskJob<B> {
  body: B;
  imageId: string;
  /** The decoded image (sent back by the compute worker that marked it). */
  image: LoadedImage;
  marked: { regions: Region[] };
  provider: Provider;
  style: MarkStyle;
  signal: AbortSignal;
}

/**
 * The shape every model endpoint shares: admit (mark slot and model slot, 429 when full), read and
 * validate the body, mark the image exactly as /v1/mark would with the same options (so mark ids match
 * what a client shows), then run the task with the configured provider.
 */
export async function runModelTask<S extends z.ZodType>(
  r: RouteRequest,
  schema: S,
  run: (job: TaskJob<z.output<S>>) => Promise<TaskOutput>,
  /** Also return `mentions`: where the answer names each mark (ask, refer, ground), for clickable ids. */
  withMentions = false,
): Promise<Record<string, unknown>> {
  const { req, ctx, signal } = r;
  const modelTicket = ctx.model.admit();
  let computeTicket: ReturnType<typeof ctx.compute.admit> | undefined;
  try {
    computeTicket = ctx.compute.admit();
    const { body, source } = await readImageRequest(req, ctx, schema, signal);
    const provider = await ctx.provider();
    const options: MarkOptionsInput =
      (body as { options?: MarkOptionsInput }).options ?? MarkOptionsSchema.parse({});
    const marked = await computeTicket.run(
      () => ctx.runOnImage(source, (s) => ({ op: "mark", source: s, options, detail: true }), signal),
      signal,
    );
    const { imageId, image, regions } = marked;
    if (!image || !regions) throw new Error("compute worker sent no image detail");
    const style: MarkStyle = {
      labels: options.labels as LabelStyle,
      marks: options.marks as MarkType[],
      alpha: options.alpha,
      fontSize: options.fontSize,
    };
    const out = await modelTicket.run(
      () => run({ body, imageId, image, marked: { regions }, provider, style, signal }),
      signal,
    );
    return {
      imageId,
      ...out.json,
      ...(withMentions ? { mentions: mentionSpans(out.json.answer, { regions }, style.labels) } : {}),
      answerImage: dataUrl(out.png),
      files: Object.fromEntries(
        out.files.map((f) => [f.suffix, typeof f.data === "string" ? JSON.parse(f.data) : dataUrl(f.data)]),
      ),
    };
  } finally {
    computeTicket?.release();
    modelTicket.release();
  }
}

const dataUrl = (png: Buffer) => `data:image/png;base64,${png.toString("base64")}`;

/** Where each mark is named in an answer, so a client can make the ids clickable. */
export function mentionSpans(answer: string, marked: { regions: Region[] }, labels: LabelStyle) {
  const index = markIndex(marked.regions.map((reg) => ({ id: reg.id, label: labelText(reg.id, labels) })));
  return parseMarkRefs(answer, index).mentions.map((m) => ({
    start: m.start,
    end: m.end,
    label: m.label,
    ...(m.id !== undefined && !m.negated ? { id: m.id } : {}),
  }));
}
