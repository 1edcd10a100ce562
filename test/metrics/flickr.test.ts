import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAnnotationXml, parseSentences } from "../../src/metrics/flickr-entities.js";
import { evaluateFlickr, xyxyIoU } from "../../src/metrics/flickr.js";
import { somStdout as cli } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "som-flickr-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const box = (x1: number, y1: number, x2: number, y2: number) =>
  `<bndbox><xmin>${x1}</xmin><ymin>${y1}</ymin><xmax>${x2}</xmax><ymax>${y2}</ymax></bndbox>`;

/**
 * Image 1: entity 10 has two boxes (merged: [0,0,60,60]); one <object> box is shared by entities 20
 * and 21; entity 30 is "nobndbox" and 40 is "scene", so sentence 1 has no phrase to evaluate.
 */
const XML = `<annotation><filename>1.jpg</filename>
<size><width>100</width><height>100</height><depth>3</depth></size>
<object><name>10</name>${box(0, 0, 10, 10)}</object>
<object><name>10</name>${box(50, 50, 60, 60)}</object>
<object><name>20</name><name>21</name>${box(20, 20, 40, 40)}</object>
<object><name>30</name><nobndbox>1</nobndbox><scene>0</scene></object>
<object><name>40</name><nobndbox>0</nobndbox><scene>1</scene></object>
</annotation>`;

const SENTENCES = `[/EN#10/people Two men] stand near [/EN#20/other a box] .
[/EN#30/clothing A hat] is [/EN#40/scene outside] .
[/EN#21/people/bodyparts A hand] holds [/EN#20/other the box] .
`;

function writeDataset(dir: string) {
  mkdirSync(join(dir, "Annotations"), { recursive: true });
  mkdirSync(join(dir, "Sentences"), { recursive: true });
  writeFileSync(join(dir, "Annotations", "1.xml"), XML);
  writeFileSync(join(dir, "Sentences", "1.txt"), SENTENCES);
  writeFileSync(join(dir, "test.txt"), "1\n");
}

const filler = Array.from({ length: 9 }, () => [90, 90, 95, 95]);
const PREDICTIONS = [
  {
    image_id: 1,
    sentence_id: 0,
    boxes: [
      // "Two men": a miss, then one of the two GT boxes at rank 2, the merged box only at rank 12.
      [[100, 100, 110, 110], [50, 50, 60, 60], ...filler, [0, 0, 60, 60]],
      // "a box": IoU exactly 0.5 at rank 1.
      [[20, 20, 40, 30]],
    ],
  },
  { image_id: 1, sentence_id: 0, boxes: [[[0, 0, 10, 10]], [[20, 20, 40, 40]]] }, // duplicate: ignored
  { image_id: "1", sentence_id: 1, boxes: [[[0, 0, 1, 1]]] }, // nothing to evaluate: ignored
  {
    image_id: "1",
    sentence_id: 2,
    boxes: [
      [], // "A hand": no box at all, a miss
      [[20, 20, 40, 29.9], ...filler.slice(0, 4), [20, 20, 40, 40]], // "the box": IoU 0.495, hit at rank 6
    ],
  },
];

describe("Flickr30K Entities parsing", () => {
  it("parses phrases, multiple types, and keeps whitespace-only lines as sentences", () => {
    const s = parseSentences("[/EN#1/people/other A man] runs\n \n[/EN#2/scene the park]\n");
    expect(s).toHaveLength(3);
    expect(s[0]).toEqual({
      sentence: "A man runs",
      phrases: [{ phrase: "A man", firstWordIndex: 0, phraseId: "1", phraseTypes: ["people", "other"] }],
    });
    expect(s[1].phrases).toEqual([]);
    expect(s[2].phrases[0].phraseId).toBe("2");
  });

  it("gives each name of an object its box and lists nobox/scene entities", () => {
    const a = parseAnnotationXml(XML);
    expect(a.boxes.get("10")).toEqual([
      [0, 0, 10, 10],
      [50, 50, 60, 60],
    ]);
    expect(a.boxes.get("21")).toEqual([[20, 20, 40, 40]]);
    expect(a.nobox).toEqual(["30"]);
    expect(a.scene).toEqual(["40"]);
    expect(() =>
      parseAnnotationXml(
        `<object><name>1</name>${box(0, 0, 1, 1).replace("1</xmax>", "1.5</xmax>")}</object>`,
      ),
    ).toThrow(/<xmax> is not an integer/);
  });

  it("computes box IoU without +1 (exactly 0.5 here)", () => {
    expect(xyxyIoU([20, 20, 40, 30], [20, 20, 40, 40])).toBe(0.5);
    expect(xyxyIoU([0, 0, 0, 0], [0, 0, 0, 0])).toBeNaN(); // as torchvision: 0/0
  });
});

describe("Flickr30K Entities recall@k (MDETR evaluator)", () => {
  const dir = join(tmp, "flickr");
  writeDataset(dir);
  const predFile = join(tmp, "pred.json");
  writeFileSync(predFile, JSON.stringify(PREDICTIONS));

  it("ANY-BOX: a phrase is found when a top-k box hits any GT box of its entity", async () => {
    const warnings: string[] = [];
    const r = await evaluateFlickr({
      flickrPath: dir,
      split: "test",
      predictions: predFile,
      warn: (m) => warnings.push(m),
    });
    // Phrases: men (people) hit@5; box (other) hit@1; hand (people, bodyparts) never; box (other) hit@10.
    expect(r).toEqual({
      "recall@1": 0.25,
      "recall@5": 0.5,
      "recall@10": 0.75,
      upper_bound: { all: 0.75, bodyparts: 0, other: 1, people: 0.5 },
    });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/multiple predictions for sentence 0 of image 1/);
    expect(warnings[1]).toMatch(/image 1 sentence 1 has no phrase to evaluate/);
  });

  it("MERGED-BOXES: the enclosing box of the entity is the only target", async () => {
    const json = JSON.parse(
      await cli([
        "metrics",
        "flickr",
        "--flickr-path",
        dir,
        "--split",
        "test",
        "--predictions",
        predFile,
        "--merge-boxes",
        "--json",
      ]),
    );
    expect(json).toEqual({
      "recall@1": 0.25,
      "recall@5": 0.25,
      "recall@10": 0.5,
      upper_bound: { all: 0.75, bodyparts: 0, other: 1, people: 0.5 },
    });
    const table = await cli(["metrics", "flickr", "--flickr-path", dir, "--predictions", predFile]);
    expect(table).toMatch(/recall@1\s+25\.00/);
    expect(table).toMatch(/upper bound \(people\)\s+50\.00/);
  });

  it("rejects a wrong number of box lists and missing sentences, naming image and sentence", async () => {
    const bad = join(tmp, "bad.json");
    writeFileSync(bad, JSON.stringify([{ ...PREDICTIONS[0], boxes: [[[0, 0, 1, 1]]] }, PREDICTIONS[3]]));
    await expect(evaluateFlickr({ flickrPath: dir, split: "test", predictions: bad })).rejects.toThrow(
      /bad\.json: image 1 sentence 0 has 1 box lists, expected 2/,
    );
    writeFileSync(bad, JSON.stringify([PREDICTIONS[0]]));
    await expect(evaluateFlickr({ flickrPath: dir, split: "test", predictions: bad })).rejects.toThrow(
      /bad\.json: missing predictions for 1 sentence\(s\): image 1 sentence 2/,
    );
    await expect(evaluateFlickr({ flickrPath: dir, split: "val", predictions: bad })).rejects.toThrow(
      /val\.txt: split list not found/,
    );
  });
});
