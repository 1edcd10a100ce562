/**
 * Data for `som eval ground`: Flickr30K Entities as `som metrics flickr` reads it (Annotations/<id>.xml,
 * Sentences/<id>.txt, <split>.txt) plus the images (flickr30k-images/<id>.jpg unless --images). A sample
 * is one sentence with the phrases that have boxes, in sentence order.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { parseSentences } from "../metrics/flickr-entities.js";
import { type FlickrGroundTruth, loadFlickrGroundTruth } from "../metrics/flickr.js";

export interface GroundSample {
  id: string;
  imageId: string;
  /** 0-based line of the sentence file (the `sentence_id` of Flickr predictions). */
  sentenceId: number;
  imageFile: string;
  sentence: string;
  phrases: { text: string; entity: string; types: string[] }[];
}

export interface GroundDataset {
  samples: GroundSample[];
  gt: FlickrGroundTruth;
  merge: boolean;
}

export async function loadGroundDataset(
  spec: string,
  o: { split?: string; images?: string; mergeBoxes?: boolean } = {},
): Promise<GroundDataset> {
  const i = spec.indexOf(":");
  const kind = i < 0 ? "" : spec.slice(0, i);
  const dir = spec.slice(i + 1);
  if (kind !== "flickr30k")
    throw new UserError(`--dataset must be flickr30k:DIR (Flickr30K Entities), got "${spec}"`);
  const split = o.split ?? "test";
  const merge = o.mergeBoxes ?? false;
  const gt = await loadFlickrGroundTruth(dir, split, merge);
  let images = o.images;
  if (!images) {
    const candidates = [join(dir, "flickr30k-images"), join(dir, "images"), join(dir, "flickr30k_images")];
    for (const c of candidates)
      if (
        await stat(c).then(
          (s) => s.isDirectory(),
          () => false,
        )
      )
        images = c;
    if (!images)
      throw new UserError(
        `${dir}: image folder not found (looked for ${candidates.join(", ")}); give --images`,
      );
  }
  const samples: GroundSample[] = [];
  for (const [imageId, sentences] of gt.sentences) {
    const text = await readFile(join(dir, "Sentences", `${imageId}.txt`), "utf8");
    const parsed = parseSentences(text);
    sentences.forEach((phrases, k) => {
      if (!phrases) return;
      samples.push({
        id: `${imageId}_${k}`,
        imageId,
        sentenceId: k,
        imageFile: join(images!, `${imageId}.jpg`),
        sentence: parsed[k].sentence,
        phrases: phrases.map((p) => ({ text: p.phrase, entity: p.phraseId, types: p.phraseTypes })),
      });
    });
  }
  return { samples, gt, merge };
}
