import { readImageRequest, resolveImage } from "../image-input.js";
import { SegmentRequestSchema } from "../schemas.js";
import { segmentEntry } from "../segment-service.js";
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
      return await ticket.run(async () => {
        const entry = await resolveImage(ctx, source, signal);
        const { method, regions } = await segmentEntry(ctx, entry, body);
        ctx.images.trim();
        return { imageId: entry.id, method, regions };
      }, signal);
    } finally {
      ticket.release();
    }
  },
};
