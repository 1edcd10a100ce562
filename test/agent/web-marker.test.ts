import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAgent } from "../../src/agent/run-agent.js";
import { WebSession } from "../../src/agent/session.js";
import { createWebMarker } from "../../src/agent/web-marker.js";
import { createProvider } from "../../src/providers/create.js";
import { startFakeOpenAI } from "../helpers/fake-openai-server.js";
import { CHROMIUM_FLAGS } from "../../src/browser/launch.js";
import { findSystemBinary, SYSTEM_CHROMIUM } from "../helpers/system-binaries.js";
import { servePages } from "./pages.js";

const CHROMIUM = findSystemBinary(SYSTEM_CHROMIUM);
const FLAGS = [...CHROMIUM_FLAGS];

// A listener-only "button" (no role, no tabindex) and a form; the model finds ids in the text list it is sent.
const PAGE = `<!doctype html><title>shop</title>
<style>#agree{opacity:0;position:absolute}</style>
<label>Name <input id="name"></label>
<input type="checkbox" id="agree"><label for="agree">I agree</label>
<select id="size" aria-label="Size"><option>Small</option><option>Large</option></select>
<span id="go">Continue</span><p id="out"></p>
<script>document.getElementById("go").addEventListener("click", () => { out.textContent = "continued"; });</script>`;

let site: Awaited<ReturnType<typeof servePages>>;
beforeAll(async () => {
  site = await servePages(() => ({ "/": PAGE }));
});
afterAll(() => site?.close());

/** The id of the first text-list line matching `re`. */
const idOf = (list: string, re: RegExp) => {
  const line = list.split("\n").find((l) => re.test(l));
  if (!line) throw new Error(`no line matching ${re} in:\n${list}`);
  return Number(/^\[(\d+)\]/.exec(line)?.[1]);
};

describe("som agent with the som web marker", () => {
  it("acts on the marks and text list the real marker produces", async () => {
    const plan = [
      (l: string) => `type [${idOf(l, /textbox "Name"/)}] "Grace"`,
      (l: string) => `check [${idOf(l, /I agree/)}]`,
      (l: string) => `select [${idOf(l, /combobox "Size"/)}] "large"`,
      (l: string) => `click [${idOf(l, /Continue/)}]`,
      () => 'answer "ok"',
    ];
    let step = 0;
    const server = await startFakeOpenAI({
      model: (input) => plan[Math.min(step++, plan.length - 1)](input.prompt),
    });
    const provider = await createProvider({
      provider: "openai-compatible",
      baseURL: server.baseURL,
      model: "m",
      cache: false,
      maxRetries: 0,
    });
    const { marker, prepareContext } = await createWebMarker();
    const session = await WebSession.open(`${site.origin}/`, {
      marker,
      prepareContext,
      launch: () => chromium.launch({ executablePath: CHROMIUM, args: FLAGS }),
    });
    try {
      const t = await runAgent({ session, provider, task: "fill the form and continue", maxSteps: 6 });
      expect(t.steps.map((s) => `${s.action} ${s.ok}`)).toHaveLength(5);
      expect(
        t.steps.every((s) => s.ok),
        JSON.stringify(t.steps.map((s) => s.result)),
      ).toBe(true);
      const state = await session.page.evaluate(() => ({
        name: (document.getElementById("name") as HTMLInputElement).value,
        agree: (document.getElementById("agree") as HTMLInputElement).checked,
        size: (document.getElementById("size") as HTMLSelectElement).value,
        out: document.getElementById("out")?.textContent,
      }));
      expect(state).toEqual({ name: "Grace", agree: true, size: "Large", out: "continued" });
    } finally {
      await session.close();
      await server.close();
    }
  });
});
