import type { ElementHandle, Frame, Page } from "playwright-core";
import { UserError } from "../../errors.js";
import { type CollectArgs, type CollectResult, COLLECT_SCRIPT } from "./collect-script.js";
import { INIT_SCRIPT, SOM_KEY } from "./init-script.js";
import { rememberMark } from "./live-handles.js";
import type { MarkPageOptions, WebFrameInfo, WebMark, WebMarks, WebSignal } from "./types.js";

/** Largest page (CSS px on either side) that full-page marking grows the viewport to. */
export const MAX_FULL_PAGE_SIDE = 16384;

interface FrameResult {
  frame: Frame;
  info: WebFrameInfo;
  result: CollectResult;
}

/**
 * Mark the interactive elements of a live page: one collector call per frame (same- and cross-origin), boxes
 * mapped to top-page coordinates through each iframe's content box and clipped to the part of the frame its
 * parent shows, and every child-frame click point hit-tested again in each ancestor (an overlay on the parent
 * page hides the iframe's controls too). The page is never modified; listeners are known only when the init
 * script (addMarkingInitScript) was in the context before the page loaded — without it, attributes, roles and
 * styles still work.
 */
export async function markPage(page: Page, options: MarkPageOptions = {}): Promise<WebMarks> {
  const grown = options.fullPage ? await growViewport(page) : undefined;
  try {
    return await markCurrentViewport(page, options);
  } finally {
    if (grown) await page.setViewportSize(grown);
  }
}

/**
 * Mark the page and take the screenshot the marks refer to, in one step (full-page: both at the grown
 * viewport, so boxes and pixels agree). Returns the PNG bytes.
 */
export async function snapshotPage(
  page: Page,
  options: MarkPageOptions = {},
): Promise<{ marks: WebMarks; screenshot: Buffer }> {
  const grown = options.fullPage ? await growViewport(page) : undefined;
  try {
    const marks = await markCurrentViewport(page, options);
    const screenshot = await page.screenshot({ type: "png", animations: "disabled", caret: "hide" });
    return { marks, screenshot };
  } finally {
    if (grown) await page.setViewportSize(grown);
  }
}

/** Add the recording init script to a browser context: do it before the first navigation. */
export async function addMarkingInitScript(context: import("playwright-core").BrowserContext): Promise<void> {
  await context.addInitScript({ content: INIT_SCRIPT });
}

async function growViewport(page: Page): Promise<{ width: number; height: number } | undefined> {
  const before = page.viewportSize();
  if (!before)
    throw new UserError("full-page marking needs a fixed viewport (the context has viewport: null)");
  const size = await page.evaluate(() => ({
    w: Math.max(document.documentElement.scrollWidth, document.body?.scrollWidth ?? 0),
    h: Math.max(document.documentElement.scrollHeight, document.body?.scrollHeight ?? 0),
  }));
  const width = Math.min(MAX_FULL_PAGE_SIDE, Math.max(before.width, size.w));
  const height = Math.min(MAX_FULL_PAGE_SIDE, Math.max(before.height, size.h));
  if (width === before.width && height === before.height) return undefined;
  await page.setViewportSize({ width, height });
  await page.evaluate(() => window.scrollTo(0, 0));
  return before;
}

async function markCurrentViewport(page: Page, options: MarkPageOptions): Promise<WebMarks> {
  const viewport =
    page.viewportSize() ?? (await page.evaluate(() => ({ width: innerWidth, height: innerHeight })));
  const dpr = await page.evaluate(() => window.devicePixelRatio || 1);
  const maxText = options.maxText ?? 200;
  const results: FrameResult[] = [];
  let skippedFrames = 0;
  let nextFrame = 1;

  // Depth first from the main frame: each child gets its offset and visible clip from its parent's call.
  const visit = async (
    frame: Frame,
    info: WebFrameInfo,
    clip: [number, number, number, number],
  ): Promise<void> => {
    let result: CollectResult;
    try {
      await ensureScript(frame);
      // One JSON string back: Playwright's structured serializer costs ~0.5 ms per returned element.
      const json = await frame.evaluate<string>(
        `JSON.stringify((${COLLECT_SCRIPT})(${JSON.stringify({ clip, maxText } satisfies CollectArgs)}))`,
      );
      result = JSON.parse(json) as CollectResult;
    } catch (err) {
      if (frame === page.mainFrame()) throw err;
      skippedFrames++;
      return;
    }
    results.push({ frame, info, result });
    for (const child of frame.childFrames()) {
      let el: ElementHandle | undefined;
      try {
        el = await child.frameElement();
        const box = await el.evaluate((f: Element) => {
          const r = f.getBoundingClientRect();
          const s = getComputedStyle(f);
          if (s.visibility === "hidden" || s.display === "none" || r.width < 1 || r.height < 1) return null;
          const left = r.left + f.clientLeft + Number.parseFloat(s.paddingLeft);
          const top = r.top + f.clientTop + Number.parseFloat(s.paddingTop);
          return {
            left,
            top,
            width: f.clientWidth - Number.parseFloat(s.paddingLeft) - Number.parseFloat(s.paddingRight),
            height: f.clientHeight - Number.parseFloat(s.paddingTop) - Number.parseFloat(s.paddingBottom),
          };
        });
        if (!box) continue;
        // The child's visible part, in the child's own viewport coordinates.
        const c: [number, number, number, number] = [
          Math.max(0, clip[0] - box.left),
          Math.max(0, clip[1] - box.top),
          Math.min(box.width, clip[2] - box.left),
          Math.min(box.height, clip[3] - box.top),
        ];
        if (c[2] - c[0] < 1 || c[3] - c[1] < 1) continue;
        const id = `f${nextFrame++}`;
        await visit(
          child,
          {
            id,
            url: child.url(),
            name: child.name(),
            parent: info.id,
            offset: [info.offset[0] + box.left, info.offset[1] + box.top],
          },
          c,
        );
      } catch {
        skippedFrames++;
      } finally {
        await el?.dispose().catch(() => {});
      }
    }
  };
  await visit(page.mainFrame(), { id: "main", url: page.url(), name: "", offset: [0, 0] }, [
    0,
    0,
    viewport.width,
    viewport.height,
  ]);

  // Child-frame points: the ancestors must agree that the point lands on the iframe (not an overlay).
  const byId = new Map(results.map((r) => [r.info.id, r]));
  const blocked = await blockedChildPoints(results, byId);

  type Pending = {
    fr: FrameResult;
    i: number;
    top: [number, number];
    rect: [number, number, number, number];
  };
  const pending: Pending[] = [];
  const outside = { above: 0, below: 0, left: 0, right: 0 };
  for (const fr of results) {
    if (fr.info.id === "main") Object.assign(outside, fr.result.outside);
    const [ox, oy] = fr.info.offset;
    for (const [i, e] of fr.result.elements.entries()) {
      if (blocked.get(fr.info.id)?.has(i)) continue;
      pending.push({
        fr,
        i,
        top: [e.point[0] + ox, e.point[1] + oy],
        rect: [e.rect[0] + ox, e.rect[1] + oy, e.rect[2], e.rect[3]],
      });
    }
  }
  // Reading order: rows of ~8 CSS px, then left to right.
  pending.sort(
    (a, b) =>
      Math.round(a.rect[1] / 8) - Math.round(b.rect[1] / 8) || a.rect[0] - b.rect[0] || a.rect[1] - b.rect[1],
  );
  const limit = options.maxMarks ?? Number.POSITIVE_INFINITY;
  const width = Math.round(viewport.width * dpr);
  const height = Math.round(viewport.height * dpr);
  const marks: WebMark[] = [];
  for (const p of pending.slice(0, limit)) {
    const e = p.fr.result.elements[p.i];
    const x0 = clamp(Math.floor(p.rect[0] * dpr), 0, width - 1);
    const y0 = clamp(Math.floor(p.rect[1] * dpr), 0, height - 1);
    const x1 = clamp(Math.ceil((p.rect[0] + p.rect[2]) * dpr), x0 + 1, width);
    const y1 = clamp(Math.ceil((p.rect[1] + p.rect[3]) * dpr), y0 + 1, height);
    const { rect: _r, point: _p, why, index: _i, ...rest } = e;
    const mark: WebMark = {
      id: marks.length + 1,
      bbox: [x0, y0, x1 - x0, y1 - y0],
      point: [round2(p.top[0] * dpr), round2(p.top[1] * dpr)],
      element: { ...rest, frame: p.fr.info.id },
      why: why as WebSignal[],
    };
    rememberMark(mark, { frame: p.fr.frame, generation: p.fr.result.generation, index: e.index });
    marks.push(mark);
  }
  return {
    url: page.url(),
    title: await page.title().catch(() => ""),
    width,
    height,
    deviceScaleFactor: dpr,
    viewport: { width: viewport.width, height: viewport.height },
    fullPage: options.fullPage === true,
    marks,
    frames: results.map((r) => r.info),
    outside,
    truncated: Math.max(0, pending.length - marks.length),
    skippedFrames,
  };
}

/** Pages marked before the context had the init script: inject it now (listeners added earlier stay unknown). */
async function ensureScript(frame: Frame): Promise<void> {
  const has = await frame.evaluate(`!!window[Symbol.for(${JSON.stringify(SOM_KEY)})]`);
  if (!has) await frame.evaluate(INIT_SCRIPT);
}

/**
 * For every frame below main, which of its elements' points some ancestor frame's hit test does not send to
 * the frame's iframe element. One evaluate per (ancestor, descendant) pair with elements.
 */
async function blockedChildPoints(
  results: FrameResult[],
  byId: Map<string, FrameResult>,
): Promise<Map<string, Set<number>>> {
  const blocked = new Map<string, Set<number>>();
  for (const fr of results) {
    if (fr.info.id === "main" || fr.result.elements.length === 0) continue;
    const bad = new Set<number>();
    let child = fr;
    while (child.info.parent) {
      const parent = byId.get(child.info.parent);
      if (!parent) break;
      // Points of fr's elements in the parent's coordinates.
      const dx = fr.info.offset[0] - parent.info.offset[0];
      const dy = fr.info.offset[1] - parent.info.offset[1];
      const pts = fr.result.elements.map((e) => [e.point[0] + dx, e.point[1] + dy]);
      const iframe = await child.frame.frameElement().catch(() => undefined);
      if (!iframe) break;
      const hits = await iframe
        .evaluate((f: Element, points: number[][]) => {
          const deepHit = (x: number, y: number) => {
            let h = document.elementFromPoint(x, y);
            while (h?.shadowRoot) {
              const inner = h.shadowRoot.elementFromPoint(x, y);
              if (!inner || inner === h) break;
              h = inner;
            }
            return h;
          };
          return points.map(([x, y]) => deepHit(x, y) === f);
        }, pts)
        .catch(() => pts.map(() => false));
      await iframe.dispose().catch(() => {});
      hits.forEach((ok, i) => {
        if (!ok) bad.add(i);
      });
      child = parent;
    }
    if (bad.size) blocked.set(fr.info.id, bad);
  }
  return blocked;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round2 = (v: number) => Math.round(v * 100) / 100;
