import type { ElementHandle, Page } from "playwright-core";
import type { PageMarker, WebMark } from "../../src/agent/observation.js";

/**
 * The test pages say which elements are marks (`data-mark`, in document order, main frame): the executor
 * and loop are tested on exactly the marks a page declares, whatever the candidate extraction would find.
 * Deliberately no visibility check, so a covered element keeps its mark and the executor must catch it.
 */
export const fixtureMarker: PageMarker = async (page: Page) => {
  const handles = (await page.$$("[data-mark]")) as ElementHandle<Element>[];
  const marks: WebMark[] = [];
  const byId = new Map<number, ElementHandle<Element>>();
  for (const h of handles) {
    const box = await h.boundingBox();
    if (!box) continue;
    const id = marks.length + 1;
    const element = await h.evaluate((el) => ({
      tag: el.tagName.toLowerCase(),
      name: el.getAttribute("aria-label") ?? (el.textContent ?? "").trim(),
    }));
    marks.push({
      id,
      bbox: [box.x, box.y, box.width, box.height],
      point: [box.x + box.width / 2, box.y + box.height / 2],
      element,
    });
    byId.set(id, h);
  }
  const png = await page.screenshot();
  const text = marks.map((m) => `[${m.id}] ${m.element.tag} "${m.element.name}"`).join("\n");
  return { marks, png, text, scale: 1, handle: async (id) => byId.get(id) ?? null };
};
