import { readFile, stat } from "node:fs/promises";
import { UserError } from "../errors.js";

export function isUrl(input: string): boolean {
  return /^https?:\/\//i.test(input);
}

/** The bytes of a file or an http(s) URL; errors are one line naming the input. */
export async function readInput(input: string, timeoutMs = 60_000): Promise<Uint8Array> {
  if (isUrl(input)) {
    let res: Response;
    try {
      res = await fetch(input, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new UserError(`${input}: download failed (${(err as Error).message})`, "not_found");
    }
    if (!res.ok) throw new UserError(`${input}: download failed (HTTP ${res.status})`, "not_found");
    return new Uint8Array(await res.arrayBuffer());
  }
  try {
    const info = await stat(input);
    if (info.isDirectory()) throw new UserError(`${input}: is a directory, not an image`);
    return new Uint8Array(await readFile(input));
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`${input}: no such file`, "not_found");
    throw new UserError(`${input}: cannot read (${(err as Error).message})`);
  }
}
