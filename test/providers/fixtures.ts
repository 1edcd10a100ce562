import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { expect } from "vitest";
import { ProviderError } from "../../src/providers/errors.js";

/** COCO val2017 photos shipped beside the repo (../shared/datasets). */
export const COCO_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../../shared/datasets/coco-panoptic-val2017",
);

/** A real photo as PNG bytes, small enough to keep the tests fast. */
export async function photoPng(name = "000000000139.jpg", width = 320): Promise<Uint8Array> {
  const file = join(COCO_DIR, "images", name);
  if (!existsSync(file)) throw new Error(`test data missing: ${file} (see /work/shared/datasets/README.md)`);
  return new Uint8Array(await sharp(file).resize({ width }).png().toBuffer());
}

/** The ProviderError a request fails with (the test fails if it succeeds or throws anything else). */
export async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}
