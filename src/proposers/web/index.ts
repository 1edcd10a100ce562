/**
 * `som web`: mark a live page's interactive elements (Playwright, system Chromium). See docs/web.md.
 * Structure: init-script (records listeners and shadow roots from page start) → collect-script (per-frame
 * candidates, visibility, description) → mark-page (frames, coordinates, numbering) → render-web (badges on the
 * screenshot, manifest) and element-list (text list). Another proposer (e.g. a screenshot-only mode) can feed
 * renderWebMarks / formatElementList with WebMarks of its own.
 */
export { formatElementList, formatMarkLine } from "./element-list.js";
export { INIT_SCRIPT } from "./init-script.js";
export { locateMark } from "./live-handles.js";
export { addMarkingInitScript, MAX_FULL_PAGE_SIDE, markPage, snapshotPage } from "./mark-page.js";
export { placeBadges } from "./place-badges.js";
export { marksToRegions } from "./regions.js";
export { DEFAULT_WEB_MARKS, renderWebMarks, type WebDrawStyle } from "./render-web.js";
export type {
  MarkPageOptions,
  WebElementInfo,
  WebFrameInfo,
  WebMark,
  WebMarks,
  WebSignal,
} from "./types.js";
