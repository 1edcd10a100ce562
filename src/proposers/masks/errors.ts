import { UserError } from "../../errors.js";

/** A one-line error about a masks file: "FILE: cause". */
export function maskFileError(file: string, cause: string): UserError {
  return new UserError(`${file}: ${cause}`, "bad_masks");
}

export function sizeMismatch(
  file: string,
  w: number,
  h: number,
  image: { width: number; height: number },
): UserError {
  return maskFileError(
    file,
    `masks are ${w}x${h} but the image is ${image.width}x${image.height} (masks are never resized)`,
  );
}
