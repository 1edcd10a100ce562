import { main } from "../../src/cli/main.js";

/** Run `som` in-process and return what it printed on stdout; throws with stderr on a non-zero exit. */
export async function cli(args: string[]): Promise<string> {
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main(["node", "som", ...args]);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  if (code !== 0) throw new Error(`som ${args.join(" ")} exited ${code}: ${stderr}`);
  return stdout;
}
