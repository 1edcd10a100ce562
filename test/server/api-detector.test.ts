import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBuiltinProposer, detectorAvailable } from "../../src/proposers/builtin/index.js";
import { loadImage } from "../../src/image/load.js";
import { decodeRle, rleArea } from "../../src/regions/rle.js";
import { maskArea, maskGet } from "../../src/regions/mask.js";
import { cocoImage } from "../helpers/datasets.js";
import { type Json, photoBytes, postImage, postJson, result, startTestServer } from "./serve-helpers.js";

const bytes = photoBytes();
const imageId = createHash("sha256").update(bytes).digest("hex");

describe.skipIf(!detectorAvailable())("som serve --detector (optional packages)", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ detector: "centernet", concurrency: 1 });
  });
  afterAll(async () => {
    await server.close();
  });

  it("lists the detector with the built-in proposer", async () => {
    const { status, body } = await result(await fetch(`${server.url}/v1/models`));
    expect(status).toBe(200);
    expect(body.proposers[0]).toEqual({ name: "builtin", detector: "centernet" });
  });

  let marks: Json[] = [];

  it("marks with the same regions as the library's detector-guided proposer", {
    timeout: 60_000,
  }, async () => {
    const { status, body } = await result(await postImage(`${server.url}/v1/mark`, bytes, { options: {} }));
    expect(status).toBe(200);
    expect(body.manifest.settings).toMatchObject({ proposer: "builtin", detector: "centernet" });
    marks = body.manifest.marks;
    expect(marks.some((m) => typeof m.detector?.label === "string")).toBe(true);
    const image = await loadImage(cocoImage("000000000139"));
    const expected = await createBuiltinProposer({ detector: "centernet" }).propose(image);
    expect(marks.map((m) => m.area).sort((a, b) => a - b)).toEqual(
      expected.map((r) => r.area).sort((a, b) => a - b),
    );
  });

  it("refines clicks and includes nodes on the same box-guided hierarchy", { timeout: 60_000 }, async () => {
    const seg = await result(
      await postJson(`${server.url}/v1/segment`, { imageId, granularity: 0.4, points: [{ x: 320, y: 300 }] }),
    );
    expect(seg.status).toBe(200);
    const r = seg.body.regions[0];
    expect(maskGet(decodeRle(r.segmentation), 320, 300)).toBe(true);
    // Its node is a node of the box-guided hierarchy (the library builds the same one).
    const image = await loadImage(cocoImage("000000000139"));
    const guided = await createBuiltinProposer({ detector: "centernet" }).hierarchyFor(image);
    const nodeArea = guided.nodeMasks(r.node, false).reduce((n, m) => n + maskArea(m), 0);
    expect(nodeArea).toBe(r.area);
    // The clicked node, added as a mark, is the very region the click returned.
    const added = await result(
      await postJson(`${server.url}/v1/mark`, { imageId, options: { include: [{ node: r.node }] } }),
    );
    expect(added.status).toBe(200);
    const last = added.body.manifest.marks.find((m: Json) => m.node === r.node && m.area === r.area);
    expect(last).toBeDefined();
    expect(rleArea(last.segmentation)).toBe(r.area);
  });
});
