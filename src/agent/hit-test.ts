import type { ElementHandle, Page } from "playwright-core";

/** Where to click an element now, and what a click there would reach. */
export interface Aim {
  /** Top-page CSS pixels, for page.mouse. */
  x: number;
  y: number;
  /** Undefined when the element itself (or its label / control) receives the click; else who does. */
  interceptedBy?: string;
}

/**
 * Scroll the element into view, place the stored click point on its box again (as a fraction of the box,
 * so scrolling and resizes move it along), and hit-test that point in its own frame and in every frame
 * above it (an overlay in the top page covers an iframe's controls too).
 */
export async function aimAt(
  page: Page,
  handle: ElementHandle<Element>,
  fraction: [number, number],
): Promise<Aim | { gone: string }> {
  await handle.scrollIntoViewIfNeeded({ timeout: 2000 }).catch(() => {});
  const box = await handle.boundingBox();
  if (!box || box.width === 0 || box.height === 0) return { gone: "the element is no longer displayed" };
  const fx = Math.min(0.98, Math.max(0.02, fraction[0]));
  const fy = Math.min(0.98, Math.max(0.02, fraction[1]));
  const x = box.x + fx * box.width;
  const y = box.y + fy * box.height;
  const viewport = page.viewportSize();
  if (viewport && (x < 0 || y < 0 || x >= viewport.width || y >= viewport.height)) {
    return { x, y, interceptedBy: "nothing: the point lies outside the viewport" };
  }
  let target: ElementHandle<Element> | null = handle;
  let frame = await handle.ownerFrame();
  while (target) {
    const b = await target.boundingBox();
    if (!b) break;
    const hit = await target.evaluate(hitAt, [x - b.x, y - b.y]);
    if (hit) return { x, y, interceptedBy: hit };
    const parent = frame?.parentFrame();
    if (!frame || !parent) break;
    target = (await frame.frameElement().catch(() => null)) as ElementHandle<Element> | null;
    frame = parent;
  }
  return { x, y };
}

/** In the page: null when a click at (dx, dy) inside `el`'s box reaches `el`, else a description of who gets it. */
function hitAt(el: Element, [dx, dy]: number[]): string | null {
  const r = el.getBoundingClientRect();
  const px = r.left + dx;
  const py = r.top + dy;
  let hit = el.ownerDocument.elementFromPoint(px, py);
  // Through open shadow roots down to the innermost element.
  while (hit?.shadowRoot) {
    const inner = hit.shadowRoot.elementFromPoint(px, py);
    if (!inner || inner === hit) break;
    hit = inner;
  }
  if (!hit) return "nothing (the point is off the page)";
  // No inner named functions here: tsx/esbuild would wrap them in a __name helper the page lacks.
  for (let n: Node | null = hit; n; n = n.parentNode ?? (n instanceof ShadowRoot ? n.host : null)) {
    if (n === el) return null;
  }
  // A click on a control's label reaches the control, and the other way round.
  const label = hit.closest("label");
  if (label && (label.control === el || label.contains(el))) return null;
  if (el instanceof HTMLLabelElement && el.control && (el.control === hit || el.control.contains(hit)))
    return null;
  const id = hit.id ? `#${hit.id}` : "";
  const cls =
    typeof hit.className === "string" && hit.className.trim()
      ? `.${hit.className.trim().split(/\s+/).slice(0, 2).join(".")}`
      : "";
  const text = (hit.textContent ?? "").replace(/\s+/g, " ").trim().slice(0, 40);
  return `<${hit.tagName.toLowerCase()}${id}${cls}>${text ? ` "${text}"` : ""}`;
}
