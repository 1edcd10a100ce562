import { readFileSync } from "node:fs";
import sharp from "sharp";
import { type ServeOptions, type SomServer, startSomServer } from "../../src/server/index.js";
import { cocoImage } from "../helpers/datasets.js";

export const PHOTO = "000000000139";

/** The bytes of a real COCO photo (640×426). */
export function photoBytes(stem = PHOTO): Buffer {
  return readFileSync(cocoImage(stem));
}

/** A server on a free loopback port that records its log lines. */
export async function startTestServer(
  options: Partial<ServeOptions> = {},
): Promise<SomServer & { logs: string[] }> {
  const logs: string[] = [];
  const server = await startSomServer({ port: 0, log: (l) => logs.push(l), ...options });
  return Object.assign(server, { logs });
}

/** POST multipart: a file part `image` and the other fields (objects JSON-encoded). */
export function postImage(
  url: string,
  image: Uint8Array | undefined,
  fields: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  if (image) form.append("image", new Blob([new Uint8Array(image)]), "photo.jpg");
  for (const [k, v] of Object.entries(fields)) form.append(k, typeof v === "string" ? v : JSON.stringify(v));
  return fetch(url, { method: "POST", body: form, headers });
}

export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A parsed JSON body (tests check shapes at run time). */
// biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies of any shape
export type Json = any;

/** Status and parsed body; error bodies must have the `{error: {code, message}}` shape. */
export async function result(res: Response): Promise<{ status: number; body: Json }> {
  const body = await res.json();
  if (res.status >= 400) {
    if (typeof body?.error?.code !== "string" || typeof body?.error?.message !== "string") {
      throw new Error(`error body without {error:{code,message}}: ${JSON.stringify(body)}`);
    }
  }
  return { status: res.status, body };
}

/** Decode a data:image/png URL and report its size. */
export async function pngSize(dataUrl: string): Promise<{ width: number; height: number; format: string }> {
  const m = /^data:image\/png;base64,(.+)$/.exec(dataUrl);
  if (!m) throw new Error("not a PNG data URL");
  const meta = await sharp(Buffer.from(m[1], "base64")).metadata();
  return { width: meta.width ?? 0, height: meta.height ?? 0, format: meta.format ?? "" };
}
