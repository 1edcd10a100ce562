import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { childExecArgv } from "../../src/batch/pool.js";
import { runSom } from "../helpers/cli.js";
import { expectWholeOutputs, readLedgerFile, smallPhotos } from "./fixtures.js";

describe("batch pool", () => {
  it("gives pool children the parent's loaders, never how the parent was started", () => {
    expect(childExecArgv(["--import", "tsx", "--input-type=module", "-e", "console.log(1)"])).toEqual([
      "--import",
      "tsx",
    ]);
    expect(childExecArgv(["--max-old-space-size=4096", "--require=x.cjs", "--eval", "1"])).toEqual([
      "--max-old-space-size=4096",
      "--require=x.cjs",
    ]);
  });

  it("runs items on child processes with --pool process", async () => {
    const dir = await mkdtemp(join(tmpdir(), "som-pool-"));
    await smallPhotos(join(dir, "in"), 3, 96);
    const out = join(dir, "out");
    const r = await runSom(["batch", "mark", join(dir, "in"), "--out", out, "--pool", "process", "-j", "2"]);
    expect(r.code, r.stderr).toBe(0);
    const recs = await readLedgerFile(out);
    expect(recs.map((x) => x.status)).toEqual(["done", "done", "done"]);
    // Ran in the children, not in the batch process.
    expect(new Set(recs.map((x) => x.worker)).size).toBeGreaterThanOrEqual(1);
    expect(recs.every((x) => !x.worker?.includes("/t"))).toBe(true);
    await expectWholeOutputs(out, recs);
  });
});
