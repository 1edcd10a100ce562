/**
 * A small Flickr30K Entities folder built from real COCO photos and their panoptic ground truth (the
 * shared data has no Flickr30K): boxes are segment extents written as Flickr XML, sentences use the
 * Entities bracket syntax, one entity with two boxes (a multi-box phrase) and one without a box.
 */
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { dataset } from "../helpers/datasets.js";

interface Seg {
  id: number;
  category_id: number;
  bbox: number[];
  iscrowd: number;
}

const box = (b: number[]) => [b[0], b[1], b[0] + b[2] - 1, b[1] + b[3] - 1];

export async function makeFlickrFolder(dir: string): Promise<{ images: string[] }> {
  const coco = dataset("coco-panoptic-val2017");
  const pan = JSON.parse(await readFile(join(coco, "panoptic_val2017.json"), "utf8"));
  const ids = ["000000000139", "000000000785"];
  await mkdir(join(dir, "Annotations"), { recursive: true });
  await mkdir(join(dir, "Sentences"), { recursive: true });
  await mkdir(join(dir, "flickr30k-images"), { recursive: true });
  for (const stem of ids) {
    const ann = pan.annotations.find((a: { file_name: string }) => a.file_name === `${stem}.png`);
    const segs = (ann.segments_info as Seg[]).filter((s) => !s.iscrowd);
    const people = segs.filter((s) => s.category_id === 1);
    const other = segs.find((s) => s.category_id !== 1)!;
    const objects: string[] = [];
    const obj = (name: string, b: number[]) =>
      `<object><name>${name}</name><bndbox><xmin>${b[0]}</xmin><ymin>${b[1]}</ymin><xmax>${b[2]}</xmax><ymax>${b[3]}</ymax></bndbox></object>`;
    for (const p of people.slice(0, 2)) objects.push(obj("1", box(p.bbox)));
    objects.push(obj("2", box(other.bbox)));
    objects.push("<object><name>3</name><nobndbox>1</nobndbox><scene>1</scene></object>");
    await writeFile(
      join(dir, "Annotations", `${stem}.xml`),
      `<annotation><filename>${stem}.jpg</filename>${objects.join("")}</annotation>\n`,
    );
    const sentences = [
      `[/EN#1/people People] are near [/EN#2/other something] in [/EN#3/scene the room] .`,
      `[/EN#3/scene A place] with nothing boxed .`,
      `[/EN#2/other The thing] and [/EN#1/people the persons] .`,
    ];
    await writeFile(join(dir, "Sentences", `${stem}.txt`), `${sentences.join("\n")}\n`);
    await copyFile(join(coco, "images", `${stem}.jpg`), join(dir, "flickr30k-images", `${stem}.jpg`));
  }
  await writeFile(join(dir, "test.txt"), `${ids.join("\n")}\n`);
  return { images: ids };
}
