import { z } from "zod";
import { UserError } from "../errors.js";
import { ProviderError } from "../providers/errors.js";

/** An API failure with its HTTP status; the body is always `{error: {code, message}}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

/** UserError codes from the pipeline → HTTP status. */
const USER_ERROR_STATUS: Record<string, number> = {
  too_large: 413,
  bad_image: 400,
  no_regions: 422,
  not_found: 404,
};

/** Provider failures are the upstream model's fault (502/504) or the server's configuration (503). */
const PROVIDER_STATUS: Record<string, number> = {
  no_key: 503,
  auth: 502,
  forbidden: 502,
  model_not_found: 502,
  rate_limited: 503,
  server_error: 502,
  bad_request: 502,
  connection: 502,
  timeout: 504,
  refusal: 422,
  empty_answer: 502,
  replay_miss: 502,
};

/** Turn anything thrown while handling a request into an HttpError; unknown errors become a bare 500. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof z.ZodError) return new HttpError(400, "invalid_request", describeZodError(err));
  if (err instanceof ProviderError) {
    return new HttpError(PROVIDER_STATUS[err.reason] ?? 502, `provider_${err.reason}`, err.message);
  }
  if (err instanceof UserError) {
    if (err.code === "bad_image" && /not an image|unsupported image format/.test(err.message)) {
      return new HttpError(415, "unsupported_image", err.message);
    }
    return new HttpError(USER_ERROR_STATUS[err.code] ?? 400, err.code, err.message);
  }
  if (err instanceof RangeError) return new HttpError(400, "invalid_request", err.message);
  if ((err as Error)?.name === "AbortError") return new HttpError(503, "timeout", "the request timed out");
  return new HttpError(500, "internal", "internal server error");
}

/** One line naming each bad field: `options.granularity: Too big: expected number to be <=1`. */
export function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}

export function errorBody(err: HttpError): ErrorBody {
  return { error: { code: err.code, message: err.message } };
}
