import { describe, expect, it } from "vitest";
import { markIndex, numericMarks } from "../../src/parse/mark-index.js";
import { parseMarkRefs } from "../../src/parse/mark-refs.js";

const alpha = (n: number) =>
  markIndex(Array.from({ length: n }, (_, i) => ({ id: i + 1, label: String.fromCharCode(97 + i) })));

interface Case {
  text: string;
  ids: number[];
  unknown?: string[];
  marks?: number;
  alpha?: boolean;
}

/** Answers in the styles models really write, with the marks a careful reader would take from them. */
const CORPUS: Case[] = [
  { text: "[3]", ids: [3] },
  { text: "The laptop is [3].", ids: [3] },
  { text: "3", ids: [3] },
  { text: "6.", ids: [6] },
  { text: "Answer: 6", ids: [6] },
  { text: "Mark 3 is the dog.", ids: [3] },
  { text: "#3 is the cat", ids: [3] },
  { text: "**5**", ids: [5] },
  { text: "【3】", ids: [3] },
  { text: "[3][5]", ids: [3, 5] },
  { text: "The chairs are regions 3 and 5.", ids: [3, 5] },
  { text: "Regions 3-5 are the sky.", ids: [3, 4, 5] },
  { text: "Marks 1 through 4 belong to the table.", ids: [1, 2, 3, 4] },
  { text: "Regions 3 to 5 and 9 are buildings.", ids: [3, 4, 5, 9] },
  { text: "Labels 2, 4, and 7 are people.", ids: [2, 4, 7] },
  { text: "IDs: 2, 3", ids: [2, 3] },
  { text: "It's number 5.", ids: [5] },
  { text: "The person holding the umbrella corresponds to mark #6.", ids: [6] },
  { text: "The 2 dogs are marked 4 and 6.", ids: [4, 6] },
  { text: "There are 2 people: [4] and [6].", ids: [4, 6] },
  { text: "Approximately 3 cars are visible; the closest is region 1.", ids: [1] },
  { text: "This photo was taken in 2015; the dog is 4.", ids: [4] },
  { text: "The cup is at (120, 45), next to mark 2.", ids: [2] },
  { text: "The mug (5) is at (3, 7) in pixels.", ids: [5] },
  { text: "The coordinates are x=120, y=80; the cat is mark 2.", ids: [2] },
  { text: "It covers 25% of the image; see region 2.", ids: [2] },
  { text: "The 3rd person from the left is mark 8.", ids: [8] },
  { text: "The red car is labeled 7; it is parked about 2 meters from the curb.", ids: [7] },
  { text: "Image 1 shows a kitchen, and the fridge is 4.", ids: [4] },
  { text: "I think it's 3 or maybe 4.", ids: [3, 4] },
  { text: "From left to right: 4, 2, 9.", ids: [4, 2, 9] },
  { text: "The sofa (3) and the lamp (10) are in the corner.", ids: [3, 10], marks: 12 },
  { text: "1. The laptop is [3].\n2. The mug is [5].\n3. The lamp is [8].", ids: [3, 5, 8] },
  { text: "Mark 3, not mark 5, is the laptop.", ids: [3] },
  { text: "It is region 2 rather than region 6.", ids: [2] },
  { text: "The object is labeled as 12.", ids: [], unknown: ["12"] },
  { text: "[3] and [42]", ids: [3], unknown: ["42"] },
  { text: "The answer is mark 0.", ids: [], unknown: ["0"] },
  { text: "None of the marks show a bicycle.", ids: [] },
  { text: "I see 3 people and 2 dogs in this picture, but I cannot tell which marks they are.", ids: [] },
  { text: "The meeting was in 1998 at 3:30 pm, 12.5 km away.", ids: [] },
  { text: '{"marks": [1, 3]}', ids: [1, 3] },
  { text: 'Here is my answer:\n```json\n{"answer": [2]}\n```', ids: [2] },
  { text: '{"selected_regions": ["[4]", "mark 7"], "reason": "both are cats (2 of them)"}', ids: [4, 7] },
  { text: '{"mark_ids": [2, 15]}', ids: [2], unknown: ["15"] },
  { text: "[2, 5]", ids: [2, 5] },
  // alphabetic labels
  { text: "[b]", ids: [2], alpha: true },
  { text: "The answer is b.", ids: [2], alpha: true },
  { text: "Region c is the sky and region a is grass.", ids: [3, 1], alpha: true },
  { text: "A dog sits on a mat; it is mark d.", ids: [4], alpha: true },
  { text: "Marks b-d are trees.", ids: [2, 3, 4], alpha: true },
  { text: "The cat (c) sleeps next to the dog (e).", ids: [3, 5], alpha: true },
  { text: '{"mark": "c"}', ids: [3], alpha: true },
  { text: "It's [z].", ids: [], unknown: ["z"], alpha: true },
];

describe("parseMarkRefs on a corpus of answer styles", () => {
  it("has at least 30 cases", () => expect(CORPUS.length).toBeGreaterThanOrEqual(30));
  for (const c of CORPUS) {
    it(JSON.stringify(c.text), () => {
      const index = c.alpha ? alpha(c.marks ?? 8) : numericMarks(c.marks ?? 10);
      const r = parseMarkRefs(c.text, index);
      expect({ ids: r.ids, unknown: r.unknown }).toEqual({ ids: c.ids, unknown: c.unknown ?? [] });
    });
  }
});

describe("mark ids map through labels", () => {
  it("uses the label → id table, not the number itself", () => {
    const index = markIndex([
      { id: 10, label: "1" },
      { id: 20, label: "2" },
    ]);
    expect(parseMarkRefs("Mark 2 and [1]", index).ids).toEqual([20, 10]);
  });
});
