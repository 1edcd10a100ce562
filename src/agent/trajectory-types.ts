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
