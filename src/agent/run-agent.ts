import type { Provider } from "../providers/types.js";
import { fitImageSize } from "../providers/image-limits.js";
import { formatAction } from "./actions.js";
import { parseAction } from "./parse-action.js";
import { AGENT_SYSTEM, agentPrompt, type PastStep } from "./prompt.js";
import type { WebSession } from "./session.js";
import { type Trajectory, TrajectoryWriter } from "./trajectory.js";

export interface AgentRunOptions {
  session: WebSession;
  provider: Provider;
  task: string;
  /** Stop after this many steps without an answer (default 10). */
  maxSteps?: number;
  /** Trajectory folder (per-step files, trajectory.json, report.html); none written when absent. */
  out?: string;
  system?: string;
  onProgress?: (line: string) => void;
}

/** observe → ask the model for one action → execute, until it answers or the steps run out. */
export async function runAgent(o: AgentRunOptions): Promise<Trajectory> {
  const maxSteps = o.maxSteps ?? 10;
  const writer = o.out ? new TrajectoryWriter(o.out) : undefined;
  await writer?.init();
  const t: Trajectory = {
    task: o.task,
    startUrl: o.session.url(),
    provider: o.provider.name,
    model: o.provider.model,
    maxSteps,
    stop: "running",
    steps: [],
  };
  const past: PastStep[] = [];
  for (let step = 1; step <= maxSteps; step++) {
    const started = Date.now();
    const url = o.session.url();
    const marking = await o.session.observe();
    const image = await fitForProvider(marking.png, o.provider);
    const reply = await o.provider.complete({
      system: o.system ?? AGENT_SYSTEM,
      prompt: agentPrompt(o.task, url, marking.text, past),
      image,
    });
    const parsed = parseAction(reply.text, new Set(marking.marks.map((m) => m.id)));
    const action = parsed.action;
    const result = action
      ? await o.session.act(action)
      : { ok: false, message: `no action: ${parsed.error ?? "unparsed"}` };
    const files = writer
      ? await writer.writeStepFiles(step, { png: marking.png, elements: marking.text, answer: reply.text })
      : { screenshot: "", elements: "", answer: "" };
    const line = action ? formatAction(action) : undefined;
    t.steps.push({
      step,
      url,
      marks: marking.marks.length,
      answer: reply.text,
      action: line,
      result: result.message,
      ok: result.ok,
      cached: reply.cached || undefined,
      ms: Date.now() - started,
      files,
    });
    past.push({ action: line ?? JSON.stringify(reply.text.slice(0, 80)), result: result.message });
    o.onProgress?.(`step ${step}: ${line ?? "(no action)"} → ${result.message}`);
    if (action?.kind === "answer") {
      t.stop = "answer";
      t.answer = action.text;
    }
    t.finalUrl = o.session.url();
    if (t.stop === "answer") break;
    if (step === maxSteps) t.stop = "max-steps";
    await writer?.writeSummary(t);
  }
  await writer?.writeSummary(t);
  return t;
}

/** The screenshot within the provider's image limits (so it does not downscale it, and the labels, itself). */
async function fitForProvider(png: Uint8Array, provider: Provider): Promise<Uint8Array> {
  const { default: sharp } = await import("sharp");
  const meta = await sharp(png).metadata();
  if (!meta.width || !meta.height) return png;
  const fit = fitImageSize(meta.width, meta.height, provider.imageLimits);
  if (fit.scale >= 1) return png;
  return sharp(png).resize(fit.width, fit.height, { kernel: "lanczos3" }).png().toBuffer();
}
