/** som ask / som task save the exact marked image they sent beside the answer (<stem>.sent.som.png). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { somInProcess as som } from "../helpers/cli.js";
import { useModelEnv } from "../helpers/model-env.js";
import { COCO, PANOPTIC_JSON } from "../tasks/coco.js";

const STEM = "000000000139";
const IMAGE = join(COCO, "images", `${STEM}.jpg`);
const MASKS = ["--masks", join(COCO, "panoptic", `${STEM}.png`), "--segments-info", PANOPTIC_JSON];
const env = useModelEnv("som-sent-", "sk-sent-test-1", { checksKey: true });

describe("the marked image sent to the model is saved", () => {
  it("som ask writes <stem>.sent.som.png, byte for byte what the model received", async () => {
    const s = await env.fake(() => "It is [3].");
    const out = join(env.dir, "ask-sent");
    const r = await som([
      "ask",
      IMAGE,
      "What is this?",
      "--base-url",
      s.baseURL,
      ...MASKS,
      "-o",
      out,
      "--no-cache",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(env.seen).toHaveLength(1);
    const saved = await readFile(join(out, `${STEM}.sent.som.png`));
    expect(Buffer.compare(saved, Buffer.from(env.seen[0].image))).toBe(0);
    expect(r.stderr).toContain(`${STEM}.sent.som.png`);
  });

  it("with --group-size, one file per request, each what that request sent", async () => {
    env.seen.length = 0;
    const s = await env.fake(() => "None of these.");
    const out = join(env.dir, "refer-sent");
    const r = await som([
      "task",
      "refer",
      IMAGE,
      "the television",
      "--base-url",
      s.baseURL,
      ...MASKS,
      "--group-size",
      "16",
      "-o",
      out,
      "--no-cache",
      "--no-structured",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(env.seen.length).toBeGreaterThan(1);
    for (const [i, req] of env.seen.entries()) {
      const saved = await readFile(join(out, `${STEM}.sent-${i + 1}.som.png`));
      expect(Buffer.compare(saved, Buffer.from(req.image))).toBe(0);
    }
  });
});
