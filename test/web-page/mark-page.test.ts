import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newContext } from "../../src/browser/launch.js";
import {
  formatElementList,
  INIT_SCRIPT,
  locateMark,
  markPage,
  type WebMarks,
} from "../../src/proposers/web/index.js";
import { findSystemBinary, SYSTEM_CHROMIUM } from "../helpers/system-binaries.js";
import { serveFixtures } from "./serve-fixtures.js";

let browser: Browser;
let context: BrowserContext;
let a: Awaited<ReturnType<typeof serveFixtures>>;
let b: Awaited<ReturnType<typeof serveFixtures>>;

beforeAll(async () => {
  browser = await launchChromium({ executablePath: findSystemBinary(SYSTEM_CHROMIUM) });
  context = await newContext(browser, { viewport: { width: 1000, height: 700 }, initScripts: [INIT_SCRIPT] });
  a = await serveFixtures();
  b = await serveFixtures();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await a?.close();
  await b?.close();
});

async function open(path: string, dsf = 1): Promise<{ page: Page; marks: WebMarks }> {
  const ctx =
    dsf === 1
      ? context
      : await newContext(browser, {
          viewport: { width: 1000, height: 700 },
          deviceScaleFactor: dsf,
          initScripts: [INIT_SCRIPT],
        });
  const page = await ctx.newPage();
  await page.goto(`http://127.0.0.1:${a.port}/${path}`);
  return { page, marks: await markPage(page) };
}

const byName = (m: WebMarks, name: string) => m.marks.filter((k) => k.element.name === name);

/** What really receives a click at the mark's point (CSS px of the top page), through shadow roots. */
async function hitIdAt(page: Page, x: number, y: number): Promise<string> {
  return page.evaluate(
    ([px, py]) => {
      let h = document.elementFromPoint(px, py);
      while (h?.shadowRoot) {
        const inner = h.shadowRoot.elementFromPoint(px, py);
        if (!inner || inner === h) break;
        h = inner;
      }
      return h ? h.id || h.localName : "";
    },
    [x, y],
  );
}

describe("markPage on real pages in Chromium", () => {
  it("finds listener-only, React-style, label, native controls; skips hidden; counts off-screen", async () => {
    const { page, marks } = await open("basic.html");
    const sel = marks.marks.map((m) => m.element.selector);
    expect(byName(marks, "Listener span")[0]?.why).toEqual(["listener"]);
    expect(byName(marks, "React item")[0]?.why).toContain("react");
    // The opacity-0 checkbox is not marked; its visible label is, with the checkbox's state.
    const label = byName(marks, "Subscribe");
    expect(label.map((m) => m.element.tag)).toEqual(["label"]);
    expect(label[0]?.element.checked).toBe(false);
    expect(sel).not.toContain("#hidden-check");
    expect(byName(marks, "Disabled")[0]?.element.disabled).toBe(true);
    expect(byName(marks, "Search")[0]?.element.value).toBe("shoes");
    // Link with a cursor:pointer span inside: one mark. Card with its own handler and an inner button: two.
    expect(byName(marks, "Help")).toHaveLength(1);
    expect(sel).toContain("#card");
    expect(sel).toContain("#inner-btn");
    // Scroll container: S1/S2 visible, S3/S4 clipped by overflow.
    expect(sel).toEqual(expect.arrayContaining(["#s1", "#s2"]));
    expect(sel).not.toContain("#s3");
    expect(sel).not.toContain("#gone");
    expect(sel).not.toContain("#hidden");
    // Canvas with a listener marked, plain canvas not.
    expect(sel).toContain("#cv");
    expect(sel).not.toContain("#cv2");
    expect(marks.outside.below).toBe(1);
    // Every point hit-tests to its own element (or inside it).
    for (const m of marks.marks) {
      const hit = await hitIdAt(page, m.point[0], m.point[1]);
      const inside = await (await locateMark(page, m))?.evaluate((el, id) => {
        const h = id ? document.getElementById(id) : null;
        return el.id === id || (h ? el.contains(h) : true);
      }, hit);
      expect(inside, `${m.element.selector} → ${hit}`).toBe(true);
    }
    const text = formatElementList(marks.marks, marks);
    expect(text).toMatch(/\] textbox "Search" value="shoes"/);
    expect(text).toMatch(/\] link "Help" → \/help/);
    expect(text).toMatch(/1 more interactive element outside the viewport \(1 below\)/);
    await page.close();
  }, 60_000);

  it("a modal covers the form: only the dialog's controls get marks", async () => {
    const { page, marks } = await open("modal.html");
    expect(marks.marks.map((m) => m.element.selector).sort()).toEqual(["#accept", "#reject"]);
    await page.close();
  }, 30_000);

  it("a sticky header hides the button under it", async () => {
    const { page, marks } = await open("sticky.html");
    const sel = marks.marks.map((m) => m.element.selector);
    expect(sel).toContain("#top");
    expect(sel).toContain("#clear");
    expect(sel).not.toContain("#under");
    await page.close();
  }, 30_000);

  it("same- and cross-origin iframes: one numbering, top-page coordinates", async () => {
    const page = await context.newPage();
    await page.goto(
      `http://127.0.0.1:${a.port}/frames.html?cross=${encodeURIComponent(`http://localhost:${b.port}`)}`,
    );
    await page.waitForFunction(() =>
      (document.getElementById("cross") as HTMLIFrameElement).src.includes("frame-child"),
    );
    await page.waitForTimeout(300);
    const marks = await markPage(page);
    expect(marks.marks.map((m) => m.id)).toEqual(marks.marks.map((_, i) => i + 1));
    const child = byName(marks, "Child");
    expect(child).toHaveLength(2);
    expect(byName(marks, "Child span")).toHaveLength(2);
    // Same-origin frame at left 20 + border 5, button at 10,20 → top-page x 35, y 85.
    const same = child.find((m) => m.element.frame !== "main" && m.bbox[0] < 200);
    expect(same?.bbox.slice(0, 2)).toEqual([35, 85]);
    const cross = child.find((m) => m.bbox[0] > 400);
    expect(cross?.bbox.slice(0, 2)).toEqual([410, 80]);
    const urls = marks.frames.map((f) => f.url);
    expect(urls.some((u) => u.startsWith(`http://localhost:${b.port}`))).toBe(true);
    // The live handle of a cross-origin mark is the element in that frame.
    expect(await (await locateMark(page, cross!))?.evaluate((el) => el.id)).toBe("child-btn");
    await page.close();
  }, 30_000);

  it("open and closed shadow roots", async () => {
    const { page, marks } = await open("shadow.html");
    expect(byName(marks, "Open shadow")).toHaveLength(1);
    expect(byName(marks, "Closed shadow")).toHaveLength(1);
    const span = byName(marks, "Closed span")[0];
    expect(span?.why).toEqual(["listener"]);
    const h = await locateMark(page, span!);
    await h!.click();
    expect(await page.title()).toBe("closed span");
    await page.close();
  }, 30_000);

  it("10×10 icon grid: 100 marks, no two badges overlap (rendered)", async () => {
    const { page, marks } = await open("grid.html", 2);
    expect(marks.marks).toHaveLength(100);
    expect(marks.marks[0]?.bbox).toEqual([80, 80, 48, 48]);
    const { renderWebMarks } = await import("../../src/proposers/web/index.js");
    const { manifest } = await renderWebMarks(await page.screenshot(), marks);
    const boxes = manifest.marks.map((m) => m.labelBox);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [ax, ay, aw, ah] = boxes[i]!;
        const [bx, by, bw, bh] = boxes[j]!;
        expect(ax + aw <= bx || bx + bw <= ax || ay + ah <= by || by + bh <= ay).toBe(true);
      }
    expect(manifest.marks[0]).toMatchObject({ point: marks.marks[0]!.point, why: ["native"] });
    await page.close();
  }, 30_000);

  it("10-screen page: viewport marks one link, full page all ten", async () => {
    const { page, marks } = await open("long.html");
    expect(marks.marks).toHaveLength(1);
    expect(marks.outside.below).toBe(9);
    const full = await markPage(page, { fullPage: true });
    expect(full.marks.map((m) => m.element.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `Section ${i}`),
    );
    expect(full.height).toBe(8000);
    expect(page.viewportSize()).toEqual({ width: 1000, height: 700 });
    await page.close();
  }, 30_000);
});
