import type { MarkJobResult } from "../compute/protocol.js";
import { readImageRequest } from "../image-input.js";
import { MarkOptionsSchema, MarkRequestSchema } from "../schemas.js";
import type { Route } from "./types.js";

/** A marked PNG as the data URL clients receive. */
export const pngDataUrl = (png: Uint8Array) =>
  `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString("base64")}`;

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
      const { imageId, manifest, png, timings }: MarkJobResult = await ticket.run(
        () => ctx.runOnImage(source, (s) => ({ op: "mark", source: s, options, detail: false }), signal),
        signal,
      );
      return { imageId, manifest, markedImage: pngDataUrl(png), timings };
    } finally {
      ticket.release();
    }
  },
};
