import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { expandInputs } from "../../src/batch/inputs.js";
import { runSom } from "../helpers/cli.js";
import { dataset } from "../helpers/datasets.js";
import { useModelEnv } from "../helpers/model-env.js";
import { readLedgerFile } from "./fixtures.js";

const env = useModelEnv("som-batch-track-", "sk-batch-track-key-5");
const davis = dataset("davis2016");
const frame = (seq: string, n: string) => join(davis, "JPEGImages", "480p", seq, `${n}.jpg`);
const annotation = (seq: string, n: string) => join(davis, "Annotations", "480p", seq, `${n}.png`);

describe("som batch track (video object matching per later frame)", () => {
  it("expands davis:DIR into later frames that carry their first frame and its objects", async () => {
    const items = await expandInputs([`davis:${davis}`], { task: "track" });
    // DAVIS scores every frame but the first and the last: blackswan 50, car-shadow 40, kite-surf 50 frames.
    expect(items).toHaveLength(48 + 38 + 48);
    const first = items.find((i) => i.name === "blackswan/00001")!;
    expect(first.input).toBe(frame("blackswan", "00001"));
    expect(first.args).toEqual({
      frame1: frame("blackswan", "00000"),
      masks: annotation("blackswan", "00000"),
    });
    expect(first.also).toEqual([frame("blackswan", "00000"), annotation("blackswan", "00000")]);
    // Other tasks see the same frames as plain images, named per sequence so they never collide.
    const plain = await expandInputs([`davis:${davis}`], { forMark: true });
    expect(plain).toHaveLength(items.length);
    expect(plain[0]!.args).toBeUndefined();
    await expect(
      expandInputs([join(davis, "JPEGImages", "480p", "blackswan")], { task: "track" }),
    ).rejects.toThrow(/track needs a first frame and its objects per item/);
  });

  it("matches frame 1's objects in each later frame, writes som task track's files, and redoes an item when its first-frame masks change", async () => {
    const masks = join(env.dir, "blackswan-00000.png");
    await copyFile(annotation("blackswan", "00000"), masks);
    const list = join(env.dir, "pairs.txt");
    await writeFile(
      list,
      [
        "# FRAME1 FRAME2 MASKS",
        `${frame("blackswan", "00000")} ${frame("blackswan", "00010")} ${masks}`,
        `${frame("blackswan", "00000")}\t${frame("blackswan", "00020")}\t${masks}`,
        "",
      ].join("\n"),
    );
    const s = await env.fake(() => '{"matches": [{"object": "1", "mark": "a"}]}');
    const out = join(env.dir, "out");
    const args = ["batch", "track", list, "--base-url", s.baseURL, "--no-cache", "--detector", "none"];
    args.push("--max-marks", "5", "-o", out, "-j", "2");
    const r = await runSom(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("2 done, 0 skipped, 0 failed of 2");
    // Both frames were sent with every request: frame 1 with its object, then the candidates.
    expect(env.seen).toHaveLength(2);
    expect(env.seen.every((x) => x.images.length === 2)).toBe(true);
    const recs = await readLedgerFile(out);
    expect(recs.map((x) => x.status)).toEqual(["done", "done"]);
    for (const rec of recs) {
      const answer = JSON.parse(await readFile(join(out, `${rec.name}.answer.json`), "utf8"));
      expect(answer.matches).toEqual([expect.objectContaining({ object: 255, markLabel: "a" })]);
      // The masks PNG paints candidate a with the object's value in the frame-1 annotation (255).
      const png = join(out, `${rec.name}.masks.png`);
      expect(rec.outputs).toContain(`${rec.name}.masks.png`);
      const { data } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      const values = new Set(data);
      expect([...values].sort((a, b) => a - b)).toEqual([0, 255]);
    }

    const again = await runSom(args);
    expect(again.stderr).toContain("0 done, 2 skipped, 0 failed of 2");
    // A changed first-frame annotation changes the items' content hash: both are redone.
    const edited = await sharp(masks).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    edited.data.fill(0, 0, edited.info.width * 40);
    await sharp(edited.data, { raw: { width: edited.info.width, height: edited.info.height, channels: 1 } })
      .png()
      .toFile(masks);
    const redo = await runSom(args);
    expect(redo.stderr).toContain("2 done, 0 skipped, 0 failed of 2");
  });
});
