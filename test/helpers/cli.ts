import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { main } from "../../src/cli/main.js";

const ROOT = resolve(import.meta.dirname, "..", "..");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the real `som` CLI in a child process (TypeScript sources through tsx, as the built bin would). */
export function runSom(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}) {
  return new Promise<CliResult>((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", resolve(ROOT, "src/cli/entry.ts"), ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}

/**
 * Run `som` in this process (no child start-up; process.env as the test set it), capturing what it writes
 * to stdout and stderr. One at a time: the capture replaces the process's write functions meanwhile.
 */
export async function somInProcess(args: string[]): Promise<CliResult> {
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
  return { code, stdout, stderr };
}

/** `somInProcess` for commands expected to succeed: their stdout; a non-zero exit throws with stderr. */
export async function somStdout(args: string[]): Promise<string> {
  const r = await somInProcess(args);
  if (r.code !== 0) throw new Error(`som ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}
