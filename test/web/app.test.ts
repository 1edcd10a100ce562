import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SomServer, startSomServer } from "../../src/server/index.js";
import { countsFromString } from "../../src/regions/rle.js";
import { cocoImage } from "../helpers/datasets.js";
import type { FakeServer } from "../helpers/fake-http-server.js";
import { startFakeOpenAI } from "../helpers/fake-openai-server.js";
import { findSystemBinary, SYSTEM_CHROMIUM } from "../helpers/system-binaries.js";
import { axeViolations } from "./axe.js";
import { ensureWebBuilt, ROOT } from "./build-web.js";

// Fails (never skips) naming the install step when Chromium is missing.
const CHROMIUM = findSystemBinary(SYSTEM_CHROMIUM);
const ARTIFACTS = join(ROOT, "test-artifacts", "web");
const PHOTO = cocoImage("000000000139");

let fake: FakeServer & { baseURL: string };
let server: SomServer;
let context: BrowserContext;
let page: Page;
let profile: string;
const timings: Record<string, number> = {};

async function shot(name: string) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** The number in "N marks". */
async function markCount(): Promise<number> {
  const text = (await page.getByTestId("mark-count").textContent()) ?? "";
  const m = /(\d+) marks/.exec(text);
  return m ? Number(m[1]) : -1;
}

interface Mark {
  id: number;
  area: number;
  bbox: number[];
  labelBox: number[];
  color: string;
  segmentation: { size: [number, number]; counts: string };
}

/** Whether a COCO RLE (column-major runs) covers image pixel (x, y). */
function rleHas(rle: Mark["segmentation"], x: number, y: number): boolean {
  const at = x * rle.size[0] + y;
  let pos = 0;
  const counts = countsFromString(rle.counts);
  for (let i = 0; i < counts.length; i++) {
    if (at < pos + counts[i]) return (i & 1) === 1;
    pos += counts[i];
  }
  return false;
}

/** RGBA of the overlay canvas at an image pixel (the overlay of a 640-pixel photo is at scale 1). */
function overlayPixel(x: number, y: number): Promise<number[]> {
  return page
    .getByTestId("overlay")
    .evaluate((c: HTMLCanvasElement, [px, py]) => [...c.getContext("2d")!.getImageData(px, py, 1, 1).data], [
      x,
      y,
    ] as [number, number]);
}

/** Alpha of the overlay canvas at a point given in fractions of its size. */
function overlayAlpha(fx: number, fy: number): Promise<number> {
  return page
    .getByTestId("overlay")
    .evaluate(
      (c: HTMLCanvasElement, [x, y]) =>
        c.getContext("2d")!.getImageData(Math.floor(x * c.width), Math.floor(y * c.height), 1, 1).data[3],
      [fx, fy] as [number, number],
    );
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const webDir = await ensureWebBuilt();
  fake = await startFakeOpenAI({
    model: (input) => {
      if (/television|tv/i.test(input.prompt)) return "The television is mark [2], next to region 3.";
      if (/a person near a plant/i.test(input.prompt)) return "a person: [1]; a plant: [4]";
      if (/the cup left of the laptop/i.test(input.prompt)) return "That is mark [4].";
      return "I am not sure.";
    },
  });
  server = await startSomServer({
    port: 0,
    webDir,
    provider: { provider: "openai-compatible", model: "local-vlm", baseURL: fake.baseURL, cache: false },
  });
  profile = mkdtempSync(join(tmpdir(), "som-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 768 }, // a laptop screen
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  await fake?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe("som serve web app in Chromium", () => {
  it("marks a dropped-in COCO photo at once", async () => {
    await page.goto(server.url);
    await page.getByText("Drop an image here").waitFor(); // the empty state invites a drop
    // No token on this server (GET /healthz says so): the app says nothing about tokens.
    expect((await (await fetch(`${server.url}/healthz`)).json()).tokenRequired).toBe(false);
    expect(await page.getByRole("button", { name: "Token" }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    const t0 = performance.now();
    await page.getByTestId("file-input-main").setInputFiles(PHOTO);
    await page
      .getByTestId("mark-count")
      .filter({ hasText: /\d+ marks/ })
      .waitFor();
    timings.firstMarkMs = Math.round(performance.now() - t0);
    expect(await markCount()).toBeGreaterThan(3);
    await expect(page.locator(".stage img").getAttribute("src")).resolves.toMatch(/^data:image\/png;base64,/);
    await shot("1-marked");
  });

  it("moving the granularity slider changes the mark count", async () => {
    const before = await markCount();
    const slider = page.getByTestId("granularity");
    await slider.focus();
    const t0 = performance.now();
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight"); // 0.5 → 0.7: finer marks
    await page.waitForFunction((n) => {
      const m = /(\d+) marks/.exec(document.querySelector("[data-testid=mark-count]")?.textContent ?? "");
      return m !== null && Number(m[1]) !== n && !document.querySelector(".busy");
    }, before);
    timings.sliderFineMs = Math.round(performance.now() - t0);
    const fine = await markCount();
    expect(fine).toBeGreaterThan(before);
    await shot("2-fine");
    const t1 = performance.now();
    for (let i = 0; i < 8; i++) await page.keyboard.press("ArrowLeft"); // 0.7 → 0.3: coarser marks
    await page.waitForFunction((n) => {
      const m = /(\d+) marks/.exec(document.querySelector("[data-testid=mark-count]")?.textContent ?? "");
      return m !== null && Number(m[1]) < n && !document.querySelector(".busy");
    }, fine);
    timings.sliderCoarseMs = Math.round(performance.now() - t1);
    expect(await markCount()).toBeLessThan(fine);
    // Back to the middle for the rest.
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
    await page.waitForFunction(
      () =>
        !document.querySelector(".busy") &&
        /0\.5/.test(String((document.querySelector("[data-testid=granularity]") as HTMLInputElement).value)),
    );
    await page
      .getByTestId("mark-count")
      .filter({ hasText: /\d+ marks/ })
      .waitFor();
  });

  it("the Regions list holds every mark: a compact grid that scrolls, and says so, on a dense image", async () => {
    const base = await markCount();
    // Settled on `want` marks (or any other count than `not`), with one button per mark.
    const settled = (want: { is?: number; not?: number }) =>
      page.waitForFunction((w) => {
        const m = /(\d+) marks/.exec(document.querySelector("[data-testid=mark-count]")?.textContent ?? "");
        if (!m || document.querySelector(".busy")) return false;
        const n = Number(m[1]);
        return (
          (w.is === undefined || n === w.is) && n !== w.not && document.querySelectorAll(".chip").length === n
        );
      }, want);
    const slider = page.getByTestId("granularity");
    await slider.focus();
    await page.keyboard.press("End"); // granularity 1: the finest marks
    await settled({ not: base });
    const n = await markCount();
    expect(n).toBeGreaterThan(60);
    const list = page.getByTestId("mark-list");
    const geometry = await list.evaluate((el) => {
      const chips = Array.from(el.querySelectorAll(".chip")).map((c) => c.getBoundingClientRect());
      return {
        scrolls: el.scrollHeight > el.clientHeight,
        overflowY: getComputedStyle(el).overflowY,
        perRow: chips.filter((r) => Math.abs(r.top - chips[0].top) < 1).length,
        height: el.getBoundingClientRect().height,
      };
    });
    // Many marks per row (a compact grid), a bounded height, a scrollbar that is always there, and a hint.
    expect(geometry.perRow).toBeGreaterThanOrEqual(7);
    expect(geometry.height).toBeLessThan(300);
    expect(geometry).toMatchObject({ scrolls: true, overflowY: "scroll" });
    expect(await page.getByTestId("mark-list-more").textContent()).toBe(
      `All ${n} marks: scroll the list for the rest`,
    );
    // The last mark is reachable from the keyboard (End) and then shows inside the list.
    await page.locator(".chip").first().focus();
    await page.keyboard.press("End");
    const last = page.locator(`.chip[data-mark='${n}']`);
    expect(await last.evaluate((c) => c === document.activeElement)).toBe(true);
    const [lb, cb] = [(await list.boundingBox())!, (await last.boundingBox())!];
    expect(cb.y).toBeGreaterThanOrEqual(lb.y - 1);
    expect(cb.y + cb.height).toBeLessThanOrEqual(lb.y + lb.height + 1);
    await shot("2b-dense-list");
    await slider.focus();
    for (let i = 0; i < 10; i++) await page.keyboard.press("ArrowLeft"); // back to 0.5
    await settled({ is: base });
  });

  it("nested selected regions: each pixel shows the smallest one's colour, whatever the order of clicks", async () => {
    // The same marks as the app's (same image and options through the same API).
    const form = new FormData();
    form.append("image", new Blob([readFileSync(PHOTO)]), "image");
    form.append(
      "options",
      JSON.stringify({
        granularity: 0.5,
        marks: ["number", "mask", "contour"],
        labels: "numeric",
        alpha: 0.3,
      }),
    );
    const res = await fetch(`${server.url}/v1/mark`, { method: "POST", body: form });
    const marks = ((await res.json()) as { manifest: { marks: Mark[] } }).manifest.marks;
    expect(marks.length).toBe(await markCount());
    const onLabel = (x: number, y: number) =>
      marks.some((m) => {
        const [lx, ly, lw, lh] = m.labelBox;
        return x >= lx - 1 && x <= lx + lw + 1 && y >= ly - 1 && y <= ly + lh + 1;
      });
    // A small region inside a larger one, and a pixel of the small one off every label.
    let pair: { big: Mark; small: Mark; x: number; y: number } | undefined;
    for (const small of [...marks].sort((a, b) => a.area - b.area)) {
      const [bx, by, bw, bh] = small.bbox;
      const x = Math.floor(bx + bw / 2);
      const y = Math.floor(by + bh / 2);
      if (!rleHas(small.segmentation, x, y) || onLabel(x, y)) continue;
      const big = marks.find((m) => m.area > small.area && rleHas(m.segmentation, x, y));
      const far = (a: string, b: string) =>
        Math.max(
          ...[1, 3, 5].map((i) =>
            Math.abs(Number.parseInt(a.slice(i, i + 2), 16) - Number.parseInt(b.slice(i, i + 2), 16)),
          ),
        );
      if (big && far(big.color, small.color) > 30) {
        pair = { big, small, x, y };
        break;
      }
    }
    expect(pair).toBeDefined();
    const { big, small, x, y } = pair!;
    const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
    for (const order of [
      [small, big],
      [big, small],
    ]) {
      for (const m of order) await page.locator(`.chip[data-mark='${m.id}']`).click();
      expect(await page.locator(".chip[aria-pressed=true]").count()).toBe(2);
      // Within the rounding of the canvas's premultiplied alpha.
      const seen = (await overlayPixel(x, y)).slice(0, 3);
      const off = (hex: string) => Math.max(...rgb(hex).map((c, i) => Math.abs(c - seen[i])));
      expect(off(small.color), `${seen} vs small ${small.color}, big ${big.color}`).toBeLessThanOrEqual(2);
      await page.keyboard.press("Escape");
    }
  });

  it("clicking a mark selects it; the keyboard toggles marks too", async () => {
    const overlay = page.getByTestId("overlay");
    const box = (await overlay.boundingBox())!;
    await overlay.click({ position: { x: box.width * 0.5, y: box.height * 0.15 } });
    await page.locator(".chip[aria-pressed=true]").first().waitFor();
    expect(await page.locator(".chip[aria-pressed=true]").count()).toBe(1);
    // The selected region is painted on the overlay where it was clicked.
    expect(await overlayAlpha(0.5, 0.15)).toBeGreaterThan(0);
    await shot("3-selected");
    // Keyboard: Space on a mark button toggles it; Escape clears the selection.
    const chip = page.locator(".chip[aria-pressed=false]").first();
    await chip.focus();
    await page.keyboard.press("Space");
    expect(await page.locator(".chip[aria-pressed=true]").count()).toBe(2);
    await page.keyboard.press("Escape");
    expect(await page.locator(".chip[aria-pressed=true]").count()).toBe(0);
    // The marks are one Tab stop: arrows move between them, Tab goes on to the region actions.
    const focusedMark = () => page.evaluate(() => document.activeElement?.getAttribute("data-mark"));
    await page.locator(".chip").first().focus();
    await page.keyboard.press("ArrowRight");
    expect(await focusedMark()).toBe("2");
    await page.keyboard.press("End");
    expect(await focusedMark()).toBe(String(await markCount()));
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Add region");
  });

  it("add mode: a click adds the finer region under the cursor as a new mark, which can be removed", async () => {
    const before = await markCount();
    await page.getByRole("button", { name: "Add region" }).click();
    const overlay = page.getByTestId("overlay");
    const box = (await overlay.boundingBox())!;
    await overlay.click({ position: { x: box.width * 0.3, y: box.height * 0.75 } });
    await page.waitForFunction((n) => {
      const m = /(\d+) marks/.exec(document.querySelector("[data-testid=mark-count]")?.textContent ?? "");
      return m !== null && Number(m[1]) === n + 1;
    }, before);
    await shot("4-added");
    await page.getByRole("button", { name: /Adding regions/ }).click(); // leave add mode
    const added = page.locator(".chip").last();
    await added.click();
    await page.getByRole("button", { name: "Remove selected" }).click();
    await page.waitForFunction(
      (n) =>
        /(\d+) marks/.exec(document.querySelector("[data-testid=mark-count]")?.textContent ?? "")?.[1] ===
        String(n),
      before,
    );
  });

  it("asks a question answered by a local OpenAI-protocol server and lights up the named regions", async () => {
    await page.getByTestId("question").fill("Where is the television?");
    await page.keyboard.press("Enter");
    await page.locator(".msg.answer").waitFor();
    expect(await page.locator(".msg.answer .answer-text").textContent()).toBe(
      "The television is mark [2], next to region 3.",
    );
    // The model got the marked image and the question.
    const seen = fake.requests.at(-1)!;
    expect(JSON.stringify(seen.body)).toContain("Where is the television?");
    // Mentions are buttons; their marks are highlighted in the list and on the image.
    expect(
      await page
        .locator(".msg.answer .mention")
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-mention"))),
    ).toEqual(["2", "3"]);
    expect(
      await page.locator(".chip.hl").evaluateAll((els) => els.map((e) => e.getAttribute("data-mark"))),
    ).toEqual(["2", "3"]);
    const dimmed = await page.getByTestId("overlay").evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      let veil = 0;
      let clear = 0;
      for (let i = 3; i < d.length; i += 4) {
        if (d[i] === 170) veil++;
        else if (d[i] === 0) clear++;
      }
      return { veil, clear };
    });
    // Everything but marks 2 and 3 is veiled; their pixels stay clear.
    expect(dimmed.veil).toBeGreaterThan(0);
    expect(dimmed.clear).toBeGreaterThan(0);
    await shot("5-answer");
    // Clicking one mention shows only that mark.
    await page.locator(".msg.answer .mention[data-mention='3']").click();
    expect(
      await page.locator(".chip.hl").evaluateAll((els) => els.map((e) => e.getAttribute("data-mark"))),
    ).toEqual(["3"]);
    await shot("6-mention-3");
  });

  it("refer and ground answers name marks as buttons too, like ask's", async () => {
    const mentionsOf = (i: number) =>
      page
        .locator(".msg.answer")
        .nth(i)
        .locator(".answer-text .mention")
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-mention")));
    const hl = () =>
      page.locator(".chip.hl").evaluateAll((els) => els.map((e) => e.getAttribute("data-mark")));
    await page.getByTestId("task").selectOption("refer");
    await page.getByTestId("question").fill("the cup left of the laptop");
    await page.keyboard.press("Enter");
    await page.locator(".msg.answer").nth(1).waitFor();
    expect(await page.locator(".msg.answer").nth(1).locator(".answer-text").textContent()).toBe(
      "That is mark [4].",
    );
    expect(await mentionsOf(1)).toEqual(["4"]);
    expect(await hl()).toEqual(["4"]);
    await page.locator(".mention[data-mention='3']").first().click(); // the ask answer's
    expect(await hl()).toEqual(["3"]);
    await page.locator(".msg.answer").nth(1).locator(".mention[data-mention='4']").click();
    expect(await hl()).toEqual(["4"]);

    await page.getByTestId("task").selectOption("ground");
    await page.getByTestId("question").fill("a person near a plant | a person; a plant");
    await page.keyboard.press("Enter");
    await page.locator(".msg.answer").nth(2).waitFor();
    expect(await mentionsOf(2)).toEqual(["1", "4"]);
    expect(await hl()).toEqual(["1", "4"]);
    await page.locator(".msg.answer").nth(2).locator(".answer-text .mention[data-mention='1']").click();
    expect(await hl()).toEqual(["1"]);
    await shot("6b-ground");
    // The whole page with answers, highlights and controls passes axe.
    expect(await axeViolations(page)).toEqual([]);
    await page.getByTestId("task").selectOption("ask");
  });

  it("opens a second photo dropped onto the page, and a pasted one", async () => {
    const bytes = readFileSync(cocoImage("000000000285"));
    const dropFile = (kind: "drop" | "paste") =>
      page.evaluate(
        ([b64, k]) => {
          const bin = atob(b64);
          const data = new Uint8Array(bin.length);
          for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
          const dt = new DataTransfer();
          dt.items.add(
            new File([data], k === "drop" ? "bear.jpg" : "pasted-bear.jpg", { type: "image/jpeg" }),
          );
          if (k === "drop")
            window.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, cancelable: true }));
          else document.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, cancelable: true }));
        },
        [bytes.toString("base64"), kind] as [string, string],
      );
    await dropFile("drop");
    await page.locator("header .file", { hasText: "bear.jpg" }).waitFor();
    await page
      .getByTestId("mark-count")
      .filter({ hasText: /\d+ marks/ })
      .waitFor();
    // A new image starts a new conversation.
    expect(await page.locator(".msg").count()).toBe(0);
    expect(
      await page.locator(".stage img").evaluate((i: HTMLImageElement) => [i.naturalWidth, i.naturalHeight]),
    ).toEqual(
      await sharp(bytes)
        .metadata()
        .then((m) => [m.width, m.height]),
    );
    await shot("7-dropped");
    await dropFile("paste");
    await page.locator("header .file", { hasText: "pasted-bear.jpg" }).waitFor();
    await page
      .getByTestId("mark-count")
      .filter({ hasText: /\d+ marks/ })
      .waitFor();
  });

  it("offers the downloads", async () => {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Manifest" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("pasted-bear.som.json");
    const path = await download.path();
    const manifest = JSON.parse(readFileSync(path, "utf8"));
    expect(manifest.marks.length).toBe(await markCount());
    const [png] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Marked PNG" }).click(),
    ]);
    expect(png.suggestedFilename()).toBe("pasted-bear.som.png");
    const meta = await sharp(await png.path()).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual([
      "png",
      manifest.image.width,
      manifest.image.height,
    ]);
    // The selection: one mark selected, its mask as a black-and-white PNG with exactly its area in white.
    await page.locator(".chip").nth(2).click();
    const [sel] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Selection PNG" }).click(),
    ]);
    const stats = await sharp(await sel.path()).stats();
    const white = Math.round((stats.channels[0].mean / 255) * manifest.image.width * manifest.image.height);
    expect(white).toBe(manifest.marks[2].area);
    writeFileSync(join(ARTIFACTS, "timings.json"), `${JSON.stringify(timings, null, 2)}\n`);
  });

  it("says why a file that is not an image cannot be marked, and recovers with the next image", async () => {
    await page.getByTestId("file-input").setInputFiles({
      name: "notes.jpg",
      mimeType: "image/jpeg",
      buffer: Buffer.from("these are notes, not a JPEG"),
    });
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/not an image/);
    // Retrying the same bytes cannot help: no Retry button; nothing of the previous photo stays on screen.
    expect(await alert.getByRole("button", { name: "Retry" }).count()).toBe(0);
    expect(await page.locator(".stage img").count()).toBe(0);
    expect(await page.locator(".placeholder").textContent()).toMatch(/Could not mark this image/);
    await shot("8-not-an-image");
    await page.getByTestId("file-input").setInputFiles(PHOTO);
    await page.locator(".stage img").waitFor();
    expect(await page.getByRole("alert").count()).toBe(0);
  });
});

describe("on a 400-pixel-wide screen", () => {
  it("has a favicon, fits the width, keeps every control reachable, and passes axe", async () => {
    const tab = await context.newPage();
    try {
      await tab.setViewportSize({ width: 400, height: 800 });
      await tab.goto(server.url);
      // The favicon the page names is served, and is an image.
      const href = await tab.locator("link[rel=icon]").getAttribute("href");
      expect(href).toBe("/favicon.svg");
      const icon = await tab.request.get(new URL(href!, server.url).href);
      expect([icon.status(), icon.headers()["content-type"]]).toEqual([200, "image/svg+xml"]);
      expect(await sharp(await icon.body()).metadata()).toMatchObject({
        format: "svg",
        width: 32,
        height: 32,
      });

      await tab.getByTestId("file-input-main").setInputFiles(PHOTO);
      await tab
        .getByTestId("mark-count")
        .filter({ hasText: /\d+ marks/ })
        .waitFor();
      await tab.getByTestId("question").fill("Where is the television?");
      await tab.keyboard.press("Enter");
      await tab.locator(".msg.answer").waitFor();
      // The answer's marks light up here too: the rest of the image is veiled.
      const veiled = await tab.getByTestId("overlay").evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] === 170) n++;
        return n;
      });
      expect(veiled).toBeGreaterThan(0);
      // Nothing wider than the screen: no horizontal scrolling.
      expect(
        await tab.evaluate(() => [
          document.documentElement.scrollWidth,
          document.documentElement.clientWidth,
        ]),
      ).toEqual([400, 400]);
      // Every control lies within the width (scrolling down reaches it); the image fits too.
      const outside = await tab.evaluate(() =>
        Array.from(document.querySelectorAll("button, input:not(.visually-hidden), select, textarea, .stage"))
          .map((el) => ({ el, r: el.getBoundingClientRect() }))
          .filter(({ r }) => r.width > 0 && (r.left < 0 || r.right > 400))
          .map(({ el, r }) => `${el.outerHTML.slice(0, 60)} ${r.left}..${r.right}`),
      );
      expect(outside).toEqual([]);
      // The ones a user needs, visible once scrolled to.
      for (const control of [
        tab.getByRole("button", { name: "Open image…" }),
        tab.getByTestId("granularity"),
        tab.locator(".chip").first(),
        tab.getByRole("button", { name: "Add region" }),
        tab.getByTestId("question"),
        tab.getByRole("button", { name: "Marked PNG" }),
      ]) {
        await control.scrollIntoViewIfNeeded();
        expect(await control.isVisible()).toBe(true);
      }
      await tab.locator(".stage").scrollIntoViewIfNeeded();
      await tab.screenshot({ path: join(ARTIFACTS, "9-narrow.png"), fullPage: true });
      expect(await axeViolations(tab)).toEqual([]);
    } finally {
      await tab.close();
    }
  });
});

describe("a server started with a token", () => {
  it("asks for the token once, then works", async () => {
    const secured = await startSomServer({ port: 0, webDir: await ensureWebBuilt(), token: "tok-123" });
    const tab = await context.newPage();
    try {
      await tab.goto(secured.url);
      // This server says it needs a token (GET /healthz), so the app asks for it.
      expect((await (await fetch(`${secured.url}/healthz`)).json()).tokenRequired).toBe(true);
      const dialog = tab.getByRole("dialog", { name: "API token" });
      await dialog.waitFor();
      expect(await axeViolations(tab)).toEqual([]);
      await dialog.locator("input[type=password]").fill("tok-123");
      await tab.getByRole("button", { name: "Save" }).click();
      await dialog.waitFor({ state: "detached" });
      await tab.getByTestId("file-input-main").setInputFiles(PHOTO);
      await tab
        .getByTestId("mark-count")
        .filter({ hasText: /\d+ marks/ })
        .waitFor();
      // The token lives in this tab's session storage only.
      expect(await tab.evaluate(() => [sessionStorage.getItem("som.token"), localStorage.length])).toEqual([
        "tok-123",
        0,
      ]);
      // The dialog opens again from the header and closes with Escape, keeping the token.
      await tab.getByRole("button", { name: "Token" }).click();
      await dialog.waitFor();
      await tab.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      expect(await tab.evaluate(() => sessionStorage.getItem("som.token"))).toBe("tok-123");
    } finally {
      await tab.close();
      await secured.close();
    }
  });
});
