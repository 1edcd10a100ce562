/**
 * Request and response shapes of the HTTP API. The handlers validate with these, and GET /openapi.json is
 * generated from them, so the documentation cannot drift from the code.
 */
import { z } from "zod";
import { DEFAULT_ALPHA, DEFAULT_GRANULARITY, DEFAULT_MARKS } from "../pipeline/mark.js";
import { MARK_TYPES } from "../render/render.js";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().describe("stable machine-readable code, e.g. body_too_large, busy, unsupported_image"),
      message: z.string().describe("one line for a person"),
    }),
  })
  .meta({ id: "Error" });

export const RleSchema = z
  .object({
    size: z.tuple([z.int().positive(), z.int().positive()]).describe("[height, width]"),
    counts: z.string().max(4_000_000).describe("compressed COCO RLE counts string (pycocotools)"),
  })
  .meta({ id: "CocoRle" });

export const RegionRefSchema = z
  .union([
    z.strictObject({ node: z.int().nonnegative().describe("a built-in hierarchy node (manifest `node`)") }),
    z.strictObject({ segmentation: RleSchema }),
  ])
  .meta({ id: "RegionRef" });

const ImageIdSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "must be the 64-hex-digit imageId a previous response gave")
  .describe("SHA-256 of image bytes uploaded earlier; reuses the decoded image and its region hierarchy");

export const MarkOptionsSchema = z
  .strictObject({
    proposer: z
      .enum(["builtin", "sam", "ui"])
      .optional()
      .describe(
        "region source; sam needs a model configured on the server ; ui: screenshots (OCR + UI elements) (default builtin)",
      ),
    granularity: z
      .number()
      .min(0)
      .max(1)
      .default(DEFAULT_GRANULARITY)
      .describe("0 = few large … 1 = many small"),
    maxMarks: z.int().min(1).max(1000).optional(),
    marks: z
      .array(z.enum(MARK_TYPES as [string, ...string[]]))
      .min(1)
      .max(4)
      .default([...DEFAULT_MARKS])
      .describe("what to draw: number, mask, contour, box"),
    labels: z.enum(["numeric", "alpha"]).default("numeric"),
    alpha: z.number().min(0).max(1).default(DEFAULT_ALPHA).describe("mask tint opacity"),
    fontSize: z.int().min(6).max(256).optional(),
    include: z
      .array(RegionRefSchema)
      .max(256)
      .default([])
      .describe("regions added to the proposer's (marked after them, so existing ids stay)"),
    exclude: z
      .array(RegionRefSchema)
      .max(1024)
      .default([])
      .describe("proposer regions to drop: by node, or by mask (IoU ≥ 0.8)"),
  })
  .meta({ id: "MarkOptions" });
export type MarkOptionsInput = z.output<typeof MarkOptionsSchema>;

/** Fields naming the image, shared by every image endpoint: exactly one must be given. */
const imageSourceFields = {
  image: z
    .string()
    .max(70_000_000)
    .optional()
    .describe(
      "image bytes as a data: URL or plain base64 (JSON bodies; multipart sends a file part instead)",
    ),
  imageId: ImageIdSchema.optional(),
  imageUrl: z
    .string()
    .max(4096)
    .optional()
    .describe(
      "http(s) URL to fetch; only when the server runs with --allow-url-fetch, public addresses only",
    ),
};

function oneImageSource<T extends { image?: string; imageId?: string; imageUrl?: string }>(
  v: T,
  ctx: z.RefinementCtx,
) {
  const given = [v.image, v.imageId, v.imageUrl].filter((x) => x !== undefined).length;
  if (given !== 1) {
    ctx.addIssue({
      code: "custom",
      message:
        given === 0
          ? "give the image: image, imageId or imageUrl"
          : "give only one of image, imageId, imageUrl",
      path: ["image"],
    });
  }
}

export const MarkRequestSchema = z
  .strictObject({ ...imageSourceFields, options: MarkOptionsSchema.optional() })
  .superRefine(oneImageSource)
  .meta({ id: "MarkRequest" });

const PointSchema = z.strictObject({
  x: z.number().nonnegative(),
  y: z.number().nonnegative(),
  label: z
    .union([z.literal(0), z.literal(1)])
    .default(1)
    .describe("1 = positive, 0 = negative"),
});

export const SegmentRequestSchema = z
  .strictObject({
    ...imageSourceFields,
    method: z
      .enum(["builtin", "sam"])
      .optional()
      .describe(
        "builtin: the finer hierarchy region under the prompt; sam: a SAM prompt (default sam when configured)",
      ),
    granularity: z
      .number()
      .min(0)
      .max(1)
      .default(DEFAULT_GRANULARITY)
      .describe("builtin: the current granularity; the region comes from a finer level"),
    points: z.array(PointSchema).max(64).default([]).describe("together one prompt (one region)"),
    boxes: z
      .array(z.tuple([z.number(), z.number(), z.number().positive(), z.number().positive()]))
      .max(32)
      .default([])
      .describe("[x, y, w, h]; one region each"),
    scribbles: z
      .array(
        z
          .array(z.tuple([z.number(), z.number()]))
          .min(1)
          .max(4096),
      )
      .max(16)
      .default([])
      .describe("polylines of [x, y] image points; one region each"),
  })
  .superRefine(oneImageSource)
  .refine((v) => v.points.length + v.boxes.length + v.scribbles.length > 0, {
    message: "give at least one prompt: points, boxes or scribbles",
    path: ["points"],
  })
  .meta({ id: "SegmentRequest" });
export type SegmentRequest = z.output<typeof SegmentRequestSchema>;

const groupSize = z
  .int()
  .min(1)
  .max(500)
  .optional()
  .describe("at most this many marks per model request (dense images: several requests)");

export const AskRequestSchema = z
  .strictObject({
    ...imageSourceFields,
    question: z.string().trim().min(1).max(8000),
    options: MarkOptionsSchema.optional(),
    groupSize,
  })
  .superRefine(oneImageSource)
  .meta({ id: "AskRequest" });

const phrase = z.string().trim().min(1).max(2000);

export const ClassifyRequestSchema = z
  .strictObject({
    ...imageSourceFields,
    options: MarkOptionsSchema.optional(),
    groupSize,
    vocabulary: z
      .union([z.enum(["coco", "ade20k"]), z.array(z.string().trim().min(1).max(200)).min(1).max(2000)])
      .default("coco")
      .describe("a built-in vocabulary, or the category names to choose from"),
  })
  .superRefine(oneImageSource)
  .meta({ id: "ClassifyRequest" });

export const ReferRequestSchema = z
  .strictObject({
    ...imageSourceFields,
    options: MarkOptionsSchema.optional(),
    groupSize,
    expression: phrase,
  })
  .superRefine(oneImageSource)
  .meta({ id: "ReferRequest" });

export const GroundRequestSchema = z
  .strictObject({
    ...imageSourceFields,
    options: MarkOptionsSchema.optional(),
    groupSize,
    sentence: phrase,
    phrases: z.array(phrase).min(1).max(64),
  })
  .superRefine(oneImageSource)
  .meta({ id: "GroundRequest" });

export const TrackRequestSchema = z
  .strictObject({
    ...imageSourceFields,
    options: MarkOptionsSchema.optional(),
    groupSize,
    frame1: z.string().max(70_000_000).optional().describe("the first frame (data: URL or base64)"),
    frame1Id: ImageIdSchema.optional().describe("the first frame, uploaded earlier"),
    objects: z
      .array(RleSchema)
      .min(1)
      .max(64)
      .describe("the objects in frame 1, numbered 1..n in this order"),
  })
  .superRefine(oneImageSource)
  .refine((v) => (v.frame1 === undefined) !== (v.frame1Id === undefined), {
    message: "give the first frame: frame1 or frame1Id (or a multipart file part frame1)",
    path: ["frame1"],
  })
  .meta({
    id: "TrackRequest",
    description: "the image fields name frame 2, whose regions are the candidates",
  });

export const ManifestSchema = z
  .object({
    version: z.literal(1),
    image: z.object({ width: z.int(), height: z.int(), file: z.string().optional() }),
    settings: z.record(z.string(), z.unknown()),
    marks: z.array(
      z.looseObject({
        id: z.int(),
        label: z.string(),
        bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
        area: z.number(),
        segmentation: RleSchema,
        anchor: z.tuple([z.number(), z.number()]),
        labelBox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
        color: z.string(),
        score: z.number(),
        source: z.string(),
      }),
    ),
  })
  .meta({ id: "Manifest", description: "the *.som.json contract (version 1)" });

export const MarkResponseSchema = z
  .object({
    imageId: z.string(),
    manifest: ManifestSchema,
    markedImage: z.string().describe("data:image/png;base64,…"),
    timings: z.record(z.string(), z.number()).describe("milliseconds per stage"),
  })
  .meta({ id: "MarkResponse" });

export const SegmentRegionSchema = z.object({
  segmentation: RleSchema,
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  area: z.number(),
  score: z.number(),
  source: z.string(),
  node: z.int().optional(),
});

export const SegmentResponseSchema = z
  .object({ imageId: z.string(), method: z.enum(["builtin", "sam"]), regions: z.array(SegmentRegionSchema) })
  .meta({ id: "SegmentResponse" });

export const MentionSchema = z.object({
  start: z.int(),
  end: z.int(),
  label: z.string(),
  id: z.int().optional(),
});

const ReferencedSchema = z.object({
  id: z.int(),
  label: z.string(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  area: z.number(),
  segmentation: RleSchema,
});

export const TaskResponseSchema = z
  .looseObject({
    imageId: z.string(),
    task: z.string(),
    question: z.string(),
    answer: z.string().describe("the model's answer text"),
    referenced: z.array(ReferencedSchema).describe("the regions the answer names (input-image pixels)"),
    unknown: z.array(z.string()).describe("labels the answer names that no mark carries"),
    provider: z.object({ name: z.string(), model: z.string() }),
    usage: z.record(z.string(), z.number().optional()),
    cached: z.boolean(),
    sent: z.object({ width: z.int(), height: z.int(), groups: z.int(), marks: z.int() }),
    mentions: z
      .array(MentionSchema)
      .optional()
      .describe("ask, refer, ground: character spans of the mark references in `answer`"),
    answerImage: z.string().describe("data:image/png;base64,… the image with only the referenced marks"),
    files: z
      .record(z.string(), z.unknown())
      .describe("task outputs by suffix: PNGs as data: URLs, JSON as objects (.mask.png, .panoptic.json…)"),
  })
  .meta({ id: "TaskResponse" });

export const AskResponseSchema = TaskResponseSchema.extend({
  marks: z.array(z.int()).describe("mark ids the answer refers to, in order of first mention"),
  mentions: z.array(MentionSchema).describe("character spans of the references in `answer`"),
}).meta({ id: "AskResponse" });

export const HealthSchema = z.object({
  status: z.literal("ok"),
  version: z.string(),
  uptimeS: z.number(),
  jobs: z.record(z.string(), z.object({ running: z.int(), waiting: z.int() })),
  workers: z
    .object({ size: z.int(), restarts: z.int() })
    .describe("compute worker threads, and how many were replaced (timed out or crashed)"),
  tokenRequired: z
    .boolean()
    .describe("whether /v1 requests need Authorization: Bearer <token> (the web app asks for one only then)"),
});

export const ModelsSchema = z.object({
  proposers: z.array(
    z.object({
      name: z.string(),
      model: z.string().optional(),
      detector: z
        .string()
        .optional()
        .describe(
          'builtin: the detector guiding it, or "none" for the weight-free path (som serve --detector)',
        ),
    }),
  ),
  provider: z.object({ name: z.string(), model: z.string() }).nullable(),
  tasks: z.array(z.string()),
  limits: z.object({
    maxBodyBytes: z.int(),
    maxPixels: z.int(),
    timeoutMs: z.int(),
    urlFetch: z.boolean(),
  }),
});
