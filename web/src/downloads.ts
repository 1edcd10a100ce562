import type { RunsById } from "./overlay";
import type { Manifest } from "./types";

/** Save a Blob under a file name (an <a download> click). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Save a base64 data: URL (decoded here: the app's CSP does not let fetch() read data: URLs). */
export function saveDataUrl(dataUrl: string, name: string): void {
  const comma = dataUrl.indexOf(",");
  const type = /^data:([^;,]+)/.exec(dataUrl)?.[1] ?? "application/octet-stream";
  const bin = atob(dataUrl.slice(comma + 1));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  saveBlob(new Blob([bytes], { type }), name);
}

export function saveManifest(manifest: Manifest, name: string): void {
  saveBlob(new Blob([`${JSON.stringify(manifest, null, 2)}\n`], { type: "application/json" }), name);
}

/** The selected marks as a manifest of their own (COCO RLE masks, readable by pycocotools). */
export function selectedManifest(manifest: Manifest, ids: ReadonlySet<number>): Manifest {
  return { ...manifest, marks: manifest.marks.filter((m) => ids.has(m.id)) };
}

/** The union of the selected masks as a black/white PNG at the image's size. */
export async function selectionPng(
  manifest: Manifest,
  runs: RunsById,
  ids: ReadonlySet<number>,
): Promise<Blob> {
  const { width, height } = manifest.image;
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d")!;
  const img = ctx.createImageData(width, height);
  for (let k = 3; k < img.data.length; k += 4) img.data[k] = 255;
  for (const id of ids) {
    const r = runs.get(id);
    if (!r) continue;
    for (let j = 0; j < r.starts.length; j++) {
      for (let i = r.starts[j]; i < r.ends[j]; i++) {
        const o = ((i % r.height) * width + Math.floor(i / r.height)) * 4;
        img.data[o] = img.data[o + 1] = img.data[o + 2] = 255;
      }
    }
  }
  ctx.putImageData(img, 0, 0);
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("PNG encoding failed"))), "image/png"),
  );
}
