import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAgent } from "../../src/agent/run-agent.js";
import { WebSession } from "../../src/agent/session.js";
import { createProvider } from "../../src/providers/create.js";
import { startFakeOpenAI } from "../helpers/fake-openai-server.js";
import type { ModelInput } from "../helpers/fake-http-server.js";
import { CHROMIUM_FLAGS } from "../../src/browser/launch.js";
import { findSystemBinary, SYSTEM_CHROMIUM } from "../helpers/system-binaries.js";
import { fixtureMarker } from "./fixture-marker.js";
import { servePages } from "./pages.js";

const CHROMIUM = findSystemBinary(SYSTEM_CHROMIUM);
const FLAGS = [...CHROMIUM_FLAGS];
const launch = () => chromium.launch({ executablePath: CHROMIUM, args: FLAGS });

const FORM = `<!doctype html><title>form</title>
<style>#agree{opacity:0;position:absolute} label{display:inline-block;padding:4px}</style>
<input id="name" data-mark aria-label="Name">
<input type="checkbox" id="agree"><label for="agree" data-mark>I agree</label>
<select id="colour" data-mark aria-label="Colour"><option>Red</option><option value="g">Green</option><option>Blue</option></select>`;

const pagesOn = (other: () => string) => (origin: string) => ({
  "/form": FORM,
  "/links": `<!doctype html><a data-mark href="${origin}/next">Next page</a> <a data-mark href="${other()}/elsewhere">Elsewhere</a>`,
  "/next": "<!doctype html><h1>Next</h1>",
  "/covered": `<!doctype html><button data-mark id="buy" onclick="window.clicks=(window.clicks||0)+1">Buy</button>
<div id="modal" class="overlay" style="position:fixed;inset:0;background:rgba(0,0,0,.4)">Sign up first</div>`,
  "/long": `<!doctype html><div style="height:5000px">tall</div>`,
});

let site: Awaited<ReturnType<typeof servePages>>;
let otherSite: Awaited<ReturnType<typeof servePages>>;
let dir: string;

beforeAll(async () => {
  otherSite = await servePages(() => ({ "/elsewhere": "<h1>other origin</h1>" }));
  site = await servePages(pagesOn(() => otherSite.origin));
  dir = await mkdtemp(join(tmpdir(), "som-agent-"));
});
afterAll(async () => {
  await site?.close();
  await otherSite?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A model that answers the scripted lines in order (then keeps repeating the last one). */
async function scripted(answers: string[]) {
  const seen: ModelInput[] = [];
  const server = await startFakeOpenAI({
    model: (input) => {
      seen.push(input);
      return answers[Math.min(seen.length - 1, answers.length - 1)];
    },
  });
  const provider = await createProvider({
    provider: "openai-compatible",
    baseURL: server.baseURL,
    model: "scripted",
    cache: false,
    maxRetries: 0,
  });
  return { provider, seen, close: () => server.close() };
}

async function run(path: string, answers: string[], maxSteps = 8) {
  const model = await scripted(answers);
  const session = await WebSession.open(`${site.origin}${path}`, { marker: fixtureMarker, launch });
  const out = join(dir, `${path.slice(1)}-${Date.now()}`);
  try {
    const t = await runAgent({ session, provider: model.provider, task: "do the test task", maxSteps, out });
    return { t, session, model, out };
  } finally {
    await model.close();
  }
}

describe("som agent loop, real Chromium, OpenAI wire protocol", () => {
  it("types, checks a hidden checkbox through its label and picks an option fuzzily", async () => {
    const { t, session, model, out } = await run("/form", [
      'Thought: fill the name.\nAction: type [1] "Ada Lovelace"',
      "check [2]",
      '{"action":"select","mark":3,"option":"green"}',
      'answer "done"',
    ]);
    try {
      expect(t.stop).toBe("answer");
      expect(t.answer).toBe("done");
      expect(t.steps.map((s) => s.ok)).toEqual([true, true, true, true]);
      const state = await session.page.evaluate(() => ({
        name: (document.getElementById("name") as HTMLInputElement).value,
        agree: (document.getElementById("agree") as HTMLInputElement).checked,
        colour: (document.getElementById("colour") as HTMLSelectElement).value,
      }));
      expect(state).toEqual({ name: "Ada Lovelace", agree: true, colour: "g" });
      // The model saw the marked screenshot, the text list and the steps so far.
      expect(model.seen[0].image.subarray(1, 4).toString()).toBe("PNG");
      expect(model.seen[0].prompt).toContain('[1] input "Name"');
      expect(model.seen[1].prompt).toMatch(/1\. type \[1\] "Ada Lovelace" → typed/);
      for (const f of [
        "trajectory.json",
        "report.html",
        "step-01.png",
        "step-01.elements.txt",
        "step-04.answer.txt",
      ]) {
        expect(existsSync(join(out, f)), f).toBe(true);
      }
      const report = readFileSync(join(out, "report.html"), "utf8");
      expect(report).toContain("select [3] &quot;green&quot;");
      expect(report).toContain("answered &quot;done&quot;");
    } finally {
      await session.close();
    }
  });

  it("follows a same-origin link and blocks one to another origin", async () => {
    const blocked = await run("/links", ["click [2]", "click [1]", 'answer "ok"']);
    try {
      expect(blocked.t.steps[0].ok).toBe(false);
      expect(blocked.t.steps[0].result).toContain(`navigation to ${otherSite.origin}/elsewhere blocked`);
      expect(blocked.t.steps[1].ok).toBe(true);
      expect(blocked.session.url()).toBe(`${site.origin}/next`);
      expect(await blocked.session.page.textContent("h1")).toBe("Next");
    } finally {
      await blocked.session.close();
    }
  });

  it("reports a click a covering overlay would receive instead of clicking", async () => {
    const { t, session } = await run("/covered", ["click [1]", 'answer "blocked"']);
    try {
      expect(t.steps[0].ok).toBe(false);
      expect(t.steps[0].result).toMatch(/^intercepted by <div#modal\.overlay> "Sign up first"/);
      expect(await session.page.evaluate(() => (window as { clicks?: number }).clicks ?? 0)).toBe(0);
    } finally {
      await session.close();
    }
  });

  it("stops at --max-steps; scroll moves the page; unknown marks are reported", async () => {
    const { t, session } = await run("/long", ["click [7]", "scroll down"], 3);
    try {
      expect(t.stop).toBe("max-steps");
      expect(t.steps).toHaveLength(3);
      expect(t.steps[0].result).toMatch(/unknown mark \[7\]/);
      expect(await session.page.evaluate(() => window.scrollY)).toBeGreaterThan(500);
    } finally {
      await session.close();
    }
  });
});
