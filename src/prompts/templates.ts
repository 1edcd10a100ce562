import { readFile } from "node:fs/promises";
import { UserError } from "../errors.js";

export type TaskName = "ask" | "classify" | "refer" | "ground" | "track";

/** A system prompt and a user prompt with {placeholders}. */
export interface PromptTemplate {
  system: string;
  prompt: string;
}

/** The SoM demo's whole system "metaprompt" (microsoft/SoM gpt4v.py). */
const CITE = "- For any marks mentioned in your answer, please highlight them with [].";
const LABELED = "I have labeled a bright {idKind} at the center for each visual object in the image.";

/**
 * Default templates. User prompts use the paper's wording (SoM-Bench prompts for classify, refer, ground;
 * the video-matching prompt follows the paper's tracking figure); the system prompts add only the answer
 * format, so text answers stay parseable when a provider has no structured output.
 */
export const DEFAULT_TEMPLATES: Readonly<Record<TaskName, PromptTemplate>> = {
  ask: { system: CITE, prompt: "{question}" },
  classify: {
    system: `${CITE}\n- Answer with one line per ID, in the form "ID: name", using only the given names.`,
    prompt: `${LABELED} Please enumerate their names. You must answer by selecting from the following names: [{vocabulary}]`,
  },
  refer: {
    system: CITE,
    prompt: `${LABELED} Please tell me the IDs for: {expression}.`,
  },
  ground: {
    system: `${CITE}\n- Answer with one line per phrase, in the form "phrase: [ID], [ID]".`,
    prompt: `${LABELED} Given the image showing {sentence}, find the corresponding regions for {phrases}.`,
  },
  track: {
    system: `${CITE}\n- Answer with one line per object, in the form "object ID: [mark]", or "object ID: none" when it is not in the later frame.`,
    prompt:
      "The 2 images are from the same video, where the first image is the first frame and the second image is a later frame. " +
      "In the first image, there are {objectCount} objects labeled with {objectLabels}. In the second image, candidate regions " +
      "are labeled with {candidateKind}. Can you track these {objectCount} objects in the second image?",
  },
};

export const TEMPLATE_VARIABLES: Readonly<Record<TaskName, readonly string[]>> = {
  ask: ["question", "idKind"],
  classify: ["vocabulary", "idKind"],
  refer: ["expression", "idKind"],
  ground: ["sentence", "phrases", "idKind"],
  track: ["objectCount", "objectLabels", "candidateKind", "idKind"],
};

/** Replace {name} placeholders; an unknown placeholder is an error naming the ones allowed. */
export function fillTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!(name in vars)) {
      throw new UserError(
        `prompt template: unknown placeholder ${whole}; known: ${Object.keys(vars)
          .map((k) => `{${k}}`)
          .join(", ")}`,
      );
    }
    return vars[name];
  });
}

/**
 * The template for a task, with fields overridden from a file: JSON `{"system": "...", "prompt": "..."}`
 * (either may be left out) or plain text, taken as the user prompt.
 */
export async function loadTemplate(task: TaskName, file?: string): Promise<PromptTemplate> {
  const base = DEFAULT_TEMPLATES[task];
  if (!file) return base;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new UserError(`--template ${file}: cannot read the file`);
  }
  if (!text.trim().startsWith("{")) return { ...base, prompt: text.trim() };
  let data: Partial<PromptTemplate>;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError(`--template ${file}: invalid JSON`);
  }
  for (const k of ["system", "prompt"] as const) {
    if (data[k] !== undefined && typeof data[k] !== "string")
      throw new UserError(`--template ${file}: "${k}" must be a string`);
  }
  return { system: data.system ?? base.system, prompt: data.prompt ?? base.prompt };
}
