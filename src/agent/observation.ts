import type { ElementHandle, Page } from "playwright-core";

/** What the agent knows of one marked element (the shape `som web` writes per mark). */
export interface WebMark {
  id: number;
  /** [x, y, w, h] in screenshot pixels (top-page coordinates × device scale). */
  bbox: [number, number, number, number];
  /** Where a click reaches the element itself, screenshot pixels. */
  point: [number, number];
  element: {
    tag: string;
    role?: string;
    name?: string;
    text?: string;
    value?: string;
    placeholder?: string;
    checked?: boolean;
    selected?: boolean;
    disabled?: boolean;
    href?: string;
    frame?: string;
    selector?: string;
  };
  why?: string[];
}

/** One look at the page: the marks, the screenshot with them drawn, the text list, live handles. */
export interface PageMarking {
  marks: WebMark[];
  /** The marked screenshot, PNG. */
  png: Uint8Array;
  /** One line per mark, as shown to the model. */
  text: string;
  /** Screenshot pixels per CSS pixel (the device scale factor). */
  scale: number;
  /** The element behind a mark, while the page has not changed; null when it is gone. */
  handle(id: number): Promise<ElementHandle<Element> | null>;
}

/** Marks a live page. `som web`'s marker in production; anything with the same contract in tests. */
export type PageMarker = (page: Page) => Promise<PageMarking>;
