import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeServer } from "../helpers/fake-http-server.js";
import { startFakeOpenAI } from "../helpers/fake-openai-server.js";
import {
  type Json,
  photoBytes,
  pngSize,
  postImage,
  postJson,
  result,
  startTestServer,
} from "./serve-helpers.js";

let fake: FakeServer & { baseURL: string };
let server: Awaited<ReturnType<typeof startTestServer>>;
/** What the fake model answers next, by what it was asked. */
let answer: (prompt: string) => string = () => "";
let imageId: string;
let marked: Json;
const options = { granularity: 0.3 };

beforeAll(async () => {
  fake = await startFakeOpenAI({ model: (input) => answer(input.prompt) });
  server = await startTestServer({
    provider: {
      provider: "openai-compatible",
      model: "local-vlm",
      baseURL: fake.baseURL,
      cache: false,
      retryBaseDelayMs: 5,
    },
  });
  const res = await result(await postImage(`${server.url}/v1/mark`, photoBytes(), { options }));
  marked = res.body;
  imageId = marked.imageId;
});
afterAll(async () => {
  await server.close();
  await fake.close();
});

describe("POST /v1/ask", () => {
  it("sends the marked image, returns the answer with its mark ids, spans and regions", async () => {
    answer = () => "The television is mark [2]; the chair is region 3.";
    const { status, body } = await result(
      await postJson(`${server.url}/v1/ask`, { imageId, question: "Where is the TV?", options }),
    );
    expect(status).toBe(200);
    expect(body.answer).toBe("The television is mark [2]; the chair is region 3.");
    expect(body.marks).toEqual([2, 3]);
    expect(body.provider).toEqual({ name: "openai-compatible", model: "local-vlm" });
    // Mention spans point at the references in the text.
    const spans = body.mentions.filter((m: Json) => m.id !== undefined);
    expect(spans.map((m: Json) => m.id)).toEqual([2, 3]);
    for (const m of spans) expect(body.answer.slice(m.start, m.end)).toMatch(new RegExp(String(m.id)));
    // Same options → same marks as /v1/mark: the regions are the ones the client shows.
    for (const r of body.referenced) {
      const shown = marked.manifest.marks.find((m: Json) => m.id === r.id);
      expect(r.segmentation.counts).toBe(shown.segmentation.counts);
    }
    // The model saw a PNG with the marks, and the question.
    const seen = fake.requests.at(-1)!;
    expect(JSON.stringify(seen.body)).toContain("Where is the TV?");
    expect(await pngSize(body.answerImage)).toMatchObject({ width: 640, height: 426 });
  });

  it("reports labels that no mark carries instead of mapping them", async () => {
    answer = () => "It is mark [999].";
    const { status, body } = await result(
      await postJson(`${server.url}/v1/ask`, { imageId, question: "?", options }),
    );
    expect(status).toBe(200);
    expect(body.marks).toEqual([]);
    expect(body.unknown).toEqual(["999"]);
  });

  it("maps an upstream failure to a 5xx error body", async () => {
    fake.queue.push({ status: 500, body: { error: { message: "boom", type: "server_error" } } });
    fake.queue.push({ status: 500, body: { error: { message: "boom", type: "server_error" } } });
    fake.queue.push({ status: 500, body: { error: { message: "boom", type: "server_error" } } });
    fake.queue.push({ status: 500, body: { error: { message: "boom", type: "server_error" } } });
    answer = () => "unused";
    const { status, body } = await result(
      await postJson(`${server.url}/v1/ask`, { imageId, question: "?", options }),
    );
    expect(status).toBeGreaterThanOrEqual(500);
    expect(body.error.code).toMatch(/^provider_/);
    fake.queue.length = 0;
  });
});

describe("POST /v1/tasks/<task>", () => {
  it("refer: the mark an expression means, with its mask PNG", async () => {
    answer = () => "[1]";
    const { status, body } = await result(
      await postJson(`${server.url}/v1/tasks/refer`, { imageId, options, expression: "the largest region" }),
    );
    expect(status).toBe(200);
    expect(body.task).toBe("refer");
    expect(body.referenced.map((r: Json) => r.id)).toEqual([1]);
    const m = /^data:image\/png;base64,(.+)$/.exec(body.files[".mask.png"]);
    expect(m).not.toBeNull();
    const stats = await sharp(Buffer.from(m![1], "base64")).stats();
    // White pixels of the mask PNG = the area of mark 1.
    const white = (stats.channels[0].mean / 255) * 640 * 426;
    expect(Math.abs(white - marked.manifest.marks[0].area)).toBeLessThan(2);
  });

  it("classify: a category for each mark from the given names", async () => {
    answer = () => "1: wall\n2: television\n3: chair";
    const { status, body } = await result(
      await postJson(`${server.url}/v1/tasks/classify`, {
        imageId,
        options,
        vocabulary: ["wall", "television", "chair", "person"],
      }),
    );
    expect(status).toBe(200);
    expect(body.labels.map((l: Json) => [l.id, l.category])).toEqual([
      [1, "wall"],
      [2, "television"],
      [3, "chair"],
    ]);
    expect(body.files[".panoptic.json"].annotations[0].segments_info.length).toBeGreaterThan(0);
  });

  it("ground: marks per phrase", async () => {
    answer = () => '{"phrases":[{"phrase":"a tv","ids":["2"]},{"phrase":"a chair","ids":["3","4"]}]}';
    const { status, body } = await result(
      await postJson(`${server.url}/v1/tasks/ground`, {
        imageId,
        options,
        sentence: "a tv next to a chair",
        phrases: ["a tv", "a chair"],
      }),
    );
    expect(status).toBe(200);
    expect(body.phrases.map((p: Json) => p.ids)).toEqual([[2], [3, 4]]);
  });

  it("track: objects of a first frame matched to the marks of a second", async () => {
    answer = () => '{"matches":[{"object":"1","mark":"2"}]}';
    const frame2 = await sharp(photoBytes()).flop().jpeg().toBuffer();
    const { status, body } = await result(
      await postJson(`${server.url}/v1/tasks/track`, {
        image: frame2.toString("base64"),
        options,
        frame1Id: imageId,
        objects: [marked.manifest.marks[0].segmentation],
      }),
    );
    expect(status).toBe(200);
    expect(body.matches).toEqual([expect.objectContaining({ object: 1, mark: 2 })]);
    // Both frames reached the model, frame 1 first.
    expect(
      fake.requests
        .at(-1)!
        .body.messages.at(-1)
        .content.filter((p: Json) => p.type === "image_url"),
    ).toHaveLength(2);
    expect(body.files[".masks.png"]).toMatch(/^data:image\/png;base64,/);
  });

  it("validates task fields", async () => {
    const { status, body } = await result(
      await postJson(`${server.url}/v1/tasks/ground`, { imageId, sentence: "x" }),
    );
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/phrases/);
  });
});
