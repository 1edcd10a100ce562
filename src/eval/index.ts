// `som/eval`: the benchmark harness behind `som eval` — data set loaders, tasks, the resumable runner,
// the oracle provider (ground-truth answers) and the proposal scorer (`som eval proposals`).
export {
  ade150Class,
  type ClassifyDataOptions,
  type ClassifySample,
  loadClassifyDataset,
} from "./classify-data.js";
export { classifyTask } from "./classify-task.js";
export { type GroundDataset, type GroundSample, loadGroundDataset } from "./ground-data.js";
export { groundTask } from "./ground-task.js";
export { oracleProvider } from "./oracle-provider.js";
export {
  BOUNDARY_TOLERANCE,
  type ImageScore,
  type ProposalSummary,
  scoreImage,
  summarise,
} from "./proposals.js";
export { type DatasetKind, type GtImage, loadDataset, parseDatasetSpec } from "./proposals-data.js";
export { type EvalProposalsOptions, type EvalProposalsResult, evaluateProposals } from "./proposals-run.js";
export { loadReferDataset, type ReferDataOptions, type ReferSample, type ReferTruth } from "./refer-data.js";
export { referTask } from "./refer-task.js";
export { renderHtmlReport } from "./report-html.js";
export { RESULTS_FILE, type RunOptions, type RunResult, runEval, summarize } from "./runner.js";
export { formatSummary } from "./summary-format.js";
export type {
  Breakdown,
  EvalSettings,
  EvalSummary,
  EvalTask,
  SampleFields,
  SampleRecord,
} from "./task-types.js";
export { type DavisDataOptions, loadDavisDataset, type TrackSample } from "./track-data.js";
export { trackTask } from "./track-task.js";
