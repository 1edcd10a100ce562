import { type Command, InvalidArgumentError, Option } from "commander";
import { DETECTOR_CHOICES, type DetectorChoice } from "../../proposers/builtin/detector-model.js";
import type { ProviderConfig } from "../../providers/index.js";
import { PROVIDER_NAMES } from "../defaults.js";
import { DEFAULT_SERVE_OPTIONS, type ServeOptions } from "../../server/options.js";
import { UserError } from "../../errors.js";
import { parseNumberIn, parsePositiveInt, parsePositiveNumber } from "../options.js";
import type { SetExit } from "./set-exit.js";

interface ServeCliOptions {
  host: string;
  port: number;
  token?: string;
  maxBody: number;
  maxPixels: number;
  concurrency: number;
  queue: number;
  timeout: number;
  cacheMb?: number;
  allowUrlFetch?: boolean;
  provider?: string;
  model?: string;
  baseUrl?: string;
  cache: boolean;
  cacheDir?: string;
  replay?: string;
  modelTimeout?: number;
  temperature?: number;
  maxTokens?: number;
  structured?: boolean;
  samModel?: string;
  detector?: DetectorChoice;
  quiet?: boolean;
}

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("--port must be 0..65535");
  return n;
};

export function registerServe(program: Command, _setExit: SetExit): void {
  program
    .command("serve")
    .description("the web app and the HTTP API on one port (API documented at /openapi.json)")
    .option(
      "--host <host>",
      "address to listen on; anything but loopback needs --token",
      DEFAULT_SERVE_OPTIONS.host,
    )
    .option("--port <n>", "port (0 = any free port)", port, DEFAULT_SERVE_OPTIONS.port)
    .option("--token <token>", "require Authorization: Bearer <token> on the API (default $SOM_API_TOKEN)")
    .option(
      "--max-body <MB>",
      "largest request body",
      parsePositiveNumber("--max-body"),
      DEFAULT_SERVE_OPTIONS.maxBodyBytes / 2 ** 20,
    )
    .option(
      "--max-pixels <n>",
      "largest image, in pixels",
      parsePositiveInt("--max-pixels"),
      DEFAULT_SERVE_OPTIONS.maxPixels,
    )
    .option(
      "--concurrency <n>",
      "marking jobs at once (one worker thread each; default: 2, or 1 on one core)",
      parsePositiveInt("--concurrency"),
      DEFAULT_SERVE_OPTIONS.concurrency,
    )
    .option(
      "--queue <n>",
      "jobs waiting before 429",
      parsePositiveInt("--queue"),
      DEFAULT_SERVE_OPTIONS.queue,
    )
    .option(
      "--timeout <s>",
      "request deadline, queueing included",
      parsePositiveNumber("--timeout"),
      DEFAULT_SERVE_OPTIONS.timeoutMs / 1000,
    )
    .option(
      "--cache-mb <MB>",
      "memory for cached images, hierarchies and results (default 256)",
      parsePositiveNumber("--cache-mb"),
    )
    .option("--allow-url-fetch", "accept imageUrl (http/https to public addresses only)")
    .option(
      "--sam-model <dir>",
      "SAM / SAM 2 / EdgeTAM model folder or registered name, for SAM marks and prompts",
    )
    .addOption(
      new Option(
        "--detector <name>",
        "built-in marks: the COCO detector that guides the hierarchy and seeds object regions (default: centernet when its optional packages are installed, else none with a warning; none = weight-free; see docs/builtin-proposer.md)",
      ).choices([...DETECTOR_CHOICES]),
    )
    .addOption(
      new Option(
        "--provider <name>",
        "model for chat and tasks (keys from OPENAI_API_KEY, ANTHROPIC_API_KEY, GOOGLE_GENERATIVE_AI_API_KEY, SOM_API_KEY)",
      ).choices([...PROVIDER_NAMES]),
    )
    .option("-m, --model <name>", "model name")
    .option("--base-url <url>", "API base URL for OpenAI-compatible servers, Azure, proxies")
    .option("--no-cache", "do not read or write the response cache")
    .option("--cache-dir <dir>", "response cache folder")
    .option("--replay <file>", "answer from a recorded JSONL file (implies --provider replay)")
    .option(
      "--model-timeout <s>",
      "seconds to wait for one model answer",
      parsePositiveNumber("--model-timeout"),
    )
    .option("--temperature <t>", "sampling temperature", parseNumberIn("--temperature", 0, 2))
    .option("--max-tokens <n>", "longest answer, in tokens", parsePositiveInt("--max-tokens"))
    .option("--structured", "ask for structured output even from openai-compatible servers")
    .option("--no-structured", "never ask for structured output")
    .option("-q, --quiet", "no request log")
    .action(async (opts: ServeCliOptions) => {
      const options = serveOptionsFromCli(opts, process.env);
      const { startSomServer } = await import("../../server/index.js");
      let server: Awaited<ReturnType<typeof startSomServer>>;
      try {
        server = await startSomServer(options);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === "EADDRINUSE")
          throw new UserError(`port ${opts.port} is in use on ${opts.host}; pick another with --port`);
        if (e.code === "EACCES") throw new UserError(`no permission to listen on ${opts.host}:${opts.port}`);
        throw new UserError(e.message);
      }
      const model = options.provider
        ? `; model ${options.provider.provider ?? "openai"} ${options.provider.model ?? ""}`.trimEnd()
        : "; no model (chat off: --provider/--model)";
      process.stderr.write(
        `som serve: ${server.url}/ (API docs ${server.url}/openapi.json)${options.token ? "; API token required" : ""}${model}\n`,
      );
      // Serve until interrupted.
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.stderr.write("som serve: stopping\n");
          void server.close().then(resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}

/** Command-line flags → server options; the token may come from SOM_API_TOKEN. */
export function serveOptionsFromCli(
  opts: ServeCliOptions,
  env: Readonly<Record<string, string | undefined>>,
): ServeOptions {
  const token = opts.token ?? (env.SOM_API_TOKEN?.trim() || undefined);
  let provider: ProviderConfig | undefined;
  if (opts.provider || opts.model || opts.replay || opts.baseUrl) {
    provider = {
      provider: opts.replay ? "replay" : opts.provider,
      model: opts.model,
      baseURL: opts.baseUrl,
      cache: opts.cache,
      cacheDir: opts.cacheDir,
      replayFile: opts.replay,
      timeoutMs: opts.modelTimeout != null ? opts.modelTimeout * 1000 : undefined,
      temperature: opts.temperature,
      maxOutputTokens: opts.maxTokens,
      structuredOutput: opts.structured,
    };
  }
  const options: ServeOptions = {
    ...DEFAULT_SERVE_OPTIONS,
    host: opts.host,
    port: opts.port,
    token,
    maxBodyBytes: Math.round(opts.maxBody * 2 ** 20),
    maxPixels: opts.maxPixels,
    cacheBytes:
      opts.cacheMb !== undefined ? Math.round(opts.cacheMb * 2 ** 20) : DEFAULT_SERVE_OPTIONS.cacheBytes,
    concurrency: opts.concurrency,
    queue: opts.queue,
    timeoutMs: Math.round(opts.timeout * 1000),
    allowUrlFetch: opts.allowUrlFetch === true,
    provider,
    samModel: opts.samModel,
    detector: opts.detector,
    log: opts.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  };
  return options;
}
