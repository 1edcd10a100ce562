import { ADE20K, COCO_PANOPTIC, type Vocabulary } from "../../prompts/index.js";
import { makeRegion } from "../../regions/region.js";
import { decodeRle } from "../../regions/rle.js";
import { runClassify, runGround, runRefer, runTrack } from "../../tasks/index.js";
import { HttpError } from "../errors.js";
import { decodeBase64Image } from "../image-input.js";
import {
  ClassifyRequestSchema,
  GroundRequestSchema,
  ReferRequestSchema,
  TrackRequestSchema,
} from "../schemas.js";
import { runModelTask } from "./model-task.js";
import type { Route, RouteRequest } from "./types.js";

export const TASK_ROUTE_NAMES = ["classify", "refer", "ground", "track"] as const;

/** Vocabulary from a request: a built-in one by name, or a list of names. Never a file path. */
function vocabularyOf(v: "coco" | "ade20k" | string[]): Vocabulary {
  if (v === "coco") return COCO_PANOPTIC;
  if (v === "ade20k") return ADE20K;
  return {
    name: "request",
    entries: v.map((name, i) => ({ id: i + 1, name, official: name, isthing: true })),
  };
}

const handlers: Record<(typeof TASK_ROUTE_NAMES)[number], (r: RouteRequest) => Promise<unknown>> = {
  classify: (r) =>
    runModelTask(r, ClassifyRequestSchema, ({ body, image, imageId, marked, provider, style }) =>
      runClassify({
        image,
        regions: marked.regions,
        provider,
        style,
        groupSize: body.groupSize,
        vocabulary: vocabularyOf(body.vocabulary as "coco" | string[]),
        stem: imageId.slice(0, 12),
      }),
    ),
  refer: (r) =>
    runModelTask(
      r,
      ReferRequestSchema,
      ({ body, image, marked, provider, style }) =>
        runRefer({
          image,
          regions: marked.regions,
          provider,
          style,
          groupSize: body.groupSize,
          expression: body.expression,
        }),
      true,
    ),
  ground: (r) =>
    runModelTask(
      r,
      GroundRequestSchema,
      ({ body, image, marked, provider, style }) =>
        runGround({
          image,
          regions: marked.regions,
          provider,
          style,
          groupSize: body.groupSize,
          sentence: body.sentence,
          phrases: body.phrases,
        }),
      true,
    ),
  track: (r) =>
    runModelTask(r, TrackRequestSchema, async ({ body, image, marked, provider, style, signal }) => {
      signal.throwIfAborted();
      // The first frame, decoded (or looked up) by a compute worker.
      const frame1 = await r.ctx.runOnImage(
        body.frame1Id ? { imageId: body.frame1Id } : { bytes: decodeBase64Image(body.frame1 as string) },
        (s) => ({ op: "image", source: s }),
        signal,
      );
      const objects = body.objects.map((rle, i) => {
        const [h, w] = rle.size;
        if (h !== frame1.image.height || w !== frame1.image.width) {
          throw new HttpError(400, "invalid_request", `objects.${i}: mask size differs from frame1`);
        }
        try {
          return makeRegion(i + 1, decodeRle(rle), "user");
        } catch (err) {
          throw new HttpError(400, "invalid_request", `objects.${i}: ${(err as Error).message}`);
        }
      });
      return runTrack({
        image,
        regions: marked.regions,
        provider,
        style,
        groupSize: body.groupSize,
        frame1: frame1.image,
        objects,
      });
    }),
};

/** POST /v1/tasks/<task>: classify, refer, ground or track on the marked image. */
export const taskRoute: Route = {
  method: "POST",
  path: "/v1/tasks/:task",
  auth: true,
  async handler(r) {
    const task = r.params.task as keyof typeof handlers;
    if (!Object.hasOwn(handlers, task)) {
      throw new HttpError(
        404,
        "unknown_task",
        `no task "${task}"; choose one of ${TASK_ROUTE_NAMES.join(", ")}`,
      );
    }
    return handlers[task](r);
  },
};
