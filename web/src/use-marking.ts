import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, postImage, postJson } from "./api";
import type { MarkOptions, MarkResponse } from "./types";

export interface LoadedImage {
  blob: Blob;
  name: string;
  /** Content hash the server gave it (reused so slider moves do not upload again). */
  imageId?: string;
}

export interface MarkingState {
  result: MarkResponse | null;
  /** What is running, for the busy indicator; null when idle. */
  busy: string | null;
  error: ApiError | null;
  /** Round-trip time of the last marking request, ms. */
  lastMs: number | null;
  /** Options the shown result was made with. */
  shownOptions: MarkOptions | null;
}

/**
 * Marking requests with "latest wins": while one request runs, further changes (slider drags) replace a
 * single pending request instead of queueing, so the server never gets a backlog and the picture always
 * catches up with the controls.
 */
const IDLE: MarkingState = { result: null, busy: null, error: null, lastMs: null, shownOptions: null };
/** The state of a just-opened image: its first marking is on its way (maybe behind the previous image's). */
const opened = (image: LoadedImage | null) => ({ ...IDLE, image, busy: image ? "Finding regions…" : null });

export function useMarking(image: LoadedImage | null, options: MarkOptions, onUnauthorized: () => void) {
  // The state belongs to one image; a newly opened image shows nothing of the previous one's result.
  const [state, setState] = useState<MarkingState & { image: LoadedImage | null }>(opened(image));
  const pending = useRef<{ image: LoadedImage; options: MarkOptions } | null>(null);
  const running = useRef(false);
  const imageRef = useRef(image);
  imageRef.current = image;

  const pump = useCallback(async () => {
    if (running.current || !pending.current) return;
    const job = pending.current;
    pending.current = null;
    running.current = true;
    const first = !job.image.imageId;
    setState((s) => ({ ...s, busy: first ? "Finding regions…" : "Updating marks…", error: null }));
    const t0 = performance.now();
    try {
      let res: MarkResponse;
      try {
        if (!job.image.imageId) throw new ApiError(404, "image_not_found", "");
        res = await postJson<MarkResponse>("/v1/mark", { imageId: job.image.imageId, options: job.options });
      } catch (err) {
        // The server forgot the image (restart, cache full): upload it again.
        if (!(err instanceof ApiError && err.code === "image_not_found")) throw err;
        res = await postImage<MarkResponse>("/v1/mark", job.image.blob, { options: job.options });
      }
      job.image.imageId = res.imageId;
      if (imageRef.current === job.image) {
        setState((s) => ({
          ...s,
          result: res,
          lastMs: Math.round(performance.now() - t0),
          shownOptions: job.options,
        }));
      }
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, "error", String(err));
      if (e.status === 401) onUnauthorized();
      if (imageRef.current === job.image) setState((s) => ({ ...s, error: e }));
    } finally {
      running.current = false;
      if (pending.current) void pump();
      else setState((s) => ({ ...s, busy: null }));
    }
  }, [onUnauthorized]);

  useEffect(() => {
    setState((s) => (s.image === image ? s : opened(image)));
    if (!image) return;
    pending.current = { image, options };
    void pump();
  }, [image, options, pump]);

  const clearError = useCallback(() => setState((s) => ({ ...s, error: null })), []);
  const retry = useCallback(() => {
    if (imageRef.current) {
      pending.current = { image: imageRef.current, options };
      void pump();
    }
  }, [options, pump]);
  // Between opening an image and the effect above, the old image's state must not show (its marks, its
  // manifest under the new file name).
  const current: MarkingState = state.image === image ? state : opened(image);
  return { ...current, clearError, retry };
}
