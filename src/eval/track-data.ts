/**
 * Data for `som eval track`: DAVIS 2017 (ImageSets/2017/<set>.txt, palette annotations whose index is the
 * object id, 255 = void) and DAVIS 2016 (0/255 masks of one object; sequences from ImageSets/480p/<set>.txt
 * or every annotated folder). A sample is one scored frame of a sequence (not the first, not the last, as
 * the DAVIS evaluation scores them), paired with the sequence's first frame and its objects.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { decodePng, singleChannelValues } from "../image/png-index.js";

export interface TrackSample {
  id: string;
  seq: string;
  /** Frame name without extension ("00012"). */
  frame: string;
  firstImage: string;
  firstAnnotation: string;
  image: string;
  annotation: string;
  year: 2016 | 2017;
}

export interface DavisDataOptions {
  set?: string;
  /** Only these sequences. */
  sequences?: string[];
  /** Only the first N scored frames of each sequence. */
  maxFrames?: number;
  resolution?: string;
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/** `davis:DIR`: DAVIS 2017 when DIR/ImageSets/2017 exists, else DAVIS 2016. */
export async function loadDavisDataset(spec: string, o: DavisDataOptions = {}): Promise<TrackSample[]> {
  const i = spec.indexOf(":");
  const kind = i < 0 ? "" : spec.slice(0, i);
  const dir = spec.slice(i + 1);
  if (kind !== "davis")
    throw new UserError(`--dataset must be davis:DIR (DAVIS 2016 or 2017 folder), got "${spec}"`);
  const set = o.set ?? "val";
  const res = o.resolution ?? "480p";
  const year = (await exists(join(dir, "ImageSets", "2017"))) ? 2017 : 2016;
  let sequences = o.sequences;
  if (!sequences) {
    if (year === 2017) sequences = await listFile(join(dir, "ImageSets", "2017", `${set}.txt`));
    else if (await exists(join(dir, "ImageSets", res, `${set}.txt`))) {
      // DAVIS 2016 lists frames: "/JPEGImages/480p/<seq>/00000.jpg /Annotations/480p/<seq>/00000.png".
      const lines = await listFile(join(dir, "ImageSets", res, `${set}.txt`));
      sequences = [...new Set(lines.map((l) => l.split(/\s+/)[0].split("/").slice(-2, -1)[0]))];
    } else {
      const annRoot = join(dir, "Annotations", res);
      sequences = (
        await readdir(annRoot).catch(() => {
          throw new UserError(`${annRoot}: not found (is ${dir} a DAVIS folder?)`, "not_found");
        })
      ).sort();
    }
  }
  const samples: TrackSample[] = [];
  for (const seq of sequences) {
    const annDir = join(dir, "Annotations", res, seq);
    const names = (
      await readdir(annDir).catch(() => {
        throw new UserError(`${annDir}: annotation folder of sequence ${seq} not found`, "not_found");
      })
    )
      .filter((n) => n.endsWith(".png"))
      .sort();
    if (names.length < 3) throw new UserError(`${annDir}: sequence ${seq} needs at least 3 annotated frames`);
    const stem = (n: string) => n.slice(0, -4);
    const imgOf = (n: string) => join(dir, "JPEGImages", res, seq, `${stem(n)}.jpg`);
    const scored = names.slice(1, -1).slice(0, o.maxFrames ?? names.length);
    for (const n of scored) {
      samples.push({
        id: `${seq}/${stem(n)}`,
        seq,
        frame: stem(n),
        firstImage: imgOf(names[0]),
        firstAnnotation: join(annDir, names[0]),
        image: imgOf(n),
        annotation: join(annDir, n),
        year,
      });
    }
  }
  return samples;
}

async function listFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new UserError(`${file}: sequence list not found`, "not_found");
  }
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * Object id per pixel of a DAVIS annotation: the palette index (2017; void 255 read as background) or,
 * for DAVIS 2016's 0/255 masks, 1 for the object.
 */
export async function readObjectIds(
  file: string,
  year: 2016 | 2017,
): Promise<{ width: number; height: number; ids: Uint8Array }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw new UserError(`${file}: missing annotation`, "not_found");
  }
  const png = decodePng(bytes);
  const values = singleChannelValues(png);
  if (!values) throw new UserError(`${file}: expected a palette or grey PNG whose value is the object id`);
  const ids = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    ids[i] = year === 2016 ? (v !== 0 ? 1 : 0) : v === 255 ? 0 : v;
  }
  return { width: png.width, height: png.height, ids };
}
