import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.js";
import { agentReportHtml } from "./report-html.js";

/** One step as recorded in trajectory.json; files are relative to the trajectory folder. */
export interface TrajectoryStep {
  step: number;
  url: string;
  marks: number;
  /** The model's answer, verbatim. */
  answer: string;
  /** The action parsed from it, canonical form; absent when none could be parsed. */
  action?: string;
  /** What happened: the executor's message, or why the answer gave no action. */
  result: string;
  ok: boolean;
  cached?: boolean;
  ms: number;
  files: { screenshot: string; elements: string; answer: string };
}

export interface Trajectory {
  task: string;
  startUrl: string;
  provider: string;
  model: string;
  maxSteps: number;
  /** "answer": the model answered; "max-steps": it ran out of steps; "running" while in progress. */
  stop: "answer" | "max-steps" | "running";
  answer?: string;
  finalUrl?: string;
  steps: TrajectoryStep[];
}

/** Writes a run as it goes: per step the marked screenshot, text list and answer, then trajectory.json and report.html. */
export class TrajectoryWriter {
  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  async writeStepFiles(
    step: number,
    files: { png: Uint8Array; elements: string; answer: string },
  ): Promise<TrajectoryStep["files"]> {
    const stem = `step-${String(step).padStart(2, "0")}`;
    const names = {
      screenshot: `${stem}.png`,
      elements: `${stem}.elements.txt`,
      answer: `${stem}.answer.txt`,
    };
    await writeFileAtomic(join(this.dir, names.screenshot), files.png);
    await writeFileAtomic(join(this.dir, names.elements), files.elements);
    await writeFileAtomic(join(this.dir, names.answer), files.answer);
    return names;
  }

  /** trajectory.json and report.html as the run stands (rewritten after every step). */
  async writeSummary(t: Trajectory): Promise<void> {
    await writeFileAtomic(join(this.dir, "trajectory.json"), `${JSON.stringify(t, null, 2)}\n`);
    await writeFileAtomic(join(this.dir, "report.html"), agentReportHtml(t));
  }
}
