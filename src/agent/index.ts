export { type ActionKind, type AgentAction, actionMark, formatAction } from "./actions.js";
export { type ActionResult, executeAction } from "./execute.js";
export type { PageMarker, PageMarking, WebMark } from "./observation.js";
export { type ParsedAction, parseAction } from "./parse-action.js";
export { type AgentRunOptions, runAgent } from "./run-agent.js";
export { WebSession, type WebSessionOptions } from "./session.js";
export type { Trajectory, TrajectoryStep } from "./trajectory.js";
export { createWebMarker, type WebMarkerOptions } from "./web-marker.js";
