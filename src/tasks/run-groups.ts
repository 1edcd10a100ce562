import { ProviderError } from "../providers/errors.js";
import type { CompleteRequest, CompleteResult, Provider } from "../providers/types.js";
import { looksLikeRefusal } from "../parse/refusal.js";
import type { MarkGroup } from "./marked-view.js";

export interface GroupAnswer {
  group: MarkGroup;
  result: CompleteResult;
  /** The answer as the parser should read it: the JSON text of a structured answer, else the text. */
  parseText: string;
}

/**
 * One request per group of marks, in order. `build` gives the request (prompts, schema) for a group; extra
 * images (e.g. the first video frame) go before the group's marked image.
 */
export async function askGroups(
  provider: Provider,
  groups: readonly MarkGroup[],
  build: (group: MarkGroup, index: number) => Omit<CompleteRequest, "image"> & { before?: Uint8Array[] },
  onProgress?: (message: string) => void,
): Promise<GroupAnswer[]> {
  const out: GroupAnswer[] = [];
  for (const [i, group] of groups.entries()) {
    const { before, ...req } = build(group, i);
    if (groups.length > 1) onProgress?.(`request ${i + 1}/${groups.length} (${group.regions.length} marks)`);
    const image = before?.length ? [...before, group.png] : group.png;
    const result = await provider.complete({
      ...req,
      image,
      schema: provider.structuredOutput ? req.schema : undefined,
    });
    const parseText = result.object !== undefined ? JSON.stringify(result.object) : result.text;
    out.push({ group, result, parseText });
  }
  return out;
}

/** A plain-text refusal that named no mark is an error, like an API-flagged refusal. */
export function checkRefusal(provider: Provider, text: string, namedAnything: boolean): void {
  if (!namedAnything && looksLikeRefusal(text)) {
    const said = text.trim().split("\n")[0].slice(0, 200);
    throw new ProviderError(
      `${provider.name} (${provider.model}): the model refused to answer: "${said}"`,
      "refusal",
    );
  }
}
