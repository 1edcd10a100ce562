import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { matchCategory } from "../../src/parse/category-match.js";
import { DEFAULT_TEMPLATES, fillTemplate, loadTemplate } from "../../src/prompts/templates.js";
import { ADE20K } from "../../src/prompts/vocab/ade20k.js";
import { COCO_PANOPTIC } from "../../src/prompts/vocab/coco-panoptic.js";
import { loadVocabulary } from "../../src/prompts/vocab/vocabulary.js";
import { PANOPTIC_JSON, requireData } from "./coco.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "som-prompts-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("vocabularies", () => {
  it("COCO panoptic: the 133 categories of panoptic_val2017.json, same ids, names and thing/stuff", () => {
    const official = JSON.parse(readFileSync(requireData(PANOPTIC_JSON), "utf8")).categories as {
      id: number;
      name: string;
      isthing: number;
    }[];
    expect(COCO_PANOPTIC.entries.map((e) => [e.id, e.official, e.isthing ? 1 : 0])).toEqual(
      official.map((c) => [c.id, c.name, c.isthing]),
    );
    // Names shown to the model are unique, so an answer maps back to one category.
    const shown = COCO_PANOPTIC.entries.map((e) => e.name);
    expect(new Set(shown).size).toBe(shown.length);
    for (const e of COCO_PANOPTIC.entries) {
      expect(matchCategory(e.name, COCO_PANOPTIC.entries)?.id).toBe(e.id);
      expect(matchCategory(e.official, COCO_PANOPTIC.entries)?.id).toBe(e.id);
    }
  });

  it("ADE20K: 150 classes, each answer name maps back to its class", () => {
    expect(ADE20K.entries).toHaveLength(150);
    expect(ADE20K.entries[0].name).toBe("wall");
    expect(ADE20K.entries[149].name).toBe("flag");
    for (const e of ADE20K.entries) {
      // e.g. "step" (122) must not go to "stairs, steps" (54), nor "screen" (131) to "screen door" (59).
      expect(matchCategory(e.name, ADE20K.entries)?.id, e.name).toBe(e.id);
      expect(matchCategory(e.official, ADE20K.entries)?.id, e.official).toBe(e.id);
    }
    expect(matchCategory("steps", ADE20K.entries)?.name).toBe("stairs");
    expect(matchCategory("palm tree", ADE20K.entries)?.name).toBe("palm");
    expect(matchCategory("chest of drawers", ADE20K.entries)?.name).toBe("chest of drawers");
  });

  it("loads a vocabulary file: JSON names, COCO categories, or one name per line", async () => {
    const a = join(dir, "v.json");
    await writeFile(a, JSON.stringify(["red apple", "green pear"]));
    expect((await loadVocabulary(a)).entries.map((e) => [e.id, e.name])).toEqual([
      [1, "red apple"],
      [2, "green pear"],
    ]);
    const b = join(dir, "c.json");
    await writeFile(b, JSON.stringify({ categories: [{ id: 7, name: "kite", isthing: 1 }] }));
    expect((await loadVocabulary(b)).entries[0]).toMatchObject({ id: 7, name: "kite" });
    const c = join(dir, "v.txt");
    await writeFile(c, "# fruit\napple\n\npear\n");
    expect((await loadVocabulary(c)).entries.map((e) => e.name)).toEqual(["apple", "pear"]);
    await expect(loadVocabulary(join(dir, "none.txt"))).rejects.toThrow(
      /not "coco", "ade20k" or a readable file/,
    );
  });
});

describe("templates", () => {
  it("fill the paper's wording", () => {
    const t = DEFAULT_TEMPLATES.refer;
    expect(
      fillTemplate(t.prompt, { expression: "The laptop behind the beer bottle", idKind: "numeric ID" }),
    ).toBe(
      "I have labeled a bright numeric ID at the center for each visual object in the image. Please tell me the IDs for: The laptop behind the beer bottle.",
    );
    expect(
      fillTemplate(DEFAULT_TEMPLATES.ground.prompt, {
        sentence: "a man in glasses holding a piece of paper",
        phrases: "a man in glasses, a piece of paper",
        idKind: "numeric ID",
      }),
    ).toBe(
      "I have labeled a bright numeric ID at the center for each visual object in the image. Given the image showing a man in glasses holding a piece of paper, find the corresponding regions for a man in glasses, a piece of paper.",
    );
    expect(DEFAULT_TEMPLATES.ask.system).toBe(
      "- For any marks mentioned in your answer, please highlight them with [].",
    );
  });

  it("reject unknown placeholders and load overrides from a file", async () => {
    expect(() => fillTemplate("Find {thing}", { question: "q" })).toThrow(
      /unknown placeholder \{thing\}; known: \{question\}/,
    );
    const j = join(dir, "t.json");
    await writeFile(j, JSON.stringify({ system: "Be brief." }));
    expect(await loadTemplate("ask", j)).toEqual({ system: "Be brief.", prompt: "{question}" });
    const t = join(dir, "t.txt");
    await writeFile(t, "Q: {question}\n");
    expect((await loadTemplate("ask", t)).prompt).toBe("Q: {question}");
    await writeFile(j, JSON.stringify({ prompt: 3 }));
    await expect(loadTemplate("ask", j)).rejects.toThrow(/"prompt" must be a string/);
  });
});
