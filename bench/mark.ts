/**
 * Hot path of `som mark`: mark allocation + rendering + PNG encoding, in process, with image and masks already
 * decoded. Compares against an OpenCV (C++ kernels) implementation of the same steps, run in the same
 * invocation when Debian's python3-opencv is installed (apt-get install -y python3-opencv).
 *
 *   npm run bench:mark -- [--image IMG --masks MASKS.json] [--runs N] [--count 100] [--no-baseline]
 *
 * Without --image/--masks it builds the standard fixture (1024×768 COCO photo, --count masks). The last line
 * printed is one JSON object with median_ms (and baseline_median_ms, ratio when the baseline ran).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadImage } from "../src/image/load.js";
import { markImage } from "../src/pipeline/mark.js";
import { loadMaskRegions } from "../src/proposers/masks/index.js";
import { makeFixture } from "./fixture.js";

const { values } = parseArgs({
  options: {
    image: { type: "string" },
    masks: { type: "string" },
    runs: { type: "string", default: "15" },
    count: { type: "string", default: "100" },
    "no-baseline": { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
let imagePath = values.image;
let masksPath = values.masks;
if (!imagePath || !masksPath) {
  ({ imagePath, masksPath } = await makeFixture(Number(values.count)));
}

const image = await loadImage(imagePath);
const regions = await loadMaskRegions(masksPath, image);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await markImage(image, { regions }); // warm-up: font registration, JIT
const times: number[] = [];
let outside = 0;
for (let i = 0; i < runs; i++) {
  // Fresh mask objects each run, so per-mask derived data (row runs) is computed inside the timing.
  const fresh = regions.map((r) => ({ ...r, mask: { ...r.mask } }));
  const r = await markImage(image, { regions: fresh });
  times.push(r.timings.allocateMs + r.timings.renderMs);
  outside = r.marks.filter((m) => !m.inside).length;
}
const result: Record<string, unknown> = {
  width: image.width,
  height: image.height,
  masks: regions.length,
  runs,
  median_ms: Math.round(median(times) * 10) / 10,
  labels_outside_region: outside,
};
console.log(`som: ${regions.length} masks on ${image.width}x${image.height}, median ${result.median_ms} ms`);

const python = "/usr/bin/python3";
const script = join(import.meta.dirname, "baseline", "opencv_mark.py");
if (!values["no-baseline"]) {
  try {
    if (!existsSync(python)) throw new Error(`${python} not found`);
    const out = execFileSync(python, [script, imagePath, masksPath, String(runs)], { encoding: "utf8" });
    const base = JSON.parse(out.trim().split("\n").at(-1)!);
    result.baseline = "opencv (python3-opencv, same steps)";
    result.baseline_median_ms = Math.round(base.median_ms * 10) / 10;
    result.ratio = Math.round((median(times) / base.median_ms) * 1000) / 1000;
    console.log(`opencv baseline: median ${result.baseline_median_ms} ms; som/opencv = ${result.ratio}`);
  } catch (err) {
    console.log(
      `baseline skipped: ${(err as Error).message.split("\n")[0]} (apt-get install -y python3-opencv)`,
    );
  }
}
console.log(JSON.stringify(result));
