import { describe, expect, it } from "vitest";
import { type VocabEntry, matchCategory } from "../../src/parse/category-match.js";
import { parseMarkNames } from "../../src/parse/classify-answer.js";
import { parsePhraseMarks } from "../../src/parse/ground-answer.js";
import { markIndex, numericMarks } from "../../src/parse/mark-index.js";
import { looksLikeRefusal } from "../../src/parse/refusal.js";
import { parseMatches } from "../../src/parse/track-answer.js";

const alpha = (n: number) =>
  markIndex(Array.from({ length: n }, (_, i) => ({ id: i + 1, label: String.fromCharCode(97 + i) })));
const names = (text: string, n = 6) => Object.fromEntries(parseMarkNames(text, numericMarks(n)).names);

describe("classify answers: a name per mark", () => {
  const cases: [string, Record<number, string>][] = [
    ["1: person\n2: dog\n3: frisbee", { 1: "person", 2: "dog", 3: "frisbee" }],
    ["1. person\n2. dog", { 1: "person", 2: "dog" }],
    ["1: person, 2: dog, 3: grass", { 1: "person", 2: "dog", 3: "grass" }],
    ["- Mark 1: a person (wearing a hat)\n- Mark 2: the sky", { 1: "person", 2: "sky" }],
    ["[1] person\n[2] tree", { 1: "person", 2: "tree" }],
    ["**1** - couch\n**2** - tv", { 1: "couch", 2: "tv" }],
    ["Mark 1 is a cat and mark 2 is a bed.", { 1: "cat", 2: "bed" }],
    ["| Mark | Name |\n|---|---|\n| 1 | person |\n| 2 | surfboard |", { 1: "person", 2: "surfboard" }],
    ["person: 1, 3; dog: 2", { 1: "person", 3: "person", 2: "dog" }],
    ["person (1, 3), dog (2)", { 1: "person", 3: "person", 2: "dog" }],
    ['{"1": "person", "2": "dog"}', { 1: "person", 2: "dog" }],
    [
      '```json\n{"labels": [{"mark": 1, "name": "wine glass"}, {"mark": 2, "name": "dining table"}]}\n```',
      { 1: "wine glass", 2: "dining table" },
    ],
    ['{"person": [1, 4], "car": 2}', { 1: "person", 4: "person", 2: "car" }],
  ];
  for (const [text, want] of cases) it(JSON.stringify(text), () => expect(names(text)).toEqual(want));

  it("reports labels no mark carries", () => {
    const r = parseMarkNames("1: person\n9: dog", numericMarks(3));
    expect(Object.fromEntries(r.names)).toEqual({ 1: "person" });
    expect(r.unknown).toEqual(["9"]);
  });

  it("reads alphabetic labels", () => {
    expect(Object.fromEntries(parseMarkNames("a: sky\nb: building\nc: road", alpha(3)).names)).toEqual({
      1: "sky",
      2: "building",
      3: "road",
    });
  });
});

describe("matchCategory", () => {
  const vocab: VocabEntry[] = [
    "person",
    "car",
    "dining table",
    "tv",
    "cell phone",
    "couch",
    "sky",
    "wall",
  ].map((name, i) => ({ id: i + 1, name }));
  const cases: [string, string | undefined][] = [
    ["person", "person"],
    ["People", "person"],
    ["a man", "person"],
    ["cars", "car"],
    ["a red sports car", "car"],
    ["television", "tv"],
    ["smartphone", "cell phone"],
    ["sofa", "couch"],
    ["table", "dining table"],
    ["brick wall", "wall"],
    ["giraffe", undefined],
  ];
  for (const [n, want] of cases) it(`${n} → ${want}`, () => expect(matchCategory(n, vocab)?.name).toBe(want));
});

describe("phrase grounding answers", () => {
  const phrases = ["a man", "a brown dog", "the frisbee"];
  it("reads one line per phrase", () => {
    const r = parsePhraseMarks(
      "a man: [3]\na brown dog: [5], [6]\nthe frisbee: [2]",
      phrases,
      numericMarks(8),
    );
    expect(r.marks).toEqual([[3], [5, 6], [2]]);
  });
  it("reads marks inline after each phrase", () => {
    const r = parsePhraseMarks(
      "A man [3] throws the frisbee [2] to a brown dog [5].",
      phrases,
      numericMarks(8),
    );
    expect(r.marks).toEqual([[3], [5], [2]]);
  });
  it("reads JSON and reports unknown marks", () => {
    const r = parsePhraseMarks(
      '{"phrases": [{"phrase": "a man", "marks": [1]}, {"phrase": "a brown dog", "marks": [4, 12]}, {"phrase": "the frisbee", "marks": []}]}',
      phrases,
      numericMarks(8),
    );
    expect(r.marks).toEqual([[1], [4], []]);
    expect(r.unknown).toEqual(["12"]);
  });
  it("gives no marks to a phrase the answer does not ground", () => {
    const r = parsePhraseMarks("- a man → mark 7\n- a brown dog → not visible", phrases, numericMarks(8));
    expect(r.marks).toEqual([[7], [], []]);
  });
});

describe("video object matching answers", () => {
  it("pairs numeric objects with letter candidates, with 'none' for a lost object", () => {
    const r = parseMatches("1: c\n2: a\n3: none (it left the frame)", numericMarks(3), alpha(5));
    expect(Object.fromEntries(r.pairs)).toEqual({ 1: 3, 2: 1, 3: null });
  });
  it("reads arrows and prose", () => {
    const r = parseMatches("Object 1 → mark 7. Object 2 → mark 4.", numericMarks(2), numericMarks(9));
    expect(Object.fromEntries(r.pairs)).toEqual({ 1: 7, 2: 4 });
  });
  it("reads JSON and reports unknown candidates", () => {
    const r = parseMatches(
      '[{"object": 1, "mark": "b"}, {"object": 2, "mark": "q"}]',
      numericMarks(2),
      alpha(4),
    );
    expect(Object.fromEntries(r.pairs)).toEqual({ 1: 2, 2: null });
    expect(r.unknown).toEqual(["q"]);
  });
});

describe("looksLikeRefusal", () => {
  it("spots plain-text refusals and not ordinary answers", () => {
    expect(looksLikeRefusal("I'm sorry, but I can't help with identifying people in images.")).toBe(true);
    expect(looksLikeRefusal("Sorry, I cannot assist with that request.")).toBe(true);
    expect(looksLikeRefusal("The laptop is [3]; sorry for the short answer.")).toBe(false);
    expect(looksLikeRefusal("I can't see a bicycle, but the closest object is [4].")).toBe(false);
  });
});
