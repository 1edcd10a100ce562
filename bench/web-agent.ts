/**
 * Bench (c) of issue 14: a rule-based policy (bench/web-agent-policy.ts) behind a local OpenAI-compatible
 * server, run through `som agent` on MiniWoB++ click / type / check task families; success rate per task.
 *
 *   npx tsx bench/web-agent.ts [--seeds N] [--tasks a,b,c]
 *
 * Each episode: the page is served on loopback, `--setup` seeds it (`Math.seedrandom(seed);
 * core.startEpisodeReal()`) and reports WOB_REWARD_GLOBAL to the policy server when the episode ends
 * (sendBeacon, not a navigation); reward > 0 is success. The instruction (`#query`) is read first in a
 * separate page with the same seed and given to `som agent` as TASK.
 */
import { spawn } from "node:child_process";
import { readFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_FLAGS, findChromium } from "../src/browser/launch.js";
import { startFakeOpenAI } from "../test/helpers/fake-openai-server.js";
import { policyAnswer } from "./web-agent-policy.js";

const ROOT = resolve(import.meta.dirname, "..");
const DATA = resolve(ROOT, "../shared/datasets/miniwob-plusplus");
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const SEEDS = Number(arg("--seeds") ?? 5);
const TASKS = (
  arg("--tasks") ??
  "click-link,click-test,click-test-2,click-option,click-checkboxes,focus-text,focus-text-2,enter-password"
).split(",");

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".png": "image/png",
};
const site = createServer(async (req, res) => {
  const path = join(DATA, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
  if (!path.startsWith(DATA)) return res.writeHead(403).end();
  try {
    const body = await readFile(path);
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
const policy = await startFakeOpenAI({ model: (input) => policyAnswer(input.prompt) });
const work = await mkdtemp(join(tmpdir(), "som-web-agent-"));

const browser = await chromium.launch({ executablePath: findChromium(), args: [...CHROMIUM_FLAGS] });
async function queryFor(task: string, seed: number): Promise<string> {
  const page = await browser.newPage();
  await page.goto(`${origin}/miniwob/${task}.html`);
  const q = await page.evaluate(
    `Math.seedrandom(${seed}); core.startEpisodeReal(); document.querySelector("#query").textContent`,
  );
  await page.close();
  return String(q).trim();
}

function som(args: string[]): Promise<{ code: number; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/entry.ts"), ...args], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => done({ code: code ?? -1, stderr, ms: Date.now() - t0 }));
  });
}

const rows: { task: string; ok: number; n: number; steps: number; ms: number }[] = [];
for (const task of TASKS) {
  const row = { task, ok: 0, n: 0, steps: 0, ms: 0 };
  for (let seed = 1; seed <= SEEDS; seed++) {
    const query = await queryFor(task, seed);
    const key = `${task}-${seed}`;
    const setup = join(work, `${key}.js`);
    await writeFile(
      setup,
      `Math.seedrandom(${seed}); core.startEpisodeReal();
const end = core.endEpisode;
core.endEpisode = function () { const r = end.apply(this, arguments);
  navigator.sendBeacon(${JSON.stringify(`${policy.origin}/reward?key=${key}&r=`)} + WOB_REWARD_GLOBAL); return r; };`,
    );
    const out = join(work, key);
    const run = await som([
      "agent",
      `${origin}/miniwob/${task}.html`,
      query,
      "--provider",
      "openai-compatible",
      "--base-url",
      policy.baseURL,
      "--model",
      "rules",
      "--no-cache",
      "--max-steps",
      "6",
      "--viewport",
      "400x300",
      "--setup",
      setup,
      "-o",
      out,
    ]);
    const steps = (run.stderr.match(/^som: step \d+/gm) ?? []).length;
    const reward = policy.requests
      .find((r) => r.path === "/reward" && r.query.get("key") === key)
      ?.query.get("r");
    const success = reward != null && Number(reward) > 0;
    row.n++;
    row.ok += success ? 1 : 0;
    row.steps += steps;
    row.ms += run.ms;
    if (!success) {
      process.stderr.write(
        `  ${key} FAILED (reward ${reward ?? "none"}): ${JSON.stringify(query)}\n${run.stderr
          .split("\n")
          .filter((l) => /step|error|som:/.test(l))
          .slice(0, 8)
          .join("\n")}\n`,
      );
      if (process.argv.includes("--verbose")) {
        process.stderr.write(await readFile(join(out, "step-01.elements.txt"), "utf8").catch(() => ""));
      }
    }
  }
  rows.push(row);
  console.log(
    `${task.padEnd(18)} ${row.ok}/${row.n}  ${(row.steps / row.n).toFixed(1)} steps  ${(row.ms / row.n / 1000).toFixed(1)} s/episode`,
  );
}
const ok = rows.reduce((s, r) => s + r.ok, 0);
const n = rows.reduce((s, r) => s + r.n, 0);
console.log(`all                ${ok}/${n} (${((100 * ok) / n).toFixed(0)} %)`);
await browser.close();
await policy.close();
site.close();
await rm(work, { recursive: true, force: true });
