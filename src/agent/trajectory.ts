import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.js";
import { agentReportHtml } from "./report-html.js";
import type { Trajectory, TrajectoryStep } from "./trajectory-types.js";

export type { Trajectory, TrajectoryStep };

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
