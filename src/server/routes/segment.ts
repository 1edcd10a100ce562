import { readImageRequest } from "../image-input.js";
import { SegmentRequestSchema } from "../schemas.js";
import type { Route } from "./types.js";

/** POST /v1/segment: interactive prompts (points, boxes, scribbles) → one region each. */
export const segmentRoute: Route = {
  method: "POST",
  path: "/v1/segment",
  auth: true,
  async handler({ req, ctx, signal }) {
    const ticket = ctx.compute.admit();
    try {
      const { body, source } = await readImageRequest(req, ctx, SegmentRequestSchema, signal);
      const { imageId, method, regions } = await ticket.run(
        () => ctx.runOnImage(source, (s) => ({ op: "segment", source: s, request: body }), signal),
        signal,
      );
      return { imageId, method, regions };
    } finally {
      ticket.release();
    }
  },
};
