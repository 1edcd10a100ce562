/**
 * Plain-text refusals, which APIs do not flag: "I'm sorry, but I can't help with that.", "I can't determine
 * which…", "As an AI, I…", "Unfortunately, I am unable to…", also inside a JSON answer or after "Answer:".
 * An answer that says the target is absent ("There is no dog", "I don't see a dog") is not a refusal.
 */
const OPENERS: readonly RegExp[] = [
  /^(?:i['’]?m|i\s+am)\s+(?:so\s+|very\s+|really\s+|truly\s+)?(?:sorry|afraid)\b/,
  /^(?:sorry|apologies|my\s+apologies|i\s+apologi[sz]e|we\s+apologi[sz]e)(?![\w-])/,
  /^(?:i|we)\s+(?:can(?:not|['’]?t)|could(?:\s+not|n['’]?t)|(?:am|['’]m|are|['’]re)\s+(?:unable|not\s+able)|won['’]?t|will\s+not|must\s+decline|have\s+to\s+decline|decline)\s+(?:to\s+)?(?:help|assist|provide|identify|determine|tell|comply|answer|fulfil|fulfill|process|do\s+(?:that|this)|make|say|be\s+of|reliably|accurately|confidently|definitively|with|support|engage|complete|respond|answer)/,
  /^(?:i|we)\s+(?:do\s+not|don['’]?t)\s+know\b/,
  /^as\s+an?\s+(?:ai|a\.i\.|language\s+model|large\s+language\s+model|llm|assistant|text-based)\b/,
  /^unfortunately,?\s+(?:i|we)\b/,
  /^(?:it\s+is|it['’]s)\s+(?:not\s+possible|impossible)\s+(?:for\s+me\s+)?to\s+(?:determine|tell|identify|say|answer)/,
  /^i['’]?m\s+not\s+(?:able|going)\s+to\b/,
];

/** Strings that may hold the answer: the text itself, after an "Answer:" prefix, and JSON string values. */
function candidates(text: string): string[] {
  const out = [text];
  const json = text.match(/\{[\s\S]*\}/);
  if (json) {
    try {
      const walk = (v: unknown): void => {
        if (typeof v === "string") out.push(v);
        else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x);
      };
      walk(JSON.parse(json[0]));
    } catch {
      // not JSON: the text alone
    }
  }
  return out;
}

function opensWithRefusal(s: string): boolean {
  const t = s
    .toLowerCase()
    .replace(/^[\s"'`*_>#\-[\](){}:]+/, "")
    .replace(/^(?:answer|response|assistant)\s*:\s*["'`*_]*/, "");
  return OPENERS.some((re) => re.test(t));
}

export function looksLikeRefusal(text: string): boolean {
  if (text.length >= 600) return false;
  return candidates(text).some(opensWithRefusal);
}
