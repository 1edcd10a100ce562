import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadImage } from "../../src/image/load.js";
import { markImage } from "../../src/pipeline/mark.js";
import { createBuiltinProposer } from "../../src/proposers/builtin/index.js";
import { runSom } from "../helpers/cli.js";
import { cocoImage } from "../helpers/datasets.js";

// Preloaded into the child: the detector's optional packages resolve as if they were not installed.
const HIDE = resolve(import.meta.dirname, "../helpers/no-detector/register.mjs");
const hidden = { NODE_OPTIONS: `--import ${HIDE}` };

const manifestOf = (dir: string, stem: string) =>
  JSON.parse(readFileSync(join(dir, `${stem}.som.json`), "utf8"));

describe("the detector-guided default", () => {
  it("som mark uses the detector unless told otherwise, and records it with its version", {
    timeout: 60_000,
  }, async () => {
    const out = mkdtempSync(join(tmpdir(), "som-default-"));
    const res = await runSom(["mark", cocoImage("000000000285"), "--out", out, "-q"]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const m = manifestOf(out, "000000000285");
    expect(m.settings).toMatchObject({
      proposer: "builtin",
      detector: "centernet",
      detectorVersion: "@vladmandic/human@3.3.6",
    });
    expect(m.marks.some((x: { detector?: { label: string } }) => x.detector?.label === "bear")).toBe(true);

    const none = await runSom([
      "mark",
      cocoImage("000000000285"),
      "--out",
      out,
      "-q",
      "--detector",
      "none",
      "--overwrite",
    ]);
    expect(none.stderr).toBe("");
    const w = manifestOf(out, "000000000285");
    expect(w.settings.detector).toBe("none");
    expect(w.settings.detectorVersion).toBeUndefined();
    expect(w.marks.some((x: { detector?: unknown }) => x.detector !== undefined)).toBe(false);
  });

  it("falls back to the weight-free path with one warning when the packages are missing", {
    timeout: 60_000,
  }, async () => {
    const out = mkdtempSync(join(tmpdir(), "som-fallback-"));
    const images = [cocoImage("000000000285"), cocoImage("000000000139")];
    const res = await runSom(["mark", ...images, "--out", out, "-q"], { env: hidden });
    expect(res.code).toBe(0);
    // One line for the whole run, naming what to install and how to choose the weight-free path.
    const lines = res.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^som: warning: .*detector \(centernet\) could not load.*weight-free/);
    expect(lines[0]).toMatch(/npm install @tensorflow\/tfjs-core@4\.22\.0/);
    expect(lines[0]).toMatch(/--detector none/);
    for (const stem of ["000000000285", "000000000139"]) {
      const m = manifestOf(out, stem);
      expect(m.settings.detector).toBe("none");
      expect(m.settings.detectorUnavailable).toMatch(/optional package @tensorflow\/tfjs-core/);
      expect(m.marks.length).toBeGreaterThan(10);
    }
    // The same bytes as the weight-free path chosen on purpose.
    const chosen = mkdtempSync(join(tmpdir(), "som-none-"));
    await runSom(["mark", images[0], "--out", chosen, "-q", "--detector", "none"]);
    expect(readFileSync(join(out, "000000000285.som.png"))).toEqual(
      readFileSync(join(chosen, "000000000285.som.png")),
    );
  });

  it("a detector asked for by name is required: a missing package is a one-line error", {
    timeout: 30_000,
  }, async () => {
    const out = mkdtempSync(join(tmpdir(), "som-required-"));
    const res = await runSom(["mark", cocoImage("000000000285"), "--out", out, "--detector", "centernet"], {
      env: hidden,
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim().split("\n")).toHaveLength(1);
    expect(res.stderr).toMatch(/optional package @tensorflow\/tfjs-core; install it with: npm install/);
  });

  it("the library's builtin proposer is detector-guided by default; describe() says which path ran", {
    timeout: 60_000,
  }, async () => {
    const image = await loadImage(cocoImage("000000000285"));
    const auto = createBuiltinProposer();
    expect(await auto.usesDetector()).toBe(true);
    const r = await markImage(image, { proposer: auto });
    expect(r.manifest.settings).toMatchObject({
      detector: "centernet",
      detectorVersion: "@vladmandic/human@3.3.6",
    });
    const plain = createBuiltinProposer({ detector: "none" });
    expect(await plain.usesDetector()).toBe(false);
    expect(plain.describe()).toEqual({ detector: "none" });
    // Granularity 0 and 1 still mean few large / many small regions with the detector on.
    const coarse = await auto.propose(image, { granularity: 0 });
    const fine = await auto.propose(image, { granularity: 1 });
    expect(coarse.length).toBeLessThan(15);
    expect(fine.length).toBeGreaterThan(150);
    const mean = (rs: { area: number }[]) => rs.reduce((s, x) => s + x.area, 0) / rs.length;
    expect(mean(coarse)).toBeGreaterThan(10 * mean(fine));
  });
});
