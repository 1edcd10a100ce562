import { describe, expect, it } from "vitest";
import { referTask } from "../../src/eval/refer-task.js";

describe("refer: no-target accuracy", () => {
  it("does not count a failed answer (refusal) as a right 'no target'", () => {
    const task = referTask([], "refcocos:x");
    const rec = (id: string, named: number[], error?: string) => ({
      id,
      marks: 5,
      expression: "the unicorn",
      category: "no target",
      named,
      empty: true,
      ...(error ? { error } : {}),
    });
    const summary = task.summarize([
      rec("a", []),
      rec("b", [], "openai (gpt-4o): the model refused to answer: \"I'm sorry, I can't help with that.\""),
      rec("c", [3]),
      rec("d", []),
    ] as never);
    expect(JSON.stringify(summary)).toContain('"no_target_accuracy":0.5');
  });
});
