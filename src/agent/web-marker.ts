import type { BrowserContext } from "playwright-core";
import type { PageMarker, WebMark } from "./observation.js";

export interface WebMarkerOptions {
  maxMarks?: number;
  /** Badge font size in image pixels (default: the renderer's, 12 CSS px × device scale). */
  fontSize?: number;
}

/**
 * The `som web` marker for a session: in-page candidate extraction, marks drawn by our renderer, the text
 * list, and live handles per mark. `prepareContext` adds the listener-recording init script (before the
 * first navigation, so JS click listeners are seen).
 */
export async function createWebMarker(o: WebMarkerOptions = {}): Promise<{
  marker: PageMarker;
  prepareContext: (context: BrowserContext) => Promise<void>;
}> {
  const [{ snapshotPage, addMarkingInitScript }, { renderWebMarks }, { formatElementList }, { locateMark }] =
    await Promise.all([
      import("../proposers/web/mark-page.js"),
      import("../proposers/web/render-web.js"),
      import("../proposers/web/element-list.js"),
      import("../proposers/web/live-handles.js"),
    ]);
  const marker: PageMarker = async (page) => {
    const { marks: web, screenshot } = await snapshotPage(page, { maxMarks: o.maxMarks });
    const { png } = await renderWebMarks(screenshot, web, { fontSize: o.fontSize });
    const byId = new Map(web.marks.map((m) => [m.id, m]));
    return {
      marks: web.marks as WebMark[],
      png,
      text: formatElementList(web.marks, web),
      scale: web.deviceScaleFactor,
      handle: async (id) => {
        const m = byId.get(id);
        return m ? locateMark(page, m) : null;
      },
    };
  };
  return { marker, prepareContext: addMarkingInitScript };
}
