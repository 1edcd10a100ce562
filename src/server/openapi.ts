import { z } from "zod";
import {
  AskRequestSchema,
  AskResponseSchema,
  ClassifyRequestSchema,
  ErrorSchema,
  GroundRequestSchema,
  HealthSchema,
  MarkRequestSchema,
  MarkResponseSchema,
  ModelsSchema,
  ReferRequestSchema,
  SegmentRequestSchema,
  SegmentResponseSchema,
  TaskResponseSchema,
  TrackRequestSchema,
} from "./schemas.js";

type JsonSchema = Record<string, unknown>;

/** JSON Schema of a zod schema as a request (input) or response (output), with shared parts as $refs. */
function schemaOf(schema: z.ZodType, io: "input" | "output", defs: Record<string, JsonSchema>): JsonSchema {
  const generated = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" });
  // Shared parts (schemas with a meta id) become components, referenced from every operation.
  const json = JSON.parse(
    JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/'),
  ) as JsonSchema & {
    $defs?: Record<string, JsonSchema>;
    $schema?: string;
  };
  const { $defs, $schema: _s, ...rest } = json;
  for (const [name, def] of Object.entries($defs ?? {})) defs[name] ??= def;
  return rest;
}

const errorResponses = (codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description: ERROR_TEXT[c],
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
    ]),
  );

const ERROR_TEXT: Record<number, string> = {
  400: "invalid request (bad JSON, failed validation, corrupt image)",
  401: "missing or wrong bearer token (server started with --token / SOM_API_TOKEN)",
  404: "unknown imageId (upload the image again) or task",
  413: "request body or image pixels above the server's limits",
  415: "not multipart/form-data or JSON, or the upload is not an image",
  422: "nothing to mark, or a feature not configured (no SAM model)",
  429: "too many jobs running and queued; see Retry-After",
  502: "the model provider failed",
  503: "request timed out, or no model provider configured",
};

/** The OpenAPI 3.1 document served at GET /openapi.json, generated from the zod schemas the handlers use. */
export function buildOpenApi(): Record<string, unknown> {
  const defs: Record<string, JsonSchema> = {};
  const jsonOrMultipart = (schema: z.ZodType, fileFields: string[]) => {
    const json = schemaOf(schema, "input", defs);
    const ref = typeof json.$ref === "string" ? json.$ref.split("/").pop()! : undefined;
    const body = ref ? defs[ref] : json;
    const props = { ...((body.properties as Record<string, JsonSchema>) ?? {}) };
    for (const f of fileFields) props[f] = { type: "string", format: "binary", description: `${f} file` };
    for (const [k, v] of Object.entries(props)) {
      if (k === "options" || ((v as JsonSchema).type !== "string" && !fileFields.includes(k))) {
        props[k] = { type: "string", description: `JSON text of the \`${k}\` field of the JSON body` };
      }
    }
    return {
      required: true,
      content: {
        "application/json": { schema: json },
        "multipart/form-data": { schema: { type: "object", properties: props } },
      },
    };
  };
  const ok = (schema: z.ZodType, description: string) => ({
    "200": { description, content: { "application/json": { schema: schemaOf(schema, "output", defs) } } },
  });
  const post = (summary: string, req: z.ZodType, res: z.ZodType, files: string[], errors: number[]) => ({
    post: {
      summary,
      security: [{ bearer: [] }, {}],
      requestBody: jsonOrMultipart(req, files),
      responses: { ...ok(res, "success"), ...errorResponses([400, 401, ...errors, 429, 503]) },
    },
  });
  const paths: Record<string, unknown> = {
    "/healthz": { get: { summary: "liveness and job counts", responses: ok(HealthSchema, "server is up") } },
    "/v1/models": {
      get: {
        summary: "proposers, the configured model (name only), tasks and limits",
        security: [{ bearer: [] }, {}],
        responses: { ...ok(ModelsSchema, "what this server offers"), ...errorResponses([401]) },
      },
    },
    "/v1/mark": post(
      "mark an image: regions → numbered marks; returns the manifest and the marked PNG",
      MarkRequestSchema,
      MarkResponseSchema,
      ["image"],
      [404, 413, 415, 422],
    ),
    "/v1/segment": post(
      "interactive prompts (points, boxes, scribbles) → regions to add",
      SegmentRequestSchema,
      SegmentResponseSchema,
      ["image"],
      [404, 413, 415, 422],
    ),
    "/v1/ask": post(
      "ask the configured model a question about the marked image",
      AskRequestSchema,
      AskResponseSchema,
      ["image"],
      [404, 413, 415, 422, 502],
    ),
  };
  const tasks: Array<[string, z.ZodType, string, string[]]> = [
    [
      "classify",
      ClassifyRequestSchema,
      "a category for every mark (open-vocabulary segmentation)",
      ["image"],
    ],
    ["refer", ReferRequestSchema, "the mark(s) a referring expression means", ["image"]],
    ["ground", GroundRequestSchema, "marks for each phrase of a sentence", ["image"]],
    ["track", TrackRequestSchema, "match objects of frame 1 to the marks of frame 2", ["image", "frame1"]],
  ];
  for (const [name, schema, summary, files] of tasks) {
    paths[`/v1/tasks/${name}`] = post(summary, schema, TaskResponseSchema, files, [404, 413, 415, 422, 502]);
  }
  schemaOf(ErrorSchema, "output", defs);
  defs.Error ??= schemaOf(ErrorSchema, "output", {});
  return {
    openapi: "3.1.0",
    info: {
      title: "som serve",
      version: "0.1.0",
      description:
        "Set-of-Mark HTTP API. Errors are `{error: {code, message}}`. Images go as a multipart file part " +
        "`image`, or in JSON as a data: URL / base64 (`image`), or as the `imageId` of an earlier upload.",
    },
    servers: [{ url: "/" }],
    components: {
      schemas: defs,
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
    paths,
  };
}
