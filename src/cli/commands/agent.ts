import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Command } from "commander";
import { UserError } from "../../errors.js";
import type { ProviderFlags } from "../../tasks/from-flags.js";
import { parsePositiveInt, parsePositiveNumber } from "../options.js";
import { addProviderOptions } from "./ask.js";
import type { SetExit } from "./set-exit.js";

interface AgentCliOptions extends ProviderFlags {
  out: string;
  maxSteps: number;
  allowOrigin?: string[];
  viewport: string;
  deviceScaleFactor: number;
  setup?: string;
  maxMarks?: number;
  json?: boolean;
}

export function registerAgent(program: Command, setExit: SetExit): void {
  const cmd = program
    .command("agent")
    .description(
      'drive a web page with a multimodal model: each step marks the page (as som web), asks for one action (click [n], type [n] "…", select, check, hover, press, scroll, back, answer) and carries it out; writes a trajectory folder with report.html',
    )
    .argument("<url>", "start page: a URL or an HTML file")
    .argument("<task>", "what to do, in plain words");
  addProviderOptions(cmd)
    .option(
      "-o, --out <dir>",
      "trajectory folder: step-NN.png / .elements.txt / .answer.txt, trajectory.json, report.html",
      "som-agent",
    )
    .option("--max-steps <n>", "stop after N steps without an answer", parsePositiveInt("--max-steps"), 10)
    .option(
      "--allow-origin <origin...>",
      "origins navigation may reach (default: the start URL's origin; * for any); others are blocked and reported",
    )
    .option("--viewport <WxH>", "browser viewport, CSS pixels", "1280x800")
    .option(
      "--device-scale-factor <k>",
      "device pixels per CSS pixel",
      parsePositiveNumber("--device-scale-factor"),
      1,
    )
    .option("--setup <file.js>", "JavaScript run in the page after the first load, before the first step")
    .option("--max-marks <n>", "at most N marks per step", parsePositiveInt("--max-marks"))
    .option("--json", "print trajectory.json to stdout")
    .option("-q, --quiet", "no progress lines")
    .action(async (url: string, task: string, opts: AgentCliOptions) => {
      const start = startUrl(url);
      const viewport = parseViewport(opts.viewport);
      const setup = opts.setup ? await readFile(opts.setup, "utf8") : undefined;
      const { providerFromCli } = await import("../../tasks/from-flags.js");
      const provider = await providerFromCli(opts);
      const [{ WebSession }, { runAgent }, { createWebMarker }, { launchChromium }] = await Promise.all([
        import("../../agent/session.js"),
        import("../../agent/run-agent.js"),
        import("../../agent/web-marker.js"),
        import("../../browser/launch.js"),
      ]);
      const progress = opts.quiet ? undefined : (m: string) => process.stderr.write(`som: ${m}\n`);
      const { marker, prepareContext } = await createWebMarker({ maxMarks: opts.maxMarks });
      const session = await WebSession.open(start, {
        marker,
        prepareContext,
        setup,
        viewport,
        deviceScaleFactor: opts.deviceScaleFactor,
        allowOrigins: opts.allowOrigin,
        launch: () => launchChromium(),
      });
      try {
        progress?.(`${start}: asking ${provider.name} (${provider.model}), at most ${opts.maxSteps} steps`);
        const t = await runAgent({
          session,
          provider,
          task,
          maxSteps: opts.maxSteps,
          out: opts.out,
          onProgress: progress,
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(t, null, 2)}\n`);
        progress?.(
          t.stop === "answer"
            ? `answered after ${t.steps.length} steps: ${JSON.stringify(t.answer)} → ${opts.out}/report.html`
            : `no answer after ${t.steps.length} steps → ${opts.out}/report.html`,
        );
        if (t.stop !== "answer") setExit(1);
      } finally {
        await session.close();
      }
    });
}

/** A URL as given, or an existing file as a file:// URL. */
function startUrl(arg: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg) || arg.startsWith("about:") || arg.startsWith("data:")) return arg;
  if (existsSync(arg)) return pathToFileURL(resolve(arg)).href;
  throw new UserError(`${arg}: not a URL and no such file`);
}

function parseViewport(v: string): { width: number; height: number } {
  const m = /^(\d{2,5})x(\d{2,5})$/.exec(v.trim());
  if (!m) throw new UserError(`--viewport takes WIDTHxHEIGHT in CSS pixels (e.g. 1280x800), got "${v}"`);
  return { width: Number(m[1]), height: Number(m[2]) };
}
