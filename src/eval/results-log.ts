/**
 * The per-sample results file of an eval run (`samples.jsonl`): one JSON record per line, appended and
 * fsynced as each sample finishes, so an interrupted run loses nothing finished. A line cut short by a crash
 * is dropped on reopening (that sample simply runs again).
 */
import { type FileHandle, open, readFile, truncate } from "node:fs/promises";
import { UserError } from "../errors.js";

export interface ResultsLog<R> {
  /** Records already in the file, last one per id (a retried sample replaces its failed record). */
  readonly existing: Map<string, R>;
  append(record: R): Promise<void>;
  close(): Promise<void>;
}

export async function openResultsLog<R extends { id: string }>(file: string): Promise<ResultsLog<R>> {
  const existing = new Map<string, R>();
  let text = "";
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new UserError(`${file}: cannot read (${(err as Error).message})`);
    }
  }
  // Keep only complete lines; a torn last line is cut off so the next append starts on a fresh line.
  const complete = text.lastIndexOf("\n") + 1;
  if (complete < text.length) await truncate(file, Buffer.byteLength(text.slice(0, complete)));
  text
    .slice(0, complete)
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      let rec: R;
      try {
        rec = JSON.parse(line);
      } catch {
        throw new UserError(
          `${file}, line ${i + 1}: not valid JSON (delete the line to run that sample again)`,
        );
      }
      if (typeof rec?.id !== "string") throw new UserError(`${file}, line ${i + 1}: record has no "id"`);
      existing.set(rec.id, rec);
    });

  let handle: FileHandle;
  try {
    handle = await open(file, "a");
  } catch (err) {
    throw new UserError(`${file}: cannot open for writing (${(err as Error).message})`);
  }
  // Appends are chained so concurrent samples never interleave their lines.
  let chain: Promise<void> = Promise.resolve();
  return {
    existing,
    append(record) {
      const line = `${JSON.stringify(record)}\n`;
      chain = chain.then(async () => {
        await handle.appendFile(line);
        await handle.sync();
      });
      return chain;
    },
    async close() {
      await chain.catch(() => {});
      await handle.close();
    },
  };
}
