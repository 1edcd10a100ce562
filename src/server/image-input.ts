import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import { readBody } from "./body.js";
import { HttpError } from "./errors.js";
import type { ServeOptions } from "./options.js";

/** Where a request's image comes from; decoded (or looked up) by a compute worker inside the job slot. */
export type ImageSource = { bytes: Uint8Array } | { imageId: string } | { imageUrl: string };

/** Multipart fields holding JSON (the rest are plain strings). */
const JSON_FIELDS = new Set(["options", "points", "boxes", "scribbles", "input"]);

/**
 * Read and validate a request that names an image: `multipart/form-data` (file part `image`, JSON in
 * `options`…) or `application/json` (`image` as a data URL or base64, or `imageId`, or `imageUrl`). Of the server context only its options are read.
 */
export async function readImageRequest<S extends z.ZodType>(
  req: IncomingMessage,
  ctx: { readonly options: Pick<ServeOptions, "maxBodyBytes" | "allowUrlFetch"> },
  schema: S,
  signal?: AbortSignal,
): Promise<{ body: z.output<S>; source: ImageSource }> {
  const type = String(req.headers["content-type"] ?? "").toLowerCase();
  const isMultipart = type.startsWith("multipart/form-data");
  if (!isMultipart && !type.startsWith("application/json")) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      "send multipart/form-data (an `image` file part) or application/json",
    );
  }
  const raw = await readBody(req, ctx.options.maxBodyBytes, signal);
  let fields: Record<string, unknown>;
  let file: Uint8Array | undefined;
  if (isMultipart) {
    ({ fields, file } = await parseMultipart(raw, String(req.headers["content-type"])));
  } else {
    fields = parseJsonObject(raw.toString("utf8"), "request body");
  }
  // A file part stands in for the JSON `image` string, so the one-image-source rule sees it.
  const body = schema.parse(file ? { ...fields, image: "" } : fields) as z.output<S> & {
    image?: string;
    imageId?: string;
    imageUrl?: string;
  };
  let source: ImageSource;
  if (file) source = { bytes: file };
  else if (body.image !== undefined) source = { bytes: decodeBase64Image(body.image) };
  else if (body.imageId !== undefined) source = { imageId: body.imageId };
  else {
    if (!ctx.options.allowUrlFetch) {
      throw new HttpError(
        400,
        "url_fetch_disabled",
        "fetching images by URL is off on this server (start it with --allow-url-fetch)",
      );
    }
    source = { imageUrl: body.imageUrl as string };
  }
  return { body, source };
}

async function parseMultipart(
  raw: Buffer,
  contentType: string,
): Promise<{ fields: Record<string, unknown>; file?: Uint8Array }> {
  let form: FormData;
  try {
    form = await new Response(raw as unknown as BodyInit, {
      headers: { "content-type": contentType },
    }).formData();
  } catch {
    throw new HttpError(400, "bad_multipart", "the multipart/form-data body could not be parsed");
  }
  const fields: Record<string, unknown> = {};
  let file: Uint8Array | undefined;
  const parts: Array<[string, FormDataEntryValue]> = [];
  form.forEach((value, name) => {
    parts.push([name, value]);
  });
  for (const [name, value] of parts) {
    if (typeof value !== "string") {
      const bytes = new Uint8Array(await value.arrayBuffer());
      if (name === "image") file = bytes;
      // A second image (track's first frame) travels on as base64, like in a JSON body.
      else if (name === "frame1") fields.frame1 = Buffer.from(bytes).toString("base64");
      else throw new HttpError(400, "invalid_request", `unexpected file part "${name}"`);
    } else if (JSON_FIELDS.has(name)) {
      fields[name] = parseJson(value, `field ${name}`);
    } else {
      fields[name] = value;
    }
  }
  return { fields, file };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, "bad_json", `${what} is not valid JSON (${(err as Error).message})`);
  }
}

export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  const v = parseJson(text, what);
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new HttpError(400, "bad_json", `${what} must be a JSON object`);
  }
  return v as Record<string, unknown>;
}

/** `data:image/...;base64,XXXX` or bare base64 → bytes; anything else is a 400. */
export function decodeBase64Image(s: string): Uint8Array {
  const m = /^data:([^;,]*)(;base64)?,/i.exec(s);
  if (m && !m[2]) throw new HttpError(400, "invalid_request", "image data URL must be base64-encoded");
  const b64 = (m ? s.slice(m[0].length) : s).replace(/\s+/g, "");
  if (b64.length === 0 || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64)) {
    throw new HttpError(400, "invalid_request", "image must be a data: URL or base64 text");
  }
  return Buffer.from(b64, "base64");
}
