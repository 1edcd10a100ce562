import { markEntry } from "../mark-service.js";
import { segmentEntry } from "../segment-service.js";
import type { ComputeContext } from "./context.js";
import type {
  ComputeJob,
  ImageJobResult,
  MarkJobResult,
  SegmentJobResult,
  WorkerImageSource,
} from "./protocol.js";

function resolve(ctx: ComputeContext, source: WorkerImageSource) {
  return "imageId" in source ? Promise.resolve(ctx.images.get(source.imageId)) : ctx.images.put(source.bytes);
}

/** Run one job in a compute worker (or anywhere a ComputeContext lives). */
export async function handleJob(
  ctx: ComputeContext,
  job: ComputeJob,
): Promise<MarkJobResult | SegmentJobResult | ImageJobResult> {
  const entry = await resolve(ctx, job.source);
  switch (job.op) {
    case "mark": {
      const m = await markEntry(ctx, entry, job.options);
      const out: MarkJobResult = { imageId: m.imageId, manifest: m.manifest, png: m.png, timings: m.timings };
      return job.detail ? { ...out, image: entry.image, regions: m.regions } : out;
    }
    case "segment": {
      const { method, regions } = await segmentEntry(ctx, entry, job.request);
      ctx.images.trim();
      return { imageId: entry.id, method, regions };
    }
    case "image":
      return { imageId: entry.id, image: entry.image };
  }
}
