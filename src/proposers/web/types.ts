import type { BBox } from "../../regions/mask.js";

/** What a mark points at, as the page describes it. */
export interface WebElementInfo {
  tag: string;
  /** Explicit ARIA role, else the implicit one (link, button, textbox, checkbox, combobox, …), else the tag. */
  role: string;
  /** Accessible name (aria-label, aria-labelledby, labels, alt, text, title, placeholder). */
  name: string;
  /** Visible text, at most 200 characters. */
  text: string;
  value?: string;
  placeholder?: string;
  checked?: boolean;
  selected?: boolean;
  disabled?: boolean;
  href?: string;
  /** Frame id: "main" for the top page, else "f1", "f2", … (see WebMarks.frames). */
  frame: string;
  /** CSS selector within the frame; shadow-root hops joined by " >>> " (outermost first). */
  selector: string;
}

/** Why an element is a candidate: the signals that picked it. */
export type WebSignal =
  | "native"
  | "label"
  | "role"
  | "listener"
  | "react"
  | "contenteditable"
  | "tabindex"
  | "cursor";

export interface WebMark {
  /** 1-based, one numbering over all frames in reading order (top to bottom, left to right). */
  id: number;
  /** Visible part of the element's box, image pixels (CSS px × device scale factor), top-page coordinates. */
  bbox: BBox;
  /** Click point, image pixels: where the hit test found the element itself. */
  point: [number, number];
  element: WebElementInfo;
  why: WebSignal[];
}

export interface WebFrameInfo {
  id: string;
  url: string;
  name: string;
  parent?: string;
  /** Top-left of the frame's viewport in top-page CSS px. */
  offset: [number, number];
}

export interface WebMarks {
  url: string;
  title: string;
  /** Screenshot size the coordinates refer to, image pixels. */
  width: number;
  height: number;
  deviceScaleFactor: number;
  /** Viewport (CSS px) the page was marked at; for full-page marking, the whole page's size. */
  viewport: { width: number; height: number };
  fullPage: boolean;
  marks: WebMark[];
  frames: WebFrameInfo[];
  /** Interactive elements that passed the style checks but lie outside the viewport (not marked). */
  outside: { above: number; below: number; left: number; right: number };
  /** Candidates dropped by maxMarks. */
  truncated: number;
  /** Frames that could not be read (detached while marking, or crashed). */
  skippedFrames: number;
}

export interface MarkPageOptions {
  /** Keep at most this many marks (the first in reading order). */
  maxMarks?: number;
  /** Mark the whole page: the viewport is grown to the page's size while marking (and the screenshot taken). */
  fullPage?: boolean;
  /** Longest visible text kept per element (default 200). */
  maxText?: number;
}
