/** Read a JSON input file of `som metrics`, with one-line errors naming the file. */
import { readFile } from "node:fs/promises";
import { UserError } from "../errors.js";

export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new UserError(`${file}: no such file`, "not_found");
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}
