import type { IncomingMessage } from "node:http";
import type { ServerContext } from "../context.js";

export interface RouteRequest {
  req: IncomingMessage;
  ctx: ServerContext;
  /** Aborted when the request deadline passes or the client goes away. */
  signal: AbortSignal;
  params: Record<string, string>;
}

/** A JSON endpoint: resolves to the 200 body, or throws (HttpError, UserError, ZodError…). */
export type Handler = (r: RouteRequest) => Promise<unknown>;

export interface Route {
  method: "GET" | "POST";
  /** Exact path, or a pattern with `:name` segments. */
  path: string;
  /** Requires the bearer token when the server has one. */
  auth: boolean;
  handler: Handler;
}
