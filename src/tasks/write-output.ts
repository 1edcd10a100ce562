import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import type { TaskOutput } from "./task-input.js";

/** Write `DIR/<stem>.answer.json`, `DIR/<stem>.answer.png` and the task's extra files; returns the paths. */
export async function writeTaskOutput(dir: string, stem: string, out: TaskOutput): Promise<string[]> {
  await mkdir(dir, { recursive: true }).catch((err: Error) => {
    throw new UserError(`cannot create output folder ${dir}: ${err.message}`);
  });
  const written: string[] = [];
  const put = async (suffix: string, data: Buffer | string) => {
    const p = join(dir, `${stem}${suffix}`);
    await writeFileAtomic(p, data);
    written.push(p);
  };
  await put(".answer.json", `${JSON.stringify(out.json, null, 2)}\n`);
  await put(".answer.png", out.png);
  for (const f of out.files) await put(f.suffix, f.data);
  return written;
}
