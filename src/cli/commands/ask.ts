import { basename, extname } from "node:path";
import { type Command, Option } from "commander";
import type { RasterImage } from "../../image/raster.js";
import type { PromptTemplate, TaskName } from "../../prompts/templates.js";
import { addDetectorOption } from "../../proposers/builtin/detector-cli.js";
import type { Provider } from "../../providers/types.js";
import type { Region } from "../../regions/region.js";
import type { MarkStyle } from "../../tasks/render-regions.js";
import type { TaskOutput } from "../../tasks/task-input.js";
import type { ProviderFlags, RegionFlags } from "../../tasks/from-flags.js";
import { PROVIDER_NAMES } from "../defaults.js";
import { checkFlagOwners, selectedProposer } from "../flag-owners.js";
import {
  addDrawOptions,
  addRegionCountOptions,
  type MarkingCliFlags,
  parseNonNegativeInt,
  parseNumberIn,
  parsePositiveInt,
  parsePositiveNumber,
} from "../options.js";
import type { SetExit } from "./set-exit.js";

/** Flags shared by `som ask` and `som task …`. */
export interface AskCliOptions extends MarkingCliFlags, ProviderFlags, RegionFlags {
  out: string;
  json?: boolean;
  template?: string;
  groupSize?: number;
}

export function registerAsk(program: Command, setExit: SetExit): void {
  const cmd = program
    .command("ask")
    .description(
      "mark an image, ask a multimodal model a question about it; writes DIR/<stem>.answer.json and DIR/<stem>.answer.png (referenced regions highlighted)",
    )
    .argument("<image>", "input image")
    .argument("<question>", "the question, in plain words");
  addModelOptions(cmd);
  addMarkingOptions(cmd, { masks: true, labels: "numeric" }).action(
    async (image: string, question: string, opts: AskCliOptions, cmd: Command) => {
      checkFlagOwners(cmd, selectedProposer(opts, opts.masks));
      const ctx = await prepare(image, opts, "ask");
      const { runAsk } = await import("../../tasks/ask.js");
      const out = await runAsk({ ...ctx.input, question });
      await emit(out, ctx.stem, opts);
      if (out.json.referenced.length === 0 && !opts.quiet) {
        process.stderr.write("som: the answer names no mark\n");
      }
      void setExit;
    },
  );
}

/** Output flags, then --provider, --model, --base-url, cache, replay, timeouts… (add before the marking flags). */
export function addModelOptions(cmd: Command): Command {
  cmd
    .option("-o, --out <dir>", "output folder", ".")
    .option("--json", "print the answer JSON to stdout")
    .option("-q, --quiet", "no progress lines");
  return addProviderOptions(cmd);
}

/** --provider (plus `extra` choices such as eval's oracle), --model, --base-url, cache, replay, timeouts… */
export function addProviderOptions(
  cmd: Command,
  o: { extra?: readonly string[]; help?: string } = {},
): Command {
  return cmd
    .addOption(
      new Option(
        "--provider <name>",
        o.help ??
          "model backend, default openai (keys from OPENAI_API_KEY, ANTHROPIC_API_KEY, GOOGLE_GENERATIVE_AI_API_KEY, SOM_API_KEY)",
      ).choices([...PROVIDER_NAMES, ...(o.extra ?? [])]),
    )
    .option("-m, --model <name>", "model name (defaults: gpt-4o, claude-sonnet-4-5, gemini-2.5-flash)")
    .option(
      "--base-url <url>",
      "API base URL: OpenAI-compatible servers (Ollama, vLLM, LM Studio, OpenRouter), Azure, proxies",
    )
    .option("--no-cache", "always ask the model; do not read or write the response cache")
    .option("--cache-dir <dir>", "response cache folder (default $SOM_CACHE_DIR or ~/.cache/som/responses)")
    .option("--replay <file>", "answer offline from a recorded JSONL file (implies --provider replay)")
    .option("--record <file>", "append every answer to a JSONL file, for --replay later")
    .option("--timeout <s>", "seconds to wait for one answer (default 120)", parsePositiveNumber("--timeout"))
    .option(
      "--max-retries <n>",
      "retries on 429/5xx/network errors (default 3)",
      parseNonNegativeInt("--max-retries"),
    )
    .option("--temperature <t>", "sampling temperature", parseNumberIn("--temperature", 0, 2))
    .option("--max-tokens <n>", "longest answer, in tokens", parsePositiveInt("--max-tokens"))
    .option("--structured", "ask for JSON-schema structured output even from openai-compatible servers")
    .option("--no-structured", "never ask for structured output; parse the text answer")
    .option(
      "--template <file>",
      'prompt template: JSON {"system": "...", "prompt": "..."} or a text file (the user prompt)',
    );
}

/**
 * Where regions come from and how marks are drawn (as in `som mark`), plus --group-size. `masksFlag` names
 * the flag that gives regions from a file (`--masks`, added here when `masks` is set; track: `--candidates`).
 */
export function addMarkingOptions(
  cmd: Command,
  o: { masks: boolean; labels: "numeric" | "alpha"; masksFlag?: string },
): Command {
  const fromFile = o.masksFlag ?? (o.masks ? "--masks" : undefined);
  cmd
    .addOption(
      new Option(
        "-p, --proposer <name>",
        `where regions come from (default: ${fromFile ? `masks with ${fromFile}, else builtin` : "builtin"})`,
      ).choices(["builtin", "sam", "masks"]),
    )
    .option(
      "--sam-model <dir|name>",
      "SAM / SAM 2 / EdgeTAM model folder or registered name, for --proposer sam",
    );
  // The built-in proposer's detector (default auto): src/proposers/builtin/detector-cli.ts
  addDetectorOption(cmd);
  if (o.masks) {
    cmd
      .option(
        "--masks <file>",
        "regions from a file (COCO JSON, label PNG or panoptic PNG) instead of proposing them",
      )
      .option("--segments-info <file>", "COCO panoptic JSON for a --masks panoptic PNG");
  }
  addRegionCountOptions(cmd).option(
    "--group-size <k>",
    "at most K marks per request; dense images are split and the answers merged",
    parsePositiveInt("--group-size"),
  );
  return addDrawOptions(cmd, o.labels);
}

export interface Prepared {
  stem: string;
  input: {
    image: RasterImage;
    file: string;
    regions: Region[];
    provider: Provider;
    style: MarkStyle;
    groupSize?: number;
    template?: PromptTemplate;
    onProgress?: (m: string) => void;
  };
}

/** Load the image, its regions and the provider from the flags. */
export async function prepare(
  file: string,
  opts: AskCliOptions,
  task: TaskName,
  masksFlag = "--masks",
): Promise<Prepared> {
  const { providerFromCli, regionsFromCli } = await import("../../tasks/from-flags.js");
  const { loadTemplate } = await import("../../prompts/templates.js");
  const { loadImage } = await import("../../image/load.js");
  const provider = await providerFromCli(opts);
  const template = opts.template ? await loadTemplate(task, opts.template) : undefined;
  const image = await loadImage(file, { maxPixels: opts.maxPixels });
  const regions = await regionsFromCli(image, file, opts, masksFlag);
  const progress = opts.quiet ? undefined : (m: string) => process.stderr.write(`som: ${m}\n`);
  progress?.(`${file}: ${regions.length} marks; asking ${provider.name} (${provider.model})`);
  return {
    stem: basename(file, extname(file)),
    input: {
      image,
      file: basename(file),
      regions,
      provider,
      style: { labels: opts.labels, marks: opts.marks, alpha: opts.alpha, fontSize: opts.fontSize },
      groupSize: opts.groupSize,
      template,
      onProgress: progress,
    },
  };
}

/** Write the files, print the JSON (--json) or a one-line summary. */
export async function emit(
  out: TaskOutput,
  stem: string,
  opts: Pick<AskCliOptions, "out" | "json" | "quiet">,
): Promise<void> {
  const { writeTaskOutput } = await import("../../tasks/write-output.js");
  const paths = await writeTaskOutput(opts.out, stem, out);
  if (opts.json) process.stdout.write(`${JSON.stringify(out.json, null, 2)}\n`);
  if (!opts.quiet) {
    const ids = out.json.referenced.map((r) => r.label).join(", ");
    const unknown = out.json.unknown.length ? `; unknown ${out.json.unknown.join(", ")}` : "";
    const cached = out.json.cached ? " (cached)" : "";
    process.stderr.write(`som: marks [${ids}]${unknown}${cached} → ${paths.join(", ")}\n`);
  }
}
