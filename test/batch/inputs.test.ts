import { describe, expect, it } from "vitest";
import { expandInputs } from "../../src/batch/inputs.js";
import { COCO } from "../helpers/datasets.js";

describe("batch inputs from som eval data sets", () => {
  it("coco-panoptic:DIR gives each image once, named by its stem", async () => {
    const items = await expandInputs([`coco-panoptic:${COCO()}`]);
    expect(items).toHaveLength(100);
    expect(items[0]!.name).toMatch(/^\d{12}$/);
    expect(new Set(items.map((i) => i.name)).size).toBe(100);
  });

  it("refcocos:DIR gives one item per expression (with it as the item's argument); mark takes each image once", async () => {
    const items = await expandInputs([`refcocos:${COCO()}`]);
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => typeof i.args?.expression === "string")).toBe(true);
    expect(new Set(items.map((i) => i.name)).size).toBe(items.length);
    const forMark = await expandInputs([`refcocos:${COCO()}`], { forMark: true });
    expect(forMark.length).toBe(new Set(items.map((i) => i.input)).size);
    expect(forMark.every((i) => i.args === undefined)).toBe(true);
  });
});
