import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSom } from "../helpers/cli.js";
import { startFakeOpenAI } from "../helpers/fake-openai-server.js";
import { findSystemBinary, SYSTEM_CHROMIUM } from "../helpers/system-binaries.js";
import { servePages } from "./pages.js";

const CHROMIUM = findSystemBinary(SYSTEM_CHROMIUM);
const PAGE = `<!doctype html><title>search</title><input aria-label="Search" id="q">
<script>document.getElementById("q").addEventListener("keydown", (e) => { if (e.key === "Enter") location.href = "/results?q=" + encodeURIComponent(e.target.value); });</script>`;

let site: Awaited<ReturnType<typeof servePages>>;
let dir: string;
beforeAll(async () => {
  site = await servePages(() => ({
    "/": PAGE,
    "/results": "<!doctype html><title>results</title><h1>3 results</h1>",
  }));
  dir = await mkdtemp(join(tmpdir(), "som-agent-cli-"));
});
afterAll(async () => {
  await site?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("som agent (CLI)", () => {
  it("runs the loop against an OpenAI-compatible server and writes the trajectory folder", async () => {
    const answers = ['Action: type [1] "red shoes" + Enter', 'answer "3 results"'];
    let i = 0;
    const server = await startFakeOpenAI({ model: () => answers[Math.min(i++, answers.length - 1)] });
    const out = join(dir, "run");
    try {
      const r = await runSom(
        [
          "agent",
          `${site.origin}/`,
          "search for red shoes",
          "--provider",
          "openai-compatible",
          "--base-url",
          server.baseURL,
          "--model",
          "m",
          "--no-cache",
          "-o",
          out,
          "--json",
        ],
        { env: { SOM_CHROMIUM: CHROMIUM } },
      );
      expect(r.stderr).toContain('answered after 2 steps: "3 results"');
      expect(r.code).toBe(0);
      const t = JSON.parse(r.stdout);
      expect(t.steps[0].result).toBe('typed "red shoes" into [1] + Enter');
      expect(t.finalUrl).toBe(`${site.origin}/results?q=red%20shoes`);
      expect(JSON.parse(readFileSync(join(out, "trajectory.json"), "utf8")).stop).toBe("answer");
      expect(existsSync(join(out, "step-02.png"))).toBe(true);
      expect(readFileSync(join(out, "step-01.elements.txt"), "utf8")).toMatch(/\[1\] textbox "Search"/);
    } finally {
      await server.close();
    }
  });

  it("rejects a bad --viewport in one line, exit ≠ 0", async () => {
    const r = await runSom(["agent", "http://127.0.0.1:9/", "x", "--viewport", "big"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--viewport takes WIDTHxHEIGHT/);
  });
});
