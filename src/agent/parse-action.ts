import { jsonInText } from "../parse/json-in-text.js";
import type { AgentAction } from "./actions.js";

export interface ParsedAction {
  /** The action, when one was found and every mark it names exists. */
  action?: AgentAction;
  /** Why there is no action: nothing recognisable, or a mark id no mark carries. */
  error?: string;
  /** Mark ids named that no mark carries. */
  unknownMarks: number[];
}

const VERBS =
  "click|tap|type|enter|fill|input|select|choose|check|tick|uncheck|hover|press|scroll|back|answer";
const QUOTED = String.raw`"((?:[^"\\]|\\.)*)"|“([^”]*)”|'([^']*)'`;
const MARK = String.raw`(?:\[\s*|\(\s*|#|\b(?:mark|element|id|box|number|label)\s*#?\s*)?(\d{1,4})\b\s*[\])]?`;
// Words allowed between a verb and its mark: "click on the button [3]".
const FILLER = String.raw`[^\n\d"“'\[]{0,40}?`;

/**
 * The one action in a model answer, however written: `click [3]`, `Click on element 3.`, prose with an
 * `Action:` line, a ```fenced``` block, or JSON (`{"action":"type","mark":3,"text":"hi"}`). `known` holds
 * the mark ids on the page; naming another is an error, reported with the ids.
 */
export function parseAction(answer: string, known: ReadonlySet<number>): ParsedAction {
  const json = jsonInText(answer);
  const fromJson = json !== undefined ? actionFromJson(json) : undefined;
  const action = fromJson ?? actionFromText(answer);
  if (!action) {
    return {
      error: 'no action found (expected e.g. click [3], type [3] "text", answer "...")',
      unknownMarks: [],
    };
  }
  if ("mark" in action && action.mark != null && !known.has(action.mark)) {
    return { error: `unknown mark [${action.mark}]: no mark has that number`, unknownMarks: [action.mark] };
  }
  return { action, unknownMarks: [] };
}

function actionFromText(answer: string): AgentAction | undefined {
  let text = answer.replace(/```[a-zA-Z]*\n?([\s\S]*?)```/g, "$1");
  // "Action: click [3]" after the reasoning: the last such line is the decision.
  const tagged = [
    ...text.matchAll(/(?:^|\n)\s*\**(?:final\s+)?(?:action|next action|command)\**\s*[:：]\s*\**([^\n]+)/gi),
  ];
  if (tagged.length > 0) {
    const a = actionAt(tagged[tagged.length - 1][1].trim(), 0);
    if (a) return a;
  }
  text = text.replace(/\*\*/g, "");
  const verb = new RegExp(String.raw`\b(${VERBS})\b`, "gi");
  for (const m of text.matchAll(verb)) {
    const a = actionAt(text, m.index ?? 0);
    if (a) return a;
  }
  return undefined;
}

/** Parse an action starting at `at` (a verb), or undefined when what follows is not its arguments. */
function actionAt(text: string, at: number): AgentAction | undefined {
  const s = text.slice(at);
  const verbMatch = new RegExp(String.raw`^\s*(?:go\s+)?(${VERBS})\b`, "i").exec(s);
  if (!verbMatch) return undefined;
  const verb = verbMatch[1].toLowerCase();
  const rest = s.slice(verbMatch[0].length);
  const sticky = (re: string) => new RegExp(`^${re}`, "i").exec(rest);
  switch (verb) {
    case "click":
    case "tap":
    case "hover":
    case "check":
    case "tick":
    case "uncheck": {
      const m = sticky(`${FILLER}${MARK}`);
      if (!m) return undefined;
      const kind =
        verb === "hover"
          ? "hover"
          : verb === "click" || verb === "tap" || verb === "uncheck"
            ? "click"
            : "check";
      return { kind, mark: Number(m[1]) };
    }
    case "type":
    case "enter":
    case "fill":
    case "input": {
      // type [3] "text"  |  type "text" into [3]
      const a = sticky(
        `${FILLER}${MARK}\\s*[,:]?\\s*(?:with|text|the text|value)?\\s*[:=]?\\s*(?:${QUOTED})`,
      );
      if (a) return typed(Number(a[1]), quoted(a, 2), rest.slice(a[0].length));
      const b = sticky(`\\s*[(:]?\\s*(?:${QUOTED})\\s*(?:into|in|to|on)?${FILLER}${MARK}`);
      if (b) return typed(Number(b[4]), quoted(b, 1), rest.slice(b[0].length));
      return undefined;
    }
    case "select":
    case "choose": {
      const a = sticky(`${FILLER}${MARK}\\s*[,:]?\\s*(?:option|value|to)?\\s*[:=]?\\s*(?:${QUOTED})`);
      if (a) return { kind: "select", mark: Number(a[1]), option: quoted(a, 2) };
      const b = sticky(`\\s*[(:]?\\s*(?:${QUOTED})\\s*(?:in|from|on)?${FILLER}${MARK}`);
      if (b) return { kind: "select", mark: Number(b[4]), option: quoted(b, 1) };
      return undefined;
    }
    case "press": {
      const m = sticky(
        String.raw`\s*(?:the\s+)?[(:]?\s*["'“\[]?\s*([A-Za-z][A-Za-z0-9]*(?:\+[A-Za-z0-9]+)*)`,
      );
      if (!m) return undefined;
      const key = normaliseKey(m[1]);
      return key ? { kind: "press", key } : undefined;
    }
    case "scroll": {
      const a = sticky(`${FILLER}${MARK}\\s*[,:]?\\s*(up|down)\\b`);
      if (a) return { kind: "scroll", mark: Number(a[1]), direction: a[2].toLowerCase() as "up" | "down" };
      const b = sticky(String.raw`\s*(?:the\s+page\s+)?[(:]?\s*["']?(up|down)\b`);
      if (!b) return undefined;
      const direction = b[1].toLowerCase() as "up" | "down";
      const inside = new RegExp(`^\\s*(?:in|inside|within|on)\\s+${FILLER}${MARK}`, "i").exec(
        rest.slice(b[0].length),
      );
      return inside ? { kind: "scroll", direction, mark: Number(inside[1]) } : { kind: "scroll", direction };
    }
    case "back":
      // "back" alone, "go back", "navigate back"; not "back" inside a sentence about something else.
      return /^\s*(?:[.)!\]]|$|\n|\s+to\s+the\s+previous)/i.test(rest) || /^\s*go\s+back/i.test(s)
        ? { kind: "back" }
        : undefined;
    case "answer": {
      const q = sticky(`\\s*[(:]?\\s*(?:with\\s+)?(?:${QUOTED})`);
      if (q) return { kind: "answer", text: quoted(q, 1) };
      const line = /^\s*[:：]\s*([^\n]+)/.exec(rest);
      return line ? { kind: "answer", text: line[1].trim() } : undefined;
    }
  }
  return undefined;
}

function typed(mark: number, text: string, after: string): AgentAction {
  const enter =
    /^\s*[)]?\s*(?:\+|and|then|,)?\s*(?:press(?:ing)?\s+|hit\s+|submit\s+with\s+)?(?:the\s+)?["']?(?:enter|return)\b/i.test(
      after,
    );
  return { kind: "type", mark, text, enter };
}

/** The quoted string in whichever of the three quote groups starting at `first` matched. */
function quoted(m: RegExpExecArray, first: number): string {
  const dq = m[first];
  if (dq != null) return dq.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
  return m[first + 1] ?? m[first + 2] ?? "";
}

const KEY_NAMES: Record<string, string> = {
  enter: "Enter",
  return: "Enter",
  tab: "Tab",
  esc: "Escape",
  escape: "Escape",
  space: " ",
  spacebar: " ",
  backspace: "Backspace",
  delete: "Delete",
  del: "Delete",
  up: "ArrowUp",
  down: "ArrowDown",
  left: "ArrowLeft",
  right: "ArrowRight",
  arrowup: "ArrowUp",
  arrowdown: "ArrowDown",
  arrowleft: "ArrowLeft",
  arrowright: "ArrowRight",
  pageup: "PageUp",
  pagedown: "PageDown",
  home: "Home",
  end: "End",
  ctrl: "Control",
  control: "Control",
  cmd: "Meta",
  meta: "Meta",
  alt: "Alt",
  shift: "Shift",
};

/** A key as Playwright names it ("enter" → "Enter", "ctrl+a" → "Control+a"); undefined for prose words. */
export function normaliseKey(raw: string): string | undefined {
  const parts = raw.split("+").map((p) => {
    const named = KEY_NAMES[p.toLowerCase()];
    if (named) return named;
    if (/^f\d{1,2}$/i.test(p)) return p.toUpperCase();
    return p.length === 1 ? p : undefined;
  });
  return parts.every((p) => p != null) ? parts.join("+") : undefined;
}

/** `{"action": "click", "mark": 3}`, `{"click": 3}`, `{"type": {"mark": 3, "text": "hi"}}`, `[{"action":…}]`. */
function actionFromJson(v: unknown): AgentAction | undefined {
  if (Array.isArray(v)) return v.length > 0 ? actionFromJson(v[0]) : undefined;
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const nameKey = ["action", "type", "name", "command", "op", "kind"].find(
    (k) => typeof o[k] === "string" && new RegExp(`^(?:${VERBS}|go_back|goback)$`, "i").test(String(o[k])),
  );
  if (nameKey) return buildFromFields(String(o[nameKey]).toLowerCase(), o);
  if (typeof o.action === "object" && o.action !== null) return actionFromJson(o.action);
  // {"click": 3} or {"type": {"mark": 3, "text": "hi"}}
  for (const [k, val] of Object.entries(o)) {
    if (!new RegExp(`^(?:${VERBS})$`, "i").test(k)) continue;
    const fields =
      typeof val === "object" && val !== null ? (val as Record<string, unknown>) : { mark: val, text: val };
    const a = buildFromFields(k.toLowerCase(), fields);
    if (a) return a;
  }
  return undefined;
}

function buildFromFields(verb: string, o: Record<string, unknown>): AgentAction | undefined {
  const mark = markField(o);
  const str = (...keys: string[]) => {
    for (const k of keys) if (typeof o[k] === "string" || typeof o[k] === "number") return String(o[k]);
    return undefined;
  };
  switch (verb) {
    case "click":
    case "tap":
    case "uncheck":
      return mark != null ? { kind: "click", mark } : undefined;
    case "hover":
      return mark != null ? { kind: "hover", mark } : undefined;
    case "check":
    case "tick":
      return mark != null ? { kind: "check", mark } : undefined;
    case "type":
    case "enter":
    case "fill":
    case "input": {
      const text = str("text", "value", "content", "input", "string");
      if (mark == null || text == null) return undefined;
      const enter = o.enter === true || o.submit === true || o.press_enter === true || o.pressEnter === true;
      return { kind: "type", mark, text, enter };
    }
    case "select":
    case "choose": {
      const option = str("option", "value", "text", "label", "choice");
      return mark != null && option != null ? { kind: "select", mark, option } : undefined;
    }
    case "press": {
      const key = normaliseKey(str("key", "keys", "value", "text") ?? "");
      return key ? { kind: "press", key } : undefined;
    }
    case "scroll": {
      const d = (str("direction", "dir", "value") ?? "down").toLowerCase();
      if (d !== "up" && d !== "down") return undefined;
      return mark != null ? { kind: "scroll", direction: d, mark } : { kind: "scroll", direction: d };
    }
    case "back":
    case "go_back":
    case "goback":
      return { kind: "back" };
    case "answer": {
      const text = str("answer", "text", "value", "content", "result");
      return text != null ? { kind: "answer", text } : undefined;
    }
  }
  return undefined;
}

function markField(o: Record<string, unknown>): number | undefined {
  for (const k of [
    "mark",
    "id",
    "element",
    "mark_id",
    "markId",
    "element_id",
    "elementId",
    "target",
    "index",
    "label",
    "number",
  ]) {
    const v = o[k];
    if (typeof v === "number" && Number.isInteger(v)) return v;
    if (typeof v === "string") {
      const m = /^\s*\[?\s*(\d{1,4})\s*\]?\s*$/.exec(v);
      if (m) return Number(m[1]);
    }
  }
  return undefined;
}
