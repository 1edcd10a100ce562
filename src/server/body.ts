import type { IncomingMessage } from "node:http";
import { HttpError } from "./errors.js";

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

/** Read a request body, refusing (413) as soon as it passes `limit` bytes, before buffering the rest. */
export async function readBody(req: IncomingMessage, limit: number, signal?: AbortSignal): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, "body_too_large", `request body is larger than the limit of ${formatBytes(limit)}`);
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise<Buffer>((resolve, reject) => {
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      signal?.removeEventListener("abort", onAbort);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Stop reading: the rest of the upload is not buffered. The response closes the connection.
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new HttpError(400, "bad_body", `could not read the request body (${err.message})`));
    };
    const onAbort = () => {
      cleanup();
      reject(signal?.reason);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
