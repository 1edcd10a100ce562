import type { Command } from "commander";
import { registerAgent } from "./agent.js";
import { registerAsk } from "./ask.js";
import { registerBatch } from "./batch.js";
import { registerEval } from "./eval.js";
import { registerMark } from "./mark.js";
import { registerMetrics } from "./metrics.js";
import { registerModels } from "./models.js";
import { registerSegment } from "./segment.js";
import { registerServe } from "./serve.js";
import type { SetExit } from "./set-exit.js";
import { registerTask } from "./task.js";
import { registerWeb } from "./web.js";
import { registerWorker } from "./worker.js";

/** Add every `som` subcommand to `program`. */
export function registerCommands(program: Command, setExit: SetExit): void {
  registerMark(program, setExit);
  registerEval(program, setExit);
  registerMetrics(program, setExit);
  registerSegment(program, setExit);
  registerModels(program, setExit);
  registerAsk(program, setExit);
  registerTask(program, setExit);
  registerServe(program, setExit);
  registerBatch(program, setExit);
  registerWorker(program, setExit);
  registerWeb(program, setExit);
  registerAgent(program, setExit);
}
