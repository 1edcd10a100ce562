/** som mark: --json lines, the TTY progress line, and the flag-ownership rule (src/cli/flag-owners.ts). */
import { execFileSync } from "node:child_process";
import { mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runSom } from "../helpers/cli.js";
import { cocoImage, cocoPanoptic, cocoPanopticJson } from "../helpers/datasets.js";

const STEM = "000000000139";
const ROOT = resolve(import.meta.dirname, "..", "..");

describe("som mark output", () => {
  it("--json prints one JSON line per image with its outputs, marks and time; errors as lines too", async () => {
    const out = await mkdtemp(join(tmpdir(), "som-markjson-"));
    const res = await runSom([
      "mark",
      cocoImage(STEM),
      "missing.jpg",
      "--masks",
      cocoPanoptic(STEM),
      "--segments-info",
      cocoPanopticJson(),
      "--json",
      "-q",
      "--out",
      out,
    ]);
    expect(res.code).toBe(1);
    const lines = res.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ file: cocoImage(STEM), marks: 30 });
    expect((await stat(lines[0].outputs.png)).size).toBeGreaterThan(1000);
    expect((await stat(lines[0].outputs.json)).size).toBeGreaterThan(100);
    expect(lines[0].ms).toBeGreaterThan(0);
    expect(lines[1].file).toBe("missing.jpg");
    expect(lines[1].error).toMatch(/missing\.jpg/);
  }, 120_000);

  it("on a terminal shows which image is being marked, then its result line", async () => {
    const out = await mkdtemp(join(tmpdir(), "som-marktty-"));
    const cmd = [
      process.execPath,
      "--import",
      "tsx",
      "src/cli/entry.ts",
      "mark",
      cocoImage(STEM),
      "--masks",
      cocoPanoptic(STEM),
      "--out",
      out,
    ]
      .map((a) => `'${a}'`)
      .join(" ");
    // script(1) runs the command on a real pseudo-terminal, so stderr.isTTY is true as for a user.
    const typescript = execFileSync("script", ["-qec", cmd, "/dev/null"], { cwd: ROOT, encoding: "utf8" });
    expect(typescript).toContain(`[1/1] ${cocoImage(STEM)}: marking…`);
    expect(typescript).toMatch(/\r\x1b\[K\[1\/1\] .*30 marks →/);
  }, 120_000);
});

describe("som mark: no flag ignored silently", () => {
  const image = cocoImage(STEM);
  const cases: [string[], RegExp][] = [
    [
      ["--points-per-side", "16"],
      /--points-per-side is read only by the sam proposer; it does nothing with --proposer builtin/,
    ],
    [["--sam-model", "x"], /--sam-model is read only by the sam proposer/],
    [
      ["--segments-info", "x.json"],
      /--segments-info is read only by the masks proposer \(it needs --masks\)/,
    ],
    [["--proposer", "sam", "--sam-model", "x", "--detector", "none"], /--detector/],
    [
      ["--masks", cocoPanoptic(STEM), "--granularity", "0.2"],
      /--granularity is read only by the builtin and sam proposers; it does nothing with --proposer masks/,
    ],
  ];
  for (const [flags, message] of cases) {
    it(`rejects ${flags.join(" ")}`, async () => {
      const res = await runSom(["mark", image, ...flags, "--out", join(tmpdir(), "som-never")]);
      expect(res.code).not.toBe(0);
      expect(res.stderr.trim().split("\n")).toHaveLength(1);
      expect(res.stderr).toMatch(message);
    }, 60_000);
  }

  it("--model still names the SAM folder, with a one-line deprecation warning", async () => {
    const res = await runSom([
      "mark",
      image,
      "--proposer",
      "sam",
      "--model",
      "/no/such/sam",
      "--out",
      join(tmpdir(), "som-never"),
    ]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/warning: --model in som mark is deprecated: use --sam-model DIR/);
    expect(res.stderr).toMatch(/\/no\/such\/sam/);
  }, 60_000);

  it("som ask rejects --detector with --masks", async () => {
    const res = await runSom([
      "ask",
      image,
      "what is this?",
      "--masks",
      cocoPanoptic(STEM),
      "--detector",
      "none",
      "--replay",
      "/dev/null",
    ]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(
      /--detector is read only by the builtin proposer; it does nothing with --proposer masks/,
    );
  }, 60_000);
});

describe("som mark never overwrites silently", () => {
  it("a second run into the same folder fails that image; --overwrite replaces", async () => {
    const out = await mkdtemp(join(tmpdir(), "som-markover-"));
    const args = ["mark", cocoImage(STEM), "--masks", cocoPanoptic(STEM), "-q", "--out", out];
    expect((await runSom(args)).code).toBe(0);
    const again = await runSom(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/\.som\.png exists \(give --overwrite to replace it, or another --out\)/);
    expect((await runSom([...args, "--overwrite"])).code).toBe(0);
  }, 120_000);
});
