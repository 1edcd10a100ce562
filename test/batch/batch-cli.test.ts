import { spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runSom } from "../helpers/cli.js";
import { expectWholeOutputs, readLedgerFile, smallPhotos } from "./fixtures.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
// Weight-free proposer: the batch machinery is under test here, not the detector (its own tests cover it).
const FAST = ["--detector", "none", "--max-marks", "12"];
let dir: string;
let photos: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "som-batch-"));
  photos = await smallPhotos(join(dir, "in"), 4);
  // A nested folder and a corrupt image: found recursively, the bad one recorded, never stopping the rest.
  await mkdir(join(dir, "in", "sub"));
  await copyFile(photos[0]!, join(dir, "in", "sub", "nested.jpg"));
  await writeFile(join(dir, "in", "broken.jpg"), Buffer.from("not a jpeg at all"));
});

describe("som batch mark (one machine)", () => {
  it("marks a folder recursively, writes som mark's files and a ledger line per item, exits 1 on a bad item", async () => {
    const out = join(dir, "out1");
    const r = await runSom(["batch", "mark", join(dir, "in"), "--out", out, "-j", "2", ...FAST]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("5 done, 0 skipped, 1 failed of 6");
    const recs = await readLedgerFile(out);
    expect(recs).toHaveLength(6);
    const bad = recs.find((x) => x.name === "broken")!;
    expect(bad.status).toBe("failed");
    expect(bad.error).toMatch(/broken\.jpg/);
    const nested = recs.find((x) => x.name === "sub/nested")!;
    expect(nested.outputs).toEqual(["sub/nested.som.png", "sub/nested.som.json"]);
    for (const x of recs) {
      expect(x.contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(x.optionsHash).toMatch(/^[0-9a-f]{64}$/);
      expect(x.timings.total).toBeGreaterThan(0);
    }
    await expectWholeOutputs(out, recs);
    // Byte for byte what `som mark` writes for the same image and flags.
    const single = join(dir, "single");
    const m = await runSom(["mark", photos[1]!, "--out", single, "-q", ...FAST]);
    expect(m.code, m.stderr).toBe(0);
    const stem = basename(photos[1]!, ".jpg");
    for (const suffix of [".som.png", ".som.json"]) {
      expect(await readFile(join(out, stem + suffix))).toEqual(await readFile(join(single, stem + suffix)));
    }

    // Rerun: every done item is skipped (same content, same options); the bad one is tried again.
    const again = await runSom(["batch", "mark", join(dir, "in"), "--out", out, "--json", ...FAST]);
    expect(again.code).toBe(1);
    const s = JSON.parse(again.stdout);
    expect([s.done, s.skipped, s.failed]).toEqual([0, 5, 1]);
    // Other options: a different options hash, so everything is redone; --force redoes too.
    const other = JSON.parse(
      (await runSom(["batch", "mark", join(dir, "in"), "--out", out, "--json", "--alpha", "0.6", ...FAST]))
        .stdout,
    );
    expect([other.done, other.skipped]).toEqual([5, 0]);
    const forced = JSON.parse(
      (
        await runSom([
          "batch",
          "mark",
          photos[0]!,
          "--out",
          out,
          "--json",
          "--force",
          "--alpha",
          "0.6",
          ...FAST,
        ])
      ).stdout,
    );
    expect([forced.done, forced.skipped]).toEqual([1, 0]);
    // A changed input (same name, other bytes) is redone.
    await copyFile(photos[2]!, join(dir, "in", "sub", "nested.jpg"));
    const changed = JSON.parse(
      (await runSom(["batch", "mark", join(dir, "in"), "--out", out, "--json", "--alpha", "0.6", ...FAST]))
        .stdout,
    );
    expect([changed.done, changed.skipped, changed.failed]).toEqual([1, 4, 1]);
    expect(changed.p95Ms).toBeGreaterThanOrEqual(changed.p50Ms);
  });

  it("reads list files (paths relative to the list) and globs", async () => {
    const list = join(dir, "in", "list.txt");
    await writeFile(list, `# two photos\n${basename(photos[0]!)}\n\n${photos[1]}\n`);
    const out = join(dir, "out-list");
    const r = await runSom([
      "batch",
      "mark",
      list,
      join(dir, "in", "sub", "*.jpg"),
      "--out",
      out,
      "-q",
      ...FAST,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const names = (await readLedgerFile(out)).map((x) => x.name).sort();
    expect(names).toEqual([basename(photos[0]!, ".jpg"), basename(photos[1]!, ".jpg"), "nested"].sort());
  });

  it("stops cleanly on Ctrl-C: in-flight items finish, the ledger and outputs are whole, a rerun does the rest", async () => {
    const inDir = join(dir, "many");
    await smallPhotos(inDir, 12);
    const out = join(dir, "out-int");
    const args = ["batch", "mark", inDir, "--out", out, "-j", "1", ...FAST];
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/entry.ts"), ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
      if (/\[2\/12\]/.test(stderr)) child.kill("SIGINT");
    });
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain("stopping");
    const recs = await readLedgerFile(out);
    expect(recs.length).toBeGreaterThanOrEqual(2);
    expect(recs.length).toBeLessThan(12);
    await expectWholeOutputs(out, recs);
    expect((await readdir(out)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const rest = await runSom([...args, "--json"]);
    const s = JSON.parse(rest.stdout);
    expect([s.skipped, s.done + s.skipped]).toEqual([recs.length, 12]);
    expect(await readLedgerFile(out)).toHaveLength(12);
  });
});
