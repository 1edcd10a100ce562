import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { readLedgerFile, smallPhotos } from "./fixtures.js";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "..", "..");
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Quote for the `sh -c` line that script(1) runs. */
const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

describe("som batch progress on a terminal", () => {
  it("draws one live bar (redrawn in place, failures counted, ends at total) instead of a line per item", async () => {
    // util-linux script(1) (Debian's bsdutils, an Essential package) gives the child a real pseudo-terminal,
    // so stderr.isTTY is true as in a shell.
    const script = "/usr/bin/script";
    const dir = await mkdtemp(join(tmpdir(), "som-progress-tty-"));
    dirs.push(dir);
    await smallPhotos(join(dir, "in"), 3, 128);
    await writeFile(join(dir, "in", "zz-broken.jpg"), Buffer.from("not a jpeg"));
    const out = join(dir, "out");
    const som = [process.execPath, "--import", "tsx", join(ROOT, "src/cli/entry.ts")];
    const cmd = [...som, "batch", "mark", join(dir, "in"), "--detector", "none", "--max-marks", "4"];
    cmd.push("-o", out, "-j", "1");
    const r = await run(script, ["-qec", cmd.map(q).join(" "), "/dev/null"], {
      cwd: ROOT,
      env: { ...process.env, TERM: "xterm" },
    }).catch((err: { stdout: string; code: number }) => ({ stdout: err.stdout, code: err.code }));
    const tty = r.stdout;
    // The bar is redrawn in place (carriage return + erase line), never one plain line per item.
    expect(tty).toMatch(/\r\x1b\[2Ksom batch \[[#.]{24}\] \d\/4/);
    expect(tty).not.toMatch(/\[1\/4\] .*marks →/);
    // Its last state: all four finished, the failure counted, full bar.
    const frames = tty.split("\r\x1b[2K").filter((f) => f.startsWith("som batch ["));
    const last = frames.at(-1)!;
    expect(last).toMatch(/^som batch \[#{24}\] 4\/4 +[\d.]+\/s +ETA \d+:\d\d +1 failed/);
    expect(tty).toMatch(/3 done, 0 skipped, 1 failed of 4/);
    const recs = await readLedgerFile(out);
    expect(recs.filter((x) => x.status === "done")).toHaveLength(3);
  });
});
