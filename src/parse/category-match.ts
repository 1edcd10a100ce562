/** A vocabulary entry: the name shown to the model and any other names it may answer with. */
export interface VocabEntry {
  id: number;
  name: string;
  synonyms?: readonly string[];
}

/** Common ways models name COCO/ADE20K classes, mapped to a name that is in the vocabulary. */
const GENERIC_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  person: [
    "man",
    "woman",
    "boy",
    "girl",
    "child",
    "kid",
    "people",
    "human",
    "player",
    "skier",
    "surfer",
    "rider",
    "lady",
    "guy",
    "pedestrian",
  ],
  tv: ["television", "tv monitor", "monitor", "screen", "television receiver"],
  "cell phone": ["phone", "mobile phone", "cellphone", "smartphone"],
  couch: ["sofa"],
  sofa: ["couch"],
  motorcycle: ["motorbike"],
  airplane: ["plane", "aeroplane", "aircraft", "jet"],
  bicycle: ["bike"],
  "dining table": ["table", "kitchen table"],
  "potted plant": ["plant", "houseplant", "pot plant"],
  "sports ball": ["ball", "soccer ball", "tennis ball", "football", "basketball"],
  donut: ["doughnut"],
  "fire hydrant": ["hydrant"],
  laptop: ["laptop computer", "notebook"],
  refrigerator: ["fridge"],
  "hair drier": ["hair dryer", "hairdryer"],
  remote: ["remote control"],
  sky: ["clouds"],
  tree: ["trees", "bush", "foliage"],
  "wine glass": ["wineglass"],
};

function normalize(s: string): string {
  return s
    .toLowerCase()
    .replace(/[_-]+/g, " ")
    .replace(/[^a-z0-9' ]+/g, " ")
    .replace(/^(?:an?|the)\s+/, "")
    .replace(/\s+/g, " ")
    .trim();
}

function singular(s: string): string {
  if (/(?:ss|us|is)$/.test(s)) return s;
  if (/ies$/.test(s)) return `${s.slice(0, -3)}y`;
  if (/(?:ches|shes|xes|ses)$/.test(s)) return s.slice(0, -2);
  if (/s$/.test(s)) return s.slice(0, -1);
  return s;
}

/**
 * The vocabulary entry a free-text name means: exact name or synonym (singular or plural), else the
 * longest vocabulary name contained in it as whole words ("a red sports car" → car). Undefined if none.
 */
export function matchCategory(name: string, vocab: readonly VocabEntry[]): VocabEntry | undefined {
  const n = normalize(name);
  if (!n) return undefined;
  const forms = new Set([n, singular(n), n.split(" ").map(singular).join(" ")]);
  const table = lookupTable(vocab);
  for (const f of forms) {
    const hit = table.get(f);
    if (hit) return hit;
  }
  const byName = new Map(vocab.map((e) => [normalize(e.name), e]));
  for (const f of forms) {
    for (const [target, syns] of Object.entries(GENERIC_SYNONYMS)) {
      if (syns.includes(f) && byName.has(target)) return byName.get(target);
    }
  }
  let best: { entry: VocabEntry; len: number } | undefined;
  for (const f of forms) {
    const padded = ` ${f} `;
    for (const [k, e] of table) {
      if (k.length > (best?.len ?? 0) && padded.includes(` ${k} `)) best = { entry: e, len: k.length };
    }
  }
  return best?.entry;
}

const tables = new WeakMap<readonly VocabEntry[], Map<string, VocabEntry>>();

/**
 * Normalised names → entries, built once per vocabulary. A class's own name wins over another class's
 * synonym, and both over singular forms: ADE20K's "step" is class 122 although class 54 lists "steps".
 */
function lookupTable(vocab: readonly VocabEntry[]): Map<string, VocabEntry> {
  let table = tables.get(vocab);
  if (table) return table;
  table = new Map<string, VocabEntry>();
  const put = (k: string, e: VocabEntry) => {
    if (k && !table!.has(k)) table!.set(k, e);
  };
  for (const e of vocab) put(normalize(e.name), e);
  for (const e of vocab) for (const s of e.synonyms ?? []) put(normalize(s), e);
  for (const e of vocab) for (const s of [e.name, ...(e.synonyms ?? [])]) put(singular(normalize(s)), e);
  tables.set(vocab, table);
  return table;
}
