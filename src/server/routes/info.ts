import { basename } from "node:path";
import { buildOpenApi } from "../openapi.js";
import type { Route } from "./types.js";

export const VERSION = "0.1.0";

export const healthRoute: Route = {
  method: "GET",
  path: "/healthz",
  auth: false,
  async handler({ ctx }) {
    const { running: cr, waiting: cw } = ctx.compute.stats;
    const { running: mr, waiting: mw } = ctx.model.stats;
    return {
      status: "ok",
      version: VERSION,
      uptimeS: Math.round((Date.now() - ctx.started) / 1000),
      jobs: { mark: { running: cr, waiting: cw }, model: { running: mr, waiting: mw } },
      workers: { size: ctx.pool.size, restarts: ctx.pool.restarts },
      tokenRequired: Boolean(ctx.options.token),
    };
  },
};

/** GET /v1/models: what this server can do. Names only: never keys, base URLs or file paths. */
export const modelsRoute: Route = {
  method: "GET",
  path: "/v1/models",
  auth: true,
  async handler({ ctx }) {
    const o = ctx.options;
    const provider = o.provider
      ? { name: o.provider.provider ?? "openai", model: o.provider.model ?? "(provider default)" }
      : null;
    return {
      proposers: [
        { name: "builtin", detector: ctx.detector ?? "none" },
        ...(o.samModel ? [{ name: "sam", model: basename(o.samModel) }] : []),
      ],
      provider,
      tasks: o.provider ? await availableTasks() : [],
      limits: {
        maxBodyBytes: o.maxBodyBytes,
        maxPixels: o.maxPixels,
        timeoutMs: o.timeoutMs,
        urlFetch: o.allowUrlFetch,
      },
    };
  },
};

async function availableTasks(): Promise<string[]> {
  const { TASK_ROUTE_NAMES } = await import("./tasks.js");
  return [...TASK_ROUTE_NAMES];
}

let openApiCache: unknown;
export const openApiRoute: Route = {
  method: "GET",
  path: "/openapi.json",
  auth: false,
  async handler() {
    openApiCache ??= buildOpenApi();
    return openApiCache;
  },
};
