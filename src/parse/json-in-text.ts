/**
 * The JSON value in a model answer: the whole answer, a ```json fenced block, or the first balanced
 * {...} / [...] span that parses. Undefined when there is none.
 */
export function jsonInText(text: string): unknown {
  const t = text.trim();
  const whole = tryParse(t);
  if (whole !== undefined && typeof whole === "object" && whole !== null) return whole;
  const fence = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(t);
  if (fence) {
    const v = tryParse(fence[1].trim());
    if (v !== undefined && typeof v === "object" && v !== null) return v;
  }
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c !== "{" && c !== "[") continue;
    const end = balancedEnd(t, i);
    if (end < 0) continue;
    const v = tryParse(t.slice(i, end + 1));
    // A bracketed citation like [3] is not "JSON" for our purposes; it needs a key or several items.
    if (
      v !== undefined &&
      typeof v === "object" &&
      v !== null &&
      (c === "{" || (Array.isArray(v) && v.length > 1))
    ) {
      return v;
    }
  }
  return undefined;
}

function tryParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** Index of the bracket closing the one at `start`, respecting strings; -1 if unbalanced. */
function balancedEnd(s: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") stack.push(c === "{" ? "}" : "]");
    else if (c === "}" || c === "]") {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}
