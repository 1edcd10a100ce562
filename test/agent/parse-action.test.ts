import { describe, expect, it } from "vitest";
import { formatAction } from "../../src/agent/actions.js";
import { parseAction } from "../../src/agent/parse-action.js";

const known = new Set([1, 2, 3, 4, 5, 12]);
const line = (answer: string) => {
  const p = parseAction(answer, known);
  return p.action ? formatAction(p.action) : `error: ${p.error}`;
};

describe("parseAction", () => {
  it.each([
    ["click [3]", "click [3]"],
    ["Click on element 3.", "click [3]"],
    ["I will click the button [12] to add it.", "click [12]"],
    ['Thought: the search box is [2].\nAction: type [2] "red shoes" + Enter', 'type [2] "red shoes" + Enter'],
    ['type [2] "hello"', 'type [2] "hello"'],
    ["Type “hello world” into [2] and press Enter", 'type [2] "hello world" + Enter'],
    ["type(2, 'abc')", 'type [2] "abc"'],
    ['select [4] "Blue"', 'select [4] "Blue"'],
    ['Select "Large" from the dropdown [5]', 'select [5] "Large"'],
    ["check [1]", "check [1]"],
    ["hover over [3]", "hover [3]"],
    ["press Enter", "press Enter"],
    ["Press the Tab key", "press Tab"],
    ["press ctrl+a", "press Control+a"],
    ["scroll down", "scroll down"],
    ["Scroll up.", "scroll up"],
    ["scroll [3] down", "scroll [3] down"],
    ["scroll down inside [3]", "scroll [3] down"],
    ["back", "back"],
    ["Go back to the previous page.", "back"],
    ['answer "42 items"', 'answer "42 items"'],
    ["Answer: the price is $12", 'answer "the price is $12"'],
    ["```\nclick [5]\n```", "click [5]"],
    ['{"action": "click", "mark": 3}', "click [3]"],
    ['```json\n{"action":"type","element":"[2]","text":"hi","enter":true}\n```', 'type [2] "hi" + Enter'],
    ['{"click": 4}', "click [4]"],
    ['{"action": "scroll", "direction": "up"}', "scroll up"],
    ['{"action": "answer", "answer": "done"}', 'answer "done"'],
    ["To answer the question, I need to click [4].", "click [4]"],
  ])("%s → %s", (answer, expected) => {
    expect(line(answer)).toBe(expected);
  });

  it("reports a mark id no mark carries, with the id", () => {
    const p = parseAction("click [99]", known);
    expect(p.action).toBeUndefined();
    expect(p.unknownMarks).toEqual([99]);
    expect(p.error).toMatch(/unknown mark \[99\]/);
  });

  it("says so when there is no action", () => {
    const p = parseAction("I am not sure what to do here.", known);
    expect(p.action).toBeUndefined();
    expect(p.error).toMatch(/no action found/);
  });
});
