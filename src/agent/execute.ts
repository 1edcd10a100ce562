import type { ElementHandle, Page } from "playwright-core";
import type { AgentAction } from "./actions.js";
import { aimAt } from "./hit-test.js";
import type { PageMarking, WebMark } from "./observation.js";
import { pickOption } from "./pick-option.js";

/** What one action did. */
export interface ActionResult {
  /** False when the action could not be carried out (intercepted, element gone, no such option…). */
  ok: boolean;
  /** One line for the model and the report: "clicked [3]", "intercepted by <div.modal>". */
  message: string;
}

export interface ExecuteOptions {
  /** Milliseconds to wait for a navigation an action started (default 5000). */
  settleMs?: number;
}

/** Carry out `action` on the page the marking was taken from, through each mark's live handle and real input events. */
export async function executeAction(
  page: Page,
  action: AgentAction,
  marking: PageMarking,
  o: ExecuteOptions = {},
): Promise<ActionResult> {
  const result = await perform(page, action, marking);
  if (action.kind !== "answer") await settle(page, o.settleMs ?? 5000);
  return result;
}

async function perform(page: Page, action: AgentAction, marking: PageMarking): Promise<ActionResult> {
  switch (action.kind) {
    case "answer":
      return { ok: true, message: `answered ${JSON.stringify(action.text)}` };
    case "press":
      await page.keyboard.press(action.key);
      return { ok: true, message: `pressed ${action.key}` };
    case "back": {
      const before = page.url();
      const res = await page.goBack({ timeout: 10_000 }).catch((e: Error) => e);
      if (res instanceof Error) return { ok: false, message: `back failed: ${firstLine(res.message)}` };
      return page.url() === before
        ? { ok: false, message: "back: no previous page" }
        : { ok: true, message: `went back to ${page.url()}` };
    }
    case "scroll":
      return scroll(page, action.direction, action.mark, marking);
    default:
      break;
  }
  const target = await resolve(action.mark, marking);
  if ("error" in target) return { ok: false, message: target.error };
  const { mark, handle } = target;
  const label = `[${mark.id}]`;
  switch (action.kind) {
    case "click": {
      const click = await trustedClick(page, handle, mark);
      return click.ok ? { ok: true, message: `clicked ${label}` } : click;
    }
    case "hover": {
      const aim = await aimAt(page, handle, fractionOf(mark));
      if ("gone" in aim) return { ok: false, message: `${label}: ${aim.gone}` };
      if (aim.interceptedBy) return { ok: false, message: `intercepted by ${aim.interceptedBy}` };
      await page.mouse.move(aim.x, aim.y);
      return { ok: true, message: `hovered ${label}` };
    }
    case "check": {
      if ((await checkedState(handle)) === true) return { ok: true, message: `${label} was already checked` };
      const click = await trustedClick(page, handle, mark);
      if (!click.ok) return click;
      const now = await checkedState(handle);
      return now === false
        ? { ok: false, message: `clicked ${label} but it is still unchecked` }
        : { ok: true, message: `checked ${label}` };
    }
    case "type": {
      const click = await trustedClick(page, handle, mark);
      if (!click.ok) return click;
      // Replace what is there: select the field's content first (inputs and contenteditable alike).
      await handle.evaluate((el) => {
        if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) el.select();
        else if ((el as HTMLElement).isContentEditable) {
          const range = document.createRange();
          range.selectNodeContents(el);
          const sel = getSelection();
          sel?.removeAllRanges();
          sel?.addRange(range);
        }
      });
      if (action.text) await page.keyboard.type(action.text);
      else await page.keyboard.press("Backspace");
      if (action.enter) await page.keyboard.press("Enter");
      return {
        ok: true,
        message: `typed ${JSON.stringify(action.text)} into ${label}${action.enter ? " + Enter" : ""}`,
      };
    }
    case "select": {
      const options = await handle.evaluate((el) =>
        el instanceof HTMLSelectElement
          ? Array.from(el.options, (opt) => ({
              label: opt.label || opt.text,
              value: opt.value,
              disabled: opt.disabled,
            }))
          : null,
      );
      if (!options)
        return { ok: false, message: `${label} is not a <select>; click it and then the option instead` };
      const index = pickOption(action.option, options);
      if (index < 0) {
        const names = options.map((x) => JSON.stringify(x.label)).join(", ");
        return {
          ok: false,
          message: `${label} has no option like ${JSON.stringify(action.option)} (options: ${names})`,
        };
      }
      await handle.scrollIntoViewIfNeeded({ timeout: 2000 }).catch(() => {});
      await handle.selectOption({ index });
      return { ok: true, message: `selected ${JSON.stringify(options[index].label)} in ${label}` };
    }
  }
}

async function resolve(
  id: number,
  marking: PageMarking,
): Promise<{ mark: WebMark; handle: ElementHandle<Element> } | { error: string }> {
  const mark = marking.marks.find((m) => m.id === id);
  if (!mark) return { error: `unknown mark [${id}]` };
  const handle = await marking.handle(id);
  if (!handle) return { error: `[${id}] is gone from the page` };
  const attached = await handle.evaluate((el) => el.isConnected).catch(() => false);
  if (!attached) return { error: `[${id}] is gone from the page` };
  return { mark, handle };
}

/** Where the stored point sits on the mark's box, as fractions (survives scrolling and re-layout). */
function fractionOf(mark: WebMark): [number, number] {
  const [x, y, w, h] = mark.bbox;
  return [w > 0 ? (mark.point[0] - x) / w : 0.5, h > 0 ? (mark.point[1] - y) / h : 0.5];
}

/** Scroll into view, hit-test the point again, then a real mouse click there — or report who is in the way. */
async function trustedClick(
  page: Page,
  handle: ElementHandle<Element>,
  mark: WebMark,
): Promise<ActionResult> {
  const aim = await aimAt(page, handle, fractionOf(mark));
  if ("gone" in aim) return { ok: false, message: `[${mark.id}]: ${aim.gone}` };
  if (aim.interceptedBy) return { ok: false, message: `intercepted by ${aim.interceptedBy}` };
  await page.mouse.click(aim.x, aim.y);
  return { ok: true, message: `clicked [${mark.id}]` };
}

/** checked state of a checkbox / radio / switch (or the control of a label); undefined when it has none. */
async function checkedState(handle: ElementHandle<Element>): Promise<boolean | undefined> {
  return handle
    .evaluate((el) => {
      const c = el instanceof HTMLLabelElement ? el.control : el;
      if (c instanceof HTMLInputElement && (c.type === "checkbox" || c.type === "radio")) return c.checked;
      const aria = (c ?? el).getAttribute("aria-checked");
      return aria == null ? undefined : aria === "true";
    })
    .catch(() => undefined);
}

async function scroll(
  page: Page,
  direction: "up" | "down",
  markId: number | undefined,
  marking: PageMarking,
): Promise<ActionResult> {
  const viewport = page.viewportSize() ?? { width: 1280, height: 800 };
  let x = viewport.width / 2;
  let y = viewport.height / 2;
  let amount = viewport.height * 0.8;
  let what = "the page";
  if (markId != null) {
    const target = await resolve(markId, marking);
    if ("error" in target) return { ok: false, message: target.error };
    const box = await target.handle.boundingBox();
    if (!box) return { ok: false, message: `[${markId}] is not displayed` };
    x = box.x + box.width / 2;
    y = box.y + box.height / 2;
    amount = Math.max(40, box.height * 0.8);
    what = `[${markId}]`;
  }
  await page.mouse.move(x, y);
  await page.mouse.wheel(0, direction === "down" ? amount : -amount);
  // Wheel scrolling is asynchronous in Chromium; give it a frame or two.
  await page.waitForTimeout(150);
  return { ok: true, message: `scrolled ${what} ${direction}` };
}

/**
 * Let a navigation or re-render the action started finish (bounded): wait briefly for a top-level
 * navigation request, then for its answer (so a blocked one is known before the result is reported) and load.
 */
async function settle(page: Page, ms: number): Promise<void> {
  const nav = await page
    .waitForRequest((r) => r.isNavigationRequest() && r.frame().parentFrame() === null, { timeout: 300 })
    .catch(() => undefined);
  if (nav) {
    await Promise.race([nav.response().catch(() => null), page.waitForTimeout(ms)]);
    await page.waitForLoadState("load", { timeout: ms }).catch(() => {});
  }
  await page.waitForTimeout(50);
}

function firstLine(s: string): string {
  return s.split("\n")[0];
}
