import type { ElementHandle, Frame, Page } from "playwright-core";
import { RESOLVE_SCRIPT } from "./collect-script.js";
import type { WebMark } from "./types.js";

interface LiveRef {
  frame: Frame;
  generation: number;
  index: number;
}

/** Mark objects returned by markPage → where their element lives (kept out of the JSON-able mark). */
const refs = new WeakMap<WebMark, LiveRef>();

export function rememberMark(mark: WebMark, ref: LiveRef): void {
  refs.set(mark, ref);
}

/**
 * A live handle to a mark's element: the very node marked while the frame has not been re-marked since and the
 * node is still in the page, else whatever the stored selector finds now (shadow hops, closed roots included).
 * A mark read back from JSON is resolved by its frame id's URL and selector. Null when it is gone.
 */
export async function locateMark(page: Page, mark: WebMark): Promise<ElementHandle<Element> | null> {
  const ref = refs.get(mark);
  const frame = ref && !ref.frame.isDetached() ? ref.frame : frameFor(page, mark);
  if (!frame) return null;
  const handle = await frame.evaluateHandle(
    `(${RESOLVE_SCRIPT})(${JSON.stringify([
      mark.element.selector,
      ref?.generation ?? -1,
      ref?.index ?? -1,
    ])})`,
  );
  const el = handle.asElement();
  if (!el) {
    await handle.dispose();
    return null;
  }
  return el as ElementHandle<Element>;
}

function frameFor(page: Page, mark: WebMark): Frame | undefined {
  if (mark.element.frame === "main") return page.mainFrame();
  return undefined;
}
