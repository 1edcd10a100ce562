import { readImageRequest, resolveImage } from "../image-input.js";
import { markEntry } from "../mark-service.js";
import { MarkOptionsSchema, MarkRequestSchema } from "../schemas.js";
import type { Route } from "./types.js";

/** POST /v1/mark: image (+ options) → manifest and marked PNG. */
export const markRoute: Route = {
  method: "POST",
  path: "/v1/mark",
  auth: true,
  async handler({ req, ctx, signal }) {
    const ticket = ctx.compute.admit();
    try {
      const { body, source } = await readImageRequest(req, ctx, MarkRequestSchema, signal);
      const options = body.options ?? MarkOptionsSchema.parse({});
      return await ticket.run(async () => {
        const entry = await resolveImage(ctx, source, signal);
        const { imageId, manifest, png, timings } = await markEntry(ctx, entry, options, signal);
        return { imageId, manifest, markedImage: `data:image/png;base64,${png.toString("base64")}`, timings };
      }, signal);
    } finally {
      ticket.release();
    }
  },
};
