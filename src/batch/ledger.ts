/**
 * `--out/batch.jsonl`: one JSON line per finished item (done or failed), appended as each finishes, so a
 * crash loses at most the items in flight. A torn last line (kill -9 mid-write) is ignored on reading.
 */
import { open, readFile } from "node:fs/promises";
import type { LedgerRecord } from "./types.js";

export const LEDGER_FILE = "batch.jsonl";

/** The key an item is done under: its output name, content and options. */
export function ledgerKey(r: Pick<LedgerRecord, "name" | "contentHash" | "optionsHash">): string {
  return `${r.name}\0${r.contentHash}\0${r.optionsHash}`;
}

/** Every record of the ledger (an absent file has none), in file order. */
export async function readLedger(path: string): Promise<LedgerRecord[]> {
  const text = await readFile(path, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return "";
    throw err;
  });
  const out: LedgerRecord[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as LedgerRecord);
    } catch {
      // A line torn by a crash: the item is redone.
    }
  }
  return out;
}

/** Appends records one line each, in order, each write a single append. */
export class LedgerWriter {
  private chain: Promise<void> = Promise.resolve();
  private needsNewline: Promise<boolean>;

  constructor(readonly path: string) {
    this.needsNewline = readFile(path)
      .then((b) => b.length > 0 && b[b.length - 1] !== 0x0a)
      .catch(() => false);
  }

  append(rec: LedgerRecord): Promise<void> {
    this.chain = this.chain.then(async () => {
      const lead = (await this.needsNewline) ? "\n" : "";
      this.needsNewline = Promise.resolve(false);
      const fh = await open(this.path, "a");
      try {
        await fh.write(`${lead}${JSON.stringify(rec)}\n`);
      } finally {
        await fh.close();
      }
    });
    return this.chain;
  }

  flush(): Promise<void> {
    return this.chain;
  }
}
