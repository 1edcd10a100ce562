import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeRle } from "../../src/regions/rle.js";
import { disc, maskIoU, tinyModel } from "../helpers/onnx-sam-fixtures.js";
import { photoBytes, postImage, postJson, result, startTestServer } from "./serve-helpers.js";

// A tiny SAM stand-in whose decoder draws known discs: the best multimask output has radius 96 in
// model-input pixels, i.e. 60 pixels on the 640-wide photo.
let server: Awaited<ReturnType<typeof startTestServer>>;
let imageId: string;

beforeAll(async () => {
  server = await startTestServer({ samModel: tinyModel({ family: "sam", iou: [0.9, 0.97, 0.8] }) });
  imageId = (
    await (await postImage(`${server.url}/v1/mark`, photoBytes(), { options: { granularity: 0.3 } })).json()
  ).imageId;
});
afterAll(async () => {
  await server.close();
});

describe("som serve with a SAM model", () => {
  it("lists it, and segments a clicked point with a SAM prompt by default", async () => {
    const models = await result(await fetch(`${server.url}/v1/models`));
    expect(models.body.proposers.map((p: { name: string }) => p.name)).toEqual(["builtin", "sam"]);
    const { status, body } = await result(
      await postJson(`${server.url}/v1/segment`, { imageId, points: [{ x: 200, y: 180 }] }),
    );
    expect(status).toBe(200);
    expect(body.method).toBe("sam");
    expect(body.regions).toHaveLength(1);
    expect(maskIoU(decodeRle(body.regions[0].segmentation), disc(640, 426, 200, 180, 60))).toBeGreaterThan(
      0.95,
    );
  });

  it("still offers the built-in hierarchy when asked", async () => {
    const { status, body } = await result(
      await postJson(`${server.url}/v1/segment`, {
        imageId,
        method: "builtin",
        points: [{ x: 200, y: 180 }],
      }),
    );
    expect(status).toBe(200);
    expect(body.method).toBe("builtin");
  });
});
