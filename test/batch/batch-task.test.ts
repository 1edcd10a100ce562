import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSom } from "../helpers/cli.js";
import { useModelEnv } from "../helpers/model-env.js";
import { readLedgerFile, smallPhotos } from "./fixtures.js";

const KEY = "sk-batch-task-key-77";
const env = useModelEnv("som-batch-task-", KEY, { checksKey: true });

describe("som batch ask (a task with a provider per item)", () => {
  it("asks once per image through the pool, writes som ask's files, records a bad image, limits the request rate", async () => {
    const inDir = join(env.dir, "in");
    await smallPhotos(inDir, 3, 160);
    await writeFile(join(inDir, "zz-broken.png"), Buffer.from("no png"));
    const s = await env.fake(() => "It is [1].");
    const out = join(env.dir, "out");
    const args = [
      "batch",
      "ask",
      inDir,
      "--question",
      "What is this?",
      "--base-url",
      s.baseURL,
      "--no-cache",
    ];
    args.push("--detector", "none", "--max-marks", "6", "-o", out, "-j", "2", "--requests-per-minute", "60");
    const t0 = Date.now();
    const r = await runSom(args);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("3 done, 0 skipped, 1 failed of 4");
    expect(r.stderr).not.toContain(KEY);
    // 60 a minute: one start a second, so the third image starts ≥ 2 s after the first.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
    expect(env.seen).toHaveLength(3);
    expect(env.seen.every((x) => x.prompt === "What is this?")).toBe(true);
    const recs = await readLedgerFile(out);
    expect(recs).toHaveLength(4);
    for (const rec of recs.filter((x) => x.status === "done")) {
      expect(rec.outputs).toEqual([
        `${rec.name}.answer.json`,
        `${rec.name}.answer.png`,
        `${rec.name}.sent.som.png`,
      ]);
      const answer = JSON.parse(await readFile(join(out, `${rec.name}.answer.json`), "utf8"));
      expect(answer.referenced.map((m: { id: number }) => m.id)).toEqual([1]);
    }
    expect(recs.find((x) => x.status === "failed")?.error).toMatch(/zz-broken\.png/);
  });
});
