/**
 * `som --help` / `--version` must start fast (issue 17: ≤ 0.3 s; it was 1.3 s): command files import only
 * light modules at top level and load the heavy ones inside their actions. Two checks: no heavy module is
 * even resolved for --help (deterministic), and the start-up time of a plain-JS copy of the CLI against
 * `node -e ''` measured in the same run (generous bound: the machine is shared).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..", "..");
// Inside node_modules so the copy resolves the installed packages; .cache is ignored by git.
const OUT = join(ROOT, "node_modules", ".cache", `som-startup-${process.pid}`);

/** Packages and source folders --help must never load (native addons, the AI SDK, queues, image code). */
const HEAVY = [
  /node_modules\/sharp\//,
  /node_modules\/onnxruntime/,
  /node_modules\/playwright/,
  /node_modules\/@napi-rs\//,
  /node_modules\/ai\//,
  /node_modules\/@ai-sdk\//,
  /node_modules\/bullmq\//,
  /node_modules\/ioredis\//,
  /node_modules\/@huggingface\//,
  /\/src\/(render|pipeline|image|providers|tasks|eval|metrics|batch\/(queue|run|work))\//,
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function seconds(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return (performance.now() - t) / 1000;
}

describe("som start-up", () => {
  beforeAll(async () => {
    // A plain-JS copy of src (as `npm run build` makes, without type-checking): what bin/som.js runs.
    await build({
      entryPoints: [join(ROOT, "src/**/*.ts")],
      outdir: OUT,
      outbase: join(ROOT, "src"),
      format: "esm",
      platform: "node",
      target: "node20",
      logLevel: "error",
    });
  }, 120_000);
  afterAll(() => rmSync(OUT, { recursive: true, force: true }));

  it("--help resolves no heavy module", () => {
    const dir = mkdtempSync(join(tmpdir(), "som-imports-"));
    const log = join(dir, "imports.txt");
    try {
      for (const args of [
        ["--help"],
        ["--version"],
        ["mark", "--help"],
        ["ask", "--help"],
        ["batch", "--help"],
      ]) {
        execFileSync(
          process.execPath,
          [
            "--import",
            join(ROOT, "test/cli/fixtures/record-imports.mjs"),
            "--import",
            "tsx",
            "src/cli/entry.ts",
            ...args,
          ],
          { cwd: ROOT, env: { ...process.env, SOM_IMPORT_LOG: log }, stdio: ["ignore", "pipe", "pipe"] },
        );
        const urls = readFileSync(log, "utf8").split("\n").filter(Boolean);
        expect(urls.some((u) => u.endsWith("/src/cli/main.ts"))).toBe(true);
        expect(urls.some((u) => u.includes("/node_modules/commander/"))).toBe(true);
        const heavy = urls.filter((u) => HEAVY.some((re) => re.test(u)));
        expect(heavy, `som ${args.join(" ")} loaded heavy modules`).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("som --version starts within 0.3 s of a bare node", () => {
    const entry = join(OUT, "cli", "entry.js");
    const som: number[] = [];
    const bare: number[] = [];
    seconds([entry, "--version"]); // warm the file cache
    for (let i = 0; i < 7; i++) {
      bare.push(seconds(["-e", ""]));
      som.push(seconds([entry, "--version"]));
    }
    const overhead = median(som) - median(bare);
    process.stderr.write(
      `start-up: som --version ${median(som).toFixed(3)} s, node -e '' ${median(bare).toFixed(3)} s, overhead ${overhead.toFixed(3)} s\n`,
    );
    // Was ~1.2 s over bare node; 0.3 s is the target on an idle machine, 0.5 s leaves room for a busy one.
    expect(overhead).toBeLessThan(0.5);
  }, 120_000);
});
