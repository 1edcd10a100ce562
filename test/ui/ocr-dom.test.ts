import { chromium } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUiProposer, formatUiMarks } from "../../src/proposers/ui/index.js";
import type { Region } from "../../src/regions/region.js";
import { findSystemBinary, SYSTEM_CHROMIUM } from "../helpers/system-binaries.js";

const CHROMIUM = findSystemBinary(SYSTEM_CHROMIUM);

// A generated form page; the DOM (text and boxes of its labelled elements) is the oracle.
const PAGE = (dark: boolean) => `<body style="font:16px sans-serif;padding:24px;margin:0;
  background:${dark ? "#1e1e1e" : "#fff"};color:${dark ? "#eee" : "#111"}">
  <h2 data-t>Account settings</h2>
  <div><input placeholder="Search" style="width:280px;font-size:16px"> <button data-t style="font-size:16px">Sign in</button></div>
  <p data-t>Forgot your password?</p>
  <label><input type=checkbox> <span data-t>Remember me</span></label>
  <div style="margin-top:200px;margin-left:700px"><button data-t style="font-size:16px">Continue</button></div></body>`;

interface Oracle {
  text: string;
  box: [number, number, number, number];
}

let browser: Awaited<ReturnType<typeof chromium.launch>>;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
});
afterAll(async () => browser?.close());

async function shoot(dark: boolean, scale: number) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: scale });
  await page.setContent(PAGE(dark));
  const oracle: Oracle[] = await page.$$eval("[data-t]", (els) =>
    els.map((e) => {
      // The text's own box (a block heading spans the page; its text does not).
      const range = document.createRange();
      range.selectNodeContents(e);
      const r = range.getBoundingClientRect();
      return {
        text: (e.textContent ?? "").trim(),
        box: [r.x, r.y, r.width, r.height] as [number, number, number, number],
      };
    }),
  );
  const png = await page.screenshot();
  await page.close();
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const image = { width: info.width, height: info.height, data: new Uint8Array(data) };
  return { image, oracle: oracle.map((o) => ({ ...o, box: o.box.map((v) => v * scale) as Oracle["box"] })) };
}

function markFor(o: Oracle, regions: Region[]): Region | undefined {
  const cx = o.box[0] + o.box[2] / 2;
  const cy = o.box[1] + o.box[3] / 2;
  return regions.find((r) => {
    const [x, y, w, h] = r.bbox;
    return cx >= x && cx <= x + w && cy >= y && cy <= y + h && String(r.extra?.text).includes(o.text);
  });
}

describe("ui proposer on real Chromium screenshots", () => {
  for (const [dark, scale] of [
    [false, 1],
    [true, 1],
    [false, 2],
  ] as const) {
    it(`reads every labelled element (${dark ? "dark" : "light"}, ×${scale}) at its DOM position`, async () => {
      const { image, oracle } = await shoot(dark, scale);
      const regions = await createUiProposer().propose(image);
      for (const o of oracle) {
        const m = markFor(o, regions);
        expect(m, `"${o.text}" at ${o.box.join(",")} — marks: ${formatUiMarks(regions)}`).toBeDefined();
        // The mark's click point lies inside the DOM element (boxes map back to original pixels exactly).
        const [px, py] = (m?.extra?.point ?? [-1, -1]) as [number, number];
        expect(px).toBeGreaterThanOrEqual(o.box[0] - 2);
        expect(px).toBeLessThanOrEqual(o.box[0] + o.box[2] + 2);
        expect(py).toBeGreaterThanOrEqual(o.box[1] - 2);
        expect(py).toBeLessThanOrEqual(o.box[1] + o.box[3] + 2);
        expect(m?.extra?.confidence as number).toBeGreaterThan(0.8);
      }
      // Text inside a bordered control names the control.
      expect(regions.find((r) => r.extra?.text === "Sign in")?.extra?.kind).toBe("button");
      // The search field and the button beside it are separate marks.
      const search = regions.find((r) => r.extra?.text === "Search");
      expect(search).toBeDefined();
      expect(String(search?.extra?.text)).not.toContain("Sign");
    }, 120_000);
  }
});
