import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maskGet } from "../../src/regions/mask.js";
import { decodeRle, rleArea } from "../../src/regions/rle.js";
import {
  type Json,
  PHOTO,
  photoBytes,
  pngSize,
  postImage,
  postJson,
  result,
  startTestServer,
} from "./serve-helpers.js";

let server: Awaited<ReturnType<typeof startTestServer>>;
const bytes = photoBytes();
const imageId = createHash("sha256").update(bytes).digest("hex");

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe("POST /v1/mark on a real photo", () => {
  let first: Json;

  it("returns a manifest whose masks and marks describe the photo, and the marked PNG", async () => {
    const { status, body } = await result(
      await postImage(`${server.url}/v1/mark`, bytes, { options: { granularity: 0.4 } }),
    );
    expect(status).toBe(200);
    first = body;
    expect(body.imageId).toBe(imageId);
    expect(body.manifest.version).toBe(1);
    expect(body.manifest.image).toMatchObject({ width: 640, height: 426 });
    expect(body.manifest.settings).toMatchObject({ proposer: "builtin", granularity: 0.4 });
    const marks = body.manifest.marks;
    expect(marks.length).toBeGreaterThan(5);
    expect(marks.map((m: Json) => m.id)).toEqual(marks.map((_: unknown, i: number) => i + 1));
    for (const m of marks) {
      expect(m.segmentation.size).toEqual([426, 640]);
      expect(rleArea(m.segmentation)).toBe(m.area);
      // The label anchor lies inside the image.
      expect(m.anchor[0]).toBeGreaterThanOrEqual(0);
      expect(m.anchor[0]).toBeLessThan(640);
    }
    expect(await pngSize(body.markedImage)).toEqual({ width: 640, height: 426, format: "png" });
  });

  it("reuses the image by imageId: a finer granularity gives more marks, without rebuilding the hierarchy", async () => {
    const coarse = await result(
      await postJson(`${server.url}/v1/mark`, { imageId, options: { granularity: 0.1 } }),
    );
    const fine = await result(
      await postJson(`${server.url}/v1/mark`, { imageId, options: { granularity: 0.9 } }),
    );
    expect(coarse.status).toBe(200);
    expect(fine.status).toBe(200);
    expect(fine.body.manifest.marks.length).toBeGreaterThan(coarse.body.manifest.marks.length * 2);
    // The first request built the hierarchy; these only pick levels from it.
    expect(coarse.body.timings.proposeMs).toBeLessThan(first.timings.proposeMs);
  });

  it("accepts the image as a data: URL in a JSON body, with style options", async () => {
    const dataUrl = `data:image/jpeg;base64,${bytes.toString("base64")}`;
    const { status, body } = await result(
      await postJson(`${server.url}/v1/mark`, {
        image: dataUrl,
        options: { granularity: 0.4, labels: "alpha", marks: ["box", "number"] },
      }),
    );
    expect(status).toBe(200);
    expect(body.imageId).toBe(imageId);
    expect(body.manifest.marks[0].label).toBe("a");
    expect(body.manifest.settings.marks).toEqual(["box", "number"]);
    expect(body.manifest.marks.length).toBe(first.manifest.marks.length);
  });

  it("drops excluded regions and appends included masks as new marks", async () => {
    const marks = first.manifest.marks;
    const removed = marks[1];
    const added = marks[marks.length - 1].segmentation;
    const { status, body } = await result(
      await postJson(`${server.url}/v1/mark`, {
        imageId,
        options: { granularity: 0.4, exclude: [{ node: removed.node }], include: [{ segmentation: added }] },
      }),
    );
    expect(status).toBe(200);
    const out = body.manifest.marks;
    expect(out.length).toBe(marks.length);
    expect(out.some((m: Json) => m.node === removed.node && !m.added)).toBe(false);
    const last = out[out.length - 1];
    expect(last.added).toBe(true);
    expect(last.segmentation.counts).toBe(added.counts);
  });

  it("answers an unknown imageId with 404 image_not_found", async () => {
    const { status, body } = await result(
      await postJson(`${server.url}/v1/mark`, { imageId: "0".repeat(64) }),
    );
    expect(status).toBe(404);
    expect(body.error.code).toBe("image_not_found");
  });
});

describe("POST /v1/segment (built-in hierarchy)", () => {
  it("returns the finer region under a clicked point, containing that point", async () => {
    const { status, body } = await result(
      await postJson(`${server.url}/v1/segment`, { imageId, granularity: 0.4, points: [{ x: 320, y: 300 }] }),
    );
    expect(status).toBe(200);
    expect(body.method).toBe("builtin");
    expect(body.regions).toHaveLength(1);
    const r = body.regions[0];
    const mask = decodeRle(r.segmentation);
    expect(maskGet(mask, 320, 300)).toBe(true);
    expect(r.area).toBe(rleArea(r.segmentation));
    expect(r.area).toBeLessThan(640 * 426 * 0.5);
    expect(typeof r.node).toBe("number");
  });

  it("returns one region per scribble and per box", async () => {
    const { status, body } = await result(
      await postJson(`${server.url}/v1/segment`, {
        imageId,
        scribbles: [
          [
            [100, 100],
            [140, 110],
          ],
        ],
        boxes: [[400, 200, 120, 150]],
      }),
    );
    expect(status).toBe(200);
    expect(body.regions).toHaveLength(2);
    for (const r of body.regions) expect(r.area).toBeGreaterThan(0);
  });

  it("refuses a point outside the image and a request without prompts", async () => {
    const outside = await result(
      await postJson(`${server.url}/v1/segment`, { imageId, points: [{ x: 9999, y: 1 }] }),
    );
    expect(outside.status).toBe(400);
    expect(outside.body.error.message).toMatch(/outside/);
    const none = await result(await postJson(`${server.url}/v1/segment`, { imageId }));
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe("invalid_request");
  });

  it("answers proposer sam with 422 when no SAM model is configured", async () => {
    const { status, body } = await result(
      await postJson(`${server.url}/v1/segment`, { imageId, method: "sam", points: [{ x: 10, y: 10 }] }),
    );
    expect(status).toBe(422);
    expect(body.error.code).toBe("no_sam_model");
  });
});

describe("bad inputs", () => {
  it("415 for an upload that is not an image, 400 for a truncated JPEG", async () => {
    const text = await result(await postImage(`${server.url}/v1/mark`, Buffer.from("hello, not an image")));
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe("unsupported_image");
    const truncated = await result(await postImage(`${server.url}/v1/mark`, bytes.subarray(0, 4000)));
    expect(truncated.status).toBe(400);
    expect(truncated.body.error.code).toBe("bad_image");
  });

  it("415 for a body that is neither multipart nor JSON", async () => {
    const res = await fetch(`${server.url}/v1/mark`, {
      method: "POST",
      body: new Uint8Array(bytes),
      headers: { "content-type": "image/jpeg" },
    });
    const { status, body } = await result(res);
    expect(status).toBe(415);
    expect(body.error.code).toBe("unsupported_media_type");
  });

  it("400 naming the field for invalid options, bad JSON, or no image", async () => {
    const range = await result(
      await postImage(`${server.url}/v1/mark`, bytes, { options: { granularity: 2 } }),
    );
    expect(range.status).toBe(400);
    expect(range.body.error.message).toMatch(/options\.granularity/);
    const unknown = await result(
      await postImage(`${server.url}/v1/mark`, bytes, { options: { colour: "red" } }),
    );
    expect(unknown.status).toBe(400);
    const badJson = await result(
      await postImage(`${server.url}/v1/mark`, bytes, { options: "{granularity:" }),
    );
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe("bad_json");
    const noImage = await result(await postJson(`${server.url}/v1/mark`, { options: {} }));
    expect(noImage.status).toBe(400);
    expect(noImage.body.error.message).toMatch(/image/);
    const two = await result(await postJson(`${server.url}/v1/mark`, { imageId, image: "aGVsbG8=" }));
    expect(two.status).toBe(400);
    const notJson = await result(
      await fetch(`${server.url}/v1/mark`, {
        method: "POST",
        body: "{oops",
        headers: { "content-type": "application/json" },
      }),
    );
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe("bad_json");
  });

  it("404 for unknown endpoints and tasks, 405 for a wrong method", async () => {
    expect((await result(await fetch(`${server.url}/v1/nothing`))).status).toBe(404);
    const task = await result(await postJson(`${server.url}/v1/tasks/dance`, { imageId }));
    expect(task.status).toBe(404);
    expect(task.body.error.code).toBe("unknown_task");
    const get = await result(await fetch(`${server.url}/v1/mark`));
    expect(get.status).toBe(405);
    // A path that cannot be percent-decoded is the client's mistake, not a server error.
    const garbled = await result(await postJson(`${server.url}/v1/tasks/%E0%A4%A`, { imageId }));
    expect([garbled.status, garbled.body.error.code]).toEqual([400, "invalid_request"]);
  });

  it("503 no_provider for /v1/ask when no model is configured", async () => {
    const { status, body } = await result(
      await postJson(`${server.url}/v1/ask`, { imageId, question: "what?" }),
    );
    expect(status).toBe(503);
    expect(body.error.code).toBe("no_provider");
  });
});

describe("service endpoints", () => {
  it("GET /healthz and /v1/models", async () => {
    const health = await result(await fetch(`${server.url}/healthz`));
    expect(health.body).toMatchObject({ status: "ok", jobs: { mark: { running: 0, waiting: 0 } } });
    const models = await result(await fetch(`${server.url}/v1/models`));
    expect(models.body.proposers).toEqual([{ name: "builtin", detector: "centernet" }]);
    expect(models.body.provider).toBeNull();
    expect(models.body.limits.maxBodyBytes).toBe(50 * 1024 * 1024);
  });

  it("GET /openapi.json documents every endpoint from the same schemas the server validates with", async () => {
    const { status, body } = await result(await fetch(`${server.url}/openapi.json`));
    expect(status).toBe(200);
    expect(body.openapi).toBe("3.1.0");
    for (const p of ["/v1/mark", "/v1/segment", "/v1/ask", "/v1/tasks/refer", "/v1/models", "/healthz"]) {
      expect(body.paths[p], p).toBeDefined();
    }
    const opts = body.components.schemas.MarkOptions;
    expect(opts.properties.granularity).toMatchObject({ minimum: 0, maximum: 1 });
    expect(opts.additionalProperties).toBe(false);
    const mark = body.paths["/v1/mark"].post;
    expect(Object.keys(mark.requestBody.content)).toEqual(["application/json", "multipart/form-data"]);
    expect(mark.requestBody.content["multipart/form-data"].schema.properties.image.format).toBe("binary");
    expect(mark.responses["413"]).toBeDefined();
    expect(mark.responses["429"]).toBeDefined();
  });

  it("logs method, path, status and time only", () => {
    expect(server.logs.some((l) => /^POST \/v1\/mark 200 \d+ms$/.test(l))).toBe(true);
  });

  it(`serves the photo ${PHOTO} hierarchy from cache across requests`, () => {
    expect(server.context.pool.holds(imageId)).toBe(true);
  });
});
