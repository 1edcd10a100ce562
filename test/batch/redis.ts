import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { findSystemBinary, SYSTEM_REDIS } from "../helpers/system-binaries.js";

const ROOT = resolve(import.meta.dirname, "..", "..");

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => done(typeof a === "object" && a ? a.port : 0));
    });
  });
}

/** A real redis-server on a loopback port, AOF on (fsync every write), data in `dir`. */
export class RedisServer {
  private proc?: ChildProcess;
  readonly url: string;
  constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(dir: string): Promise<RedisServer> {
    const r = new RedisServer(dir, await freePort());
    await r.up();
    return r;
  }

  async up(): Promise<void> {
    const bin = findSystemBinary(SYSTEM_REDIS);
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--save", ""];
    args.push(
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--daemonize",
      "no",
      "--protected-mode",
      "no",
    );
    const proc = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.proc = proc;
    let log = "";
    await new Promise<void>((done, fail) => {
      const t = setTimeout(() => fail(new Error(`redis-server did not start:\n${log}`)), 15_000);
      proc.stdout!.on("data", (d) => {
        log += d;
        if (log.includes("Ready to accept connections")) {
          clearTimeout(t);
          done();
        }
      });
      proc.on("exit", (code) => {
        clearTimeout(t);
        fail(new Error(`redis-server exited (${code}):\n${log}`));
      });
    });
  }

  /** Stop it hard (SIGKILL: AOF with fsync always keeps every acknowledged write). */
  async down(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once("exit", r));
    p.kill("SIGKILL");
    await gone;
  }
}

export interface Som {
  proc: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exit: Promise<number | null>;
}

/** A `som` child process (TypeScript sources through tsx). */
export function som(args: string[]): Som {
  const proc = spawn(process.execPath, ["--import", "tsx", resolve(ROOT, "src/cli/entry.ts"), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  let out = "";
  proc.stderr!.on("data", (d) => {
    err += d;
  });
  proc.stdout!.on("data", (d) => {
    out += d;
  });
  const exit = new Promise<number | null>((r) => proc.on("close", (code) => r(code)));
  return { proc, stderr: () => err, stdout: () => out, exit };
}

export async function until(
  what: string,
  cond: () => Promise<boolean> | boolean,
  ms = 60_000,
): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
