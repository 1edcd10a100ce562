import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as the fake server received it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when empty or not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect JSON bodies of any shape
  body: any;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless it is a string. */
  body?: unknown;
  /** Wait this long before answering (to exercise timeouts). */
  delayMs?: number;
}

export interface FakeServer {
  /** http://127.0.0.1:PORT */
  origin: string;
  requests: SeenRequest[];
  /** Replies served, in order, before `handle` is consulted (429s, 5xx…). */
  queue: Reply[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 at a random port that records every request and answers through `handle`. */
export async function startFakeServer(
  handle: (req: SeenRequest) => Reply | Promise<Reply>,
): Promise<FakeServer> {
  const requests: SeenRequest[] = [];
  const queue: Reply[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      const seen: SeenRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      };
      requests.push(seen);
      let reply: Reply;
      try {
        reply = queue.shift() ?? (await handle(seen));
      } catch (err) {
        // A malformed request: answer 400 the way the APIs do, naming what was wrong.
        reply = {
          status: 400,
          body: { error: { message: (err as Error).message, type: "invalid_request_error" } },
        };
      }
      const send = () => {
        if (res.destroyed) return;
        const payload = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? {});
        res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
        res.end(payload);
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    queue,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a fake "model" sees of a request: the prompt text, the system prompt and the image bytes. */
export interface ModelInput {
  system: string;
  prompt: string;
  /** The first image. */
  image: Buffer;
  /** Every image, in the order sent. */
  images: Buffer[];
  model: string;
  /** JSON schema when structured output was requested. */
  schema?: unknown;
}

export type FakeModel = (input: ModelInput) => string | { refusal: string };

/** Options every fake provider server takes. */
export interface FakeProviderOptions {
  /** The key the server accepts; any request is accepted when unset. */
  apiKey?: string;
  /** Model ids the server knows; others get the API's own "model not found" error. */
  models?: string[];
  model: FakeModel;
}
