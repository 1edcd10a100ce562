/**
 * Readers for Flickr30K Entities files, with the semantics of the dataset's own
 * flickr30k_entities_utils.py (which MDETR's evaluator imports): sentence files with bracketed phrases
 * `[/EN#<id>/<type>[/<type>...] words]`, and per-image XML with one box per <object> shared by each of
 * its <name>s.
 */

export interface FlickrPhrase {
  phrase: string;
  /** Index of the phrase's first word in the sentence. */
  firstWordIndex: number;
  phraseId: string;
  phraseTypes: string[];
}

export interface FlickrSentence {
  sentence: string;
  phrases: FlickrPhrase[];
}

export type Box = [number, number, number, number];

export interface FlickrAnnotation {
  /** Boxes [xmin, ymin, xmax, ymax] of each phrase (entity) id that has any. */
  boxes: Map<string, Box[]>;
  nobox: string[];
  scene: string[];
}

/**
 * Parse a Sentences/<image>.txt file. Every non-empty line is a sentence (so a whitespace-only line
 * still takes a sentence index, as in the original parser); words split on whitespace.
 */
export function parseSentences(text: string): FlickrSentence[] {
  const out: FlickrSentence[] = [];
  for (const line of text.split("\n")) {
    if (line.length === 0) continue;
    const words: string[] = [];
    const phrases: FlickrPhrase[] = [];
    let open: { firstWordIndex: number; phraseId: string; phraseTypes: string[] } | undefined;
    let current: string[] = [];
    for (let token of line.split(/\s+/).filter((t) => t.length > 0)) {
      if (open) {
        if (token.endsWith("]")) {
          token = token.slice(0, -1);
          current.push(token);
          phrases.push({ phrase: current.join(" "), ...open });
          open = undefined;
          current = [];
        } else {
          current.push(token);
        }
        words.push(token);
      } else if (token.startsWith("[")) {
        const parts = token.split("/");
        open = {
          firstWordIndex: words.length,
          phraseId: (parts[1] ?? "").slice(3),
          phraseTypes: parts.slice(2),
        };
      } else {
        words.push(token);
      }
    }
    out.push({ sentence: words.join(" "), phrases });
  }
  return out;
}

/** Parse an Annotations/<image>.xml file; throws Error with the cause on malformed boxes. */
export function parseAnnotationXml(xml: string): FlickrAnnotation {
  const boxes = new Map<string, Box[]>();
  const nobox: string[] = [];
  const scene: string[] = [];
  for (const obj of xml.matchAll(/<object\b[^>]*>([\s\S]*?)<\/object>/g)) {
    const body = obj[1];
    const names = [...body.matchAll(/<name\b[^>]*>([\s\S]*?)<\/name>/g)].map((m) => decodeXmlText(m[1]));
    const bndbox = /<bndbox\b[^>]*>([\s\S]*?)<\/bndbox>/.exec(body);
    for (const name of names) {
      if (bndbox) {
        const box: Box = [
          xmlInt(bndbox[1], "xmin"),
          xmlInt(bndbox[1], "ymin"),
          xmlInt(bndbox[1], "xmax"),
          xmlInt(bndbox[1], "ymax"),
        ];
        const list = boxes.get(name) ?? [];
        list.push(box);
        boxes.set(name, list);
      } else {
        if (xmlInt(body, "nobndbox") > 0) nobox.push(name);
        if (xmlInt(body, "scene") > 0) scene.push(name);
      }
    }
  }
  return { boxes, nobox, scene };
}

function xmlInt(body: string, tag: string): number {
  const m = new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`).exec(body);
  const text = m ? m[1].trim() : "";
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`<${tag}> is not an integer (${JSON.stringify(text)})`);
  return Number(text);
}

function decodeXmlText(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** MERGED-BOXES protocol: the smallest box enclosing all boxes of a phrase. */
export function mergeBoxes(boxes: Box[]): Box[] {
  if (boxes.length === 1) return boxes;
  return [
    [
      Math.min(...boxes.map((b) => b[0])),
      Math.min(...boxes.map((b) => b[1])),
      Math.max(...boxes.map((b) => b[2])),
      Math.max(...boxes.map((b) => b[3])),
    ],
  ];
}
