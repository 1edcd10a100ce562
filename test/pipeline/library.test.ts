import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import {
  ask,
  createProvider,
  decodeRle,
  loadImage,
  loadMaskRegions,
  mark,
  maskIoU,
  UserError,
} from "../../src/index.js";
import { startFakeOpenAI } from "../helpers/fake-openai-server.js";
import { cocoImage, cocoPanoptic } from "../helpers/datasets.js";

const STEM = "000000000139";
const servers: { close: () => Promise<void> }[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe("library entry", () => {
  it("bad input rejects with the exported UserError (one-line message, a code)", async () => {
    const err = await loadImage("/nonexistent/photo.jpg").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/photo\.jpg/);
    expect(typeof (err as UserError).code).toBe("string");
  });

  it("mark(): regions in, marked PNG and manifest out", async () => {
    const image = await loadImage(cocoImage(STEM));
    const regions = await loadMaskRegions(cocoPanoptic(STEM), image);
    const { manifest, png } = await mark(image, { regions, marks: ["number", "contour"] });
    expect(manifest.marks).toHaveLength(regions.length);
    expect(maskIoU(decodeRle(manifest.marks[0].segmentation), regions[0].mask)).toBe(1);
    expect((await sharp(png).metadata()).width).toBe(640);
  });

  it("ask(): proposes, marks, asks over the OpenAI wire protocol and maps the answer back to regions", async () => {
    const image = await loadImage(cocoImage(STEM));
    const regions = await loadMaskRegions(cocoPanoptic(STEM), image);
    const prompts: string[] = [];
    const server = await startFakeOpenAI({
      apiKey: "sk-lib-test",
      model: (input) => {
        prompts.push(input.prompt);
        return "The chairs are [4] and [5]; also [77].";
      },
    });
    servers.push(server);
    const provider = await createProvider({
      provider: "openai",
      model: "gpt-4o",
      baseURL: server.baseURL,
      env: { OPENAI_API_KEY: "sk-lib-test" },
      cache: false,
    });
    const out = await ask(image, "Which marks are chairs?", { provider, regions });
    expect(prompts[0]).toContain("Which marks are chairs?");
    expect(out.json.referenced.map((r) => r.id)).toEqual([4, 5]);
    expect(out.json.unknown).toEqual(["77"]);
    expect(maskIoU(decodeRle(out.json.referenced[0].segmentation), regions[3].mask)).toBe(1);
  });
});
