import type { RasterImage } from "../image/raster.js";
import { labelText } from "../marks/labels.js";
import { markIndex, type MarkIndex } from "../parse/mark-index.js";
import type { PromptTemplate } from "../prompts/templates.js";
import type { Provider } from "../providers/types.js";
import type { Region } from "../regions/region.js";
import type { AnswerJson } from "./answer.js";
import type { MarkedView } from "./marked-view.js";
import type { MarkStyle } from "./render-regions.js";

/** What every task needs: the image, its regions (full size), the model, how to draw marks. */
export interface TaskInput {
  image: RasterImage;
  file?: string;
  regions: readonly Region[];
  provider: Provider;
  style: MarkStyle;
  /** At most this many marks per request (the paper used 5 on dense images). */
  groupSize?: number;
  /** Overrides the task's default prompts. */
  template?: PromptTemplate;
  onProgress?: (message: string) => void;
}

/** A task's result: the answer JSON, the answer image, and any extra files by suffix (".mask.png"…). */
export interface TaskOutput {
  json: AnswerJson;
  png: Buffer;
  files: { suffix: string; data: Buffer | string }[];
}

export function indexOf(regions: readonly Region[], style: MarkStyle): MarkIndex {
  return markIndex(regions.map((r) => ({ id: r.id, label: labelText(r.id, style.labels) })));
}

export function idKind(style: MarkStyle): string {
  return style.labels === "alpha" ? "alphabetic ID" : "numeric ID";
}

export function baseJson(
  task: string,
  input: TaskInput,
  view: MarkedView,
  question: string,
): Pick<AnswerJson, "version" | "task" | "question" | "provider" | "image" | "sent"> {
  return {
    version: 1,
    task,
    question,
    provider: { name: input.provider.name, model: input.provider.model },
    image: {
      ...(input.file ? { file: input.file } : {}),
      width: input.image.width,
      height: input.image.height,
    },
    sent: { ...view.sent, groups: view.groups.length, marks: input.regions.length },
  };
}

/**
 * The marked images exactly as the model received them, saved beside the answer: `<stem>.sent.som.png`, or
 * `<stem>.sent-1.som.png`, `-2`, … when the marks went in several requests (--group-size).
 */
export function sentFiles(view: MarkedView): TaskOutput["files"] {
  const groups = view.groups;
  if (groups.length === 1) return [{ suffix: ".sent.som.png", data: groups[0].png }];
  return groups.map((g, i) => ({ suffix: `.sent-${i + 1}.som.png`, data: g.png }));
}
