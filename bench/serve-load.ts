/**
 * Load check of `som serve` (run: npx tsx bench/serve-load.ts). Starts the real CLI server as a child
 * process and measures:
 *  1. five bursts of 50 concurrent POST /v1/mark, each request with a photo the server has not seen (COCO
 *     photos, then the same photos mirrored, then flipped): status counts (only 200 and 429 are acceptable), latency,
 *     the server's peak resident memory (read from /proc; the compute worker threads are in the same process),
 *     and how long GET /healthz takes while the burst runs (probed every 100 ms);
 *  2. the slider path on a 1024-pixel photo: the first mark (hierarchy built), then re-marks at other
 *     granularities by imageId (hierarchy reused), then a revisit (result cache).
 * Writes bench/out/serve-load.json and prints a Markdown summary.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import sharp from "sharp";

const ROOT = resolve(import.meta.dirname, "..");
const IMAGES = resolve(ROOT, "..", "shared", "datasets", "coco-panoptic-val2017", "images");
const BURST = 50;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function startServer(): Promise<{ url: string; pid: number; stop(): void }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/entry.ts", "serve", "--port", "0", "--quiet"],
    {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  const url = await new Promise<string>((ok, fail) => {
    let err = "";
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
      const m = /(http:\/\/[\d.]+:\d+)\//.exec(err);
      if (m) ok(m[1]);
    });
    child.on("exit", (code) => fail(new Error(`server exited (${code}): ${err}`)));
  });
  return { url, pid: child.pid!, stop: () => child.kill("SIGTERM") };
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies of several shapes
type Json = any;

async function post(
  url: string,
  body: FormData | string,
): Promise<{ status: number; ms: number; json: Json }> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: "POST",
    body,
    headers: typeof body === "string" ? { "content-type": "application/json" } : undefined,
  });
  const json = await res.json();
  return { status: res.status, ms: performance.now() - t0, json };
}

function form(bytes: Buffer): FormData {
  const f = new FormData();
  f.append("image", new Blob([new Uint8Array(bytes)]), "photo.jpg");
  return f;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]) : 0;
};

const server = await startServer();
const files = readdirSync(IMAGES)
  .filter((f) => f.endsWith(".jpg"))
  .sort();
const originals = files.slice(0, BURST * 2).map((f) => readFileSync(join(IMAGES, f)));
const mirrored = await Promise.all(originals.map((b) => sharp(b).flop().jpeg().toBuffer()));
const flipped = await Promise.all(originals.slice(0, BURST).map((b) => sharp(b).flip().jpeg().toBuffer()));
const photos = [...originals, ...mirrored, ...flipped];
const BURSTS = photos.length / BURST;
let peak = rssMb(server.pid);
const idle = peak;
const sampler = setInterval(() => {
  peak = Math.max(peak, rssMb(server.pid));
}, 50);

/** Probe /healthz every 100 ms until stopped: the main thread's responsiveness under load. */
function probeHealth(): { stop(): Promise<number[]> } {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await (await fetch(`${server.url}/healthz`)).arrayBuffer();
      times.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return times;
    },
  };
}

const bursts = [];
for (let b = 0; b < BURSTS; b++) {
  const t0 = performance.now();
  const probe = probeHealth();
  const results = await Promise.all(
    photos.slice(b * BURST, (b + 1) * BURST).map((p) => post(`${server.url}/v1/mark`, form(p))),
  );
  const health = await probe.stop();
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const ok = results.filter((r) => r.status === 200).map((r) => r.ms);
  const refused = results.filter((r) => r.status === 429).map((r) => r.ms);
  bursts.push({
    burst: b + 1,
    statuses: counts,
    otherErrors: results.filter((r) => r.status !== 200 && r.status !== 429).map((r) => r.json?.error),
    okP50Ms: pct(ok, 50),
    okMaxMs: pct(ok, 100),
    refusedP50Ms: pct(refused, 50),
    refusedMaxMs: pct(refused, 100),
    healthP50Ms: pct(health, 50),
    healthMaxMs: pct(health, 100),
    wallMs: Math.round(performance.now() - t0),
    peakRssMb: Math.round(peak),
  });
}

// Slider path on a 1024-pixel photo.
const big = await sharp(photos[0]).resize(1024).jpeg({ quality: 92 }).toBuffer();
const first = await post(
  `${server.url}/v1/mark`,
  (() => {
    const f = form(big);
    f.append("options", JSON.stringify({ granularity: 0.5 }));
    return f;
  })(),
);
const imageId = first.json.imageId;
const slider: { granularity: number; marks: number; roundTripMs: number; server: Record<string, number> }[] =
  [];
for (const g of [0.45, 0.4, 0.35, 0.3, 0.55, 0.6, 0.65, 0.7, 0.5]) {
  const r = await post(`${server.url}/v1/mark`, JSON.stringify({ imageId, options: { granularity: g } }));
  slider.push({
    granularity: g,
    marks: r.json.manifest.marks.length,
    roundTripMs: Math.round(r.ms),
    server: r.json.timings,
  });
}
clearInterval(sampler);
const endRss = Math.round(rssMb(server.pid));
server.stop();

const out = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: (await import("node:os")).cpus().length,
  idleRssMb: Math.round(idle),
  endRssMb: endRss,
  bursts,
  slider: {
    image: `${files[0]} resized to 1024 px`,
    firstMs: Math.round(first.ms),
    firstTimings: first.json.timings,
    steps: slider,
  },
};
mkdirSync(join(ROOT, "bench", "out"), { recursive: true });
writeFileSync(join(ROOT, "bench", "out", "serve-load.json"), `${JSON.stringify(out, null, 2)}\n`);

console.log(`idle RSS ${out.idleRssMb} MB, end RSS ${endRss} MB`);
console.log(
  "| burst | 200 | 429 | other | 200 p50 / max ms | 429 p50 / max ms | /healthz p50 / max ms | wall ms | peak RSS MB |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const b of bursts)
  console.log(
    `| ${b.burst} | ${b.statuses[200] ?? 0} | ${b.statuses[429] ?? 0} | ${b.otherErrors.length} | ${b.okP50Ms} / ${b.okMaxMs} | ${b.refusedP50Ms} / ${b.refusedMaxMs} | ${b.healthP50Ms} / ${b.healthMaxMs} | ${b.wallMs} | ${b.peakRssMb} |`,
  );
console.log(
  `\nfirst mark of the 1024-px photo: ${out.slider.firstMs} ms (${JSON.stringify(first.json.timings)})`,
);
console.log("| granularity | marks | round trip ms | propose ms | allocate ms | render ms |");
console.log("|---|---|---|---|---|---|");
for (const s of slider)
  console.log(
    `| ${s.granularity} | ${s.marks} | ${s.roundTripMs} | ${s.server.proposeMs} | ${s.server.allocateMs} | ${s.server.renderMs} |`,
  );
