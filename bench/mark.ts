/**
 * Hot path of `som mark`: mark allocation + rendering + PNG encoding, in process, with image and masks already
 * decoded. Compares against OpenCV (C++ kernels) implementations run in the same invocation, interleaved with
 * som round by round, when Debian's python3-opencv is installed (apt-get install -y python3-opencv):
 *
 *   - bench/baseline/opencv_paper.py: the paper's algorithm done plainly with OpenCV (distance transform of the
 *     uncovered part, label at its maximum, no collision search; cv2.imencode defaults). The reference: `ratio`.
 *   - bench/baseline/opencv_mark.py: also searches label spots free of earlier labels (integral images over
 *     full-size masks), which makes it slower: `ratio_collision`, kept for comparison with older figures.
 *
 *   npm run bench:mark -- [--image IMG --masks MASKS.json] [--count 100] [--scale K] [--rounds 5] [--runs 3]
 *                         [--png-level L] [--no-baseline] [--memory]
 *
 * Without --image/--masks it builds the standard fixture (1024×768 COCO photo, --count masks); --scale K
 * enlarges the image and masks K times per side (image Lanczos, masks nearest: --scale 4 is 4096×3072, 12.6 MP). Each of
 * --rounds rounds times som --runs times, then each baseline --runs times; medians are over all runs, the
 * ratio is som's median over the baseline's. --memory instead marks once and reports the peak resident memory
 * the marking adds (Linux: the high-water mark is reset just before, /proc/self/clear_refs). The last line
 * printed is one JSON object.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { loadImage } from "../src/image/load.js";
import { markImage } from "../src/pipeline/mark.js";
import { loadMaskRegions } from "../src/proposers/masks/index.js";
import { maskFromFull, maskToFull } from "../src/regions/mask.js";
import { encodeRle } from "../src/regions/rle.js";
import { makeFixture } from "./fixture.js";

const { values } = parseArgs({
  options: {
    image: { type: "string" },
    masks: { type: "string" },
    rounds: { type: "string", default: "5" },
    runs: { type: "string", default: "3" },
    count: { type: "string", default: "100" },
    scale: { type: "string", default: "1" },
    "png-level": { type: "string" },
    "no-baseline": { type: "boolean", default: false },
    memory: { type: "boolean", default: false },
  },
});
const rounds = Number(values.rounds);
const runs = Number(values.runs);
const pngLevel = values["png-level"] === undefined ? undefined : Number(values["png-level"]);
let imagePath = values.image;
let masksPath = values.masks;
if (!imagePath || !masksPath) ({ imagePath, masksPath } = await makeFixture(Number(values.count)));
const scale = Number(values.scale);
if (scale !== 1) ({ imagePath, masksPath } = await scaleFixture(imagePath, masksPath, scale));

const image = await loadImage(imagePath);
const regions = await loadMaskRegions(masksPath, image);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r1 = (v: number) => Math.round(v * 10) / 10;
// Fresh mask objects each run, so per-mask derived data (row runs) is computed inside the timing.
const fresh = () => regions.map((r) => ({ ...r, mask: { ...r.mask } }));

if (values.memory) {
  global.gc?.();
  const status = () => readFileSync("/proc/self/status", "utf8");
  const kb = (s: string, key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(s)![1]);
  const input = fresh();
  writeFileSync("/proc/self/clear_refs", "5");
  const before = kb(status(), "VmRSS");
  const t = performance.now();
  const r = await markImage(image, { regions: input, pngLevel });
  const ms = performance.now() - t;
  const peak = kb(status(), "VmHWM");
  const pixels = image.width * image.height;
  const added = (peak - before) * 1024;
  console.log(
    JSON.stringify({
      width: image.width,
      height: image.height,
      masks: regions.length,
      ms: Math.round(ms),
      rss_before_mb: Math.round(before / 1024),
      peak_rss_mb: Math.round(peak / 1024),
      added_mb: Math.round(added / 2 ** 20),
      added_bytes_per_pixel: r1(added / pixels),
      png_bytes: r.png.length,
    }),
  );
  process.exit(0);
}

await markImage(image, { regions: fresh(), pngLevel }); // warm-up: font registration, JIT

const python = "/usr/bin/python3";
const baselines = [
  { key: "", script: "opencv_paper.py", what: "opencv, the paper's algorithm (python3-opencv)" },
  { key: "_collision", script: "opencv_mark.py", what: "opencv with integral-image collision search" },
];
const haveBaseline = !values["no-baseline"] && existsSync(python) && hasOpenCv();
const som: number[] = [];
const allocate: number[] = [];
const render: number[] = [];
const base: Record<string, number[]> = {};
let outside = 0;
let fontSize = 0;
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < runs; i++) {
    const r = await markImage(image, { regions: fresh(), pngLevel });
    som.push(r.timings.allocateMs + r.timings.renderMs);
    allocate.push(r.timings.allocateMs);
    render.push(r.timings.renderMs);
    outside = r.marks.filter((m) => !m.inside).length;
    fontSize = r.manifest.settings.fontSize;
  }
  if (!haveBaseline) continue;
  for (const b of baselines) {
    const out = execFileSync(
      python,
      [join(import.meta.dirname, "baseline", b.script), imagePath, masksPath, String(runs)],
      {
        encoding: "utf8",
        maxBuffer: 1 << 26,
      },
    );
    base[b.key] = [...(base[b.key] ?? []), ...JSON.parse(out.trim().split("\n").at(-1)!).runs];
  }
}
const result: Record<string, unknown> = {
  width: image.width,
  height: image.height,
  masks: regions.length,
  rounds,
  runs,
  png_level: pngLevel ?? "default",
  median_ms: r1(median(som)),
  allocate_ms: r1(median(allocate)),
  render_png_ms: r1(median(render)),
  font_size: fontSize,
  labels_outside_region: outside,
};
console.log(`som: ${regions.length} masks on ${image.width}x${image.height}, median ${result.median_ms} ms`);
if (haveBaseline) {
  for (const b of baselines) {
    const m = median(base[b.key]);
    result[`baseline${b.key}`] = b.what;
    result[`baseline${b.key}_median_ms`] = r1(m);
    result[`ratio${b.key}`] = Math.round((median(som) / m) * 1000) / 1000;
    console.log(`${b.script}: median ${r1(m)} ms; som/opencv = ${result[`ratio${b.key}`]}`);
  }
} else if (!values["no-baseline"]) {
  console.log(`baseline skipped: ${python} with cv2 not found (apt-get install -y python3-opencv)`);
}
console.log(JSON.stringify(result));

function hasOpenCv(): boolean {
  try {
    execFileSync(python, ["-c", "import cv2"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The fixture enlarged `k` times per side: image with Lanczos, masks with nearest neighbour. */
async function scaleFixture(img: string, masks: string, k: number) {
  const src = await loadImage(img);
  const W = src.width * k;
  const H = src.height * k;
  const outDir = join(import.meta.dirname, "out");
  await mkdir(outDir, { recursive: true });
  const stem = (p: string) => p.replace(/^.*\//, "").replace(/\.[^.]+$/, "");
  const scaledImage = join(outDir, `${stem(img)}-x${k}.png`);
  const scaledMasks = join(outDir, `${stem(masks)}-x${k}.json`);
  if (existsSync(scaledImage) && existsSync(scaledMasks))
    return { imagePath: scaledImage, masksPath: scaledMasks };
  await sharp(img).resize(W, H, { kernel: "lanczos3" }).png().toFile(scaledImage);
  const json = (await loadMaskRegions(masks, src)).map((r) => {
    const small = maskToFull(r.mask);
    const full = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) {
      const row = ((y / k) | 0) * src.width;
      for (let x = 0; x < W; x++) full[y * W + x] = small[row + ((x / k) | 0)];
    }
    return { id: r.id, segmentation: encodeRle(maskFromFull(full, W, H)), score: r.score };
  });
  await writeFile(scaledMasks, JSON.stringify(json));
  return { imagePath: scaledImage, masksPath: scaledMasks };
}
