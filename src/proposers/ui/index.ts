export { createUiProposer, type UiKind, type UiProposerOptions } from "./proposer.js";
export { formatUiMarks } from "./text-list.js";
