import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBuiltinProposer } from "../../src/proposers/builtin/index.js";
import { loadImage } from "../../src/image/load.js";
import { decodeRle, rleArea } from "../../src/regions/rle.js";
import { maskArea, maskGet } from "../../src/regions/mask.js";
import { runSom } from "../helpers/cli.js";
import { cocoImage } from "../helpers/datasets.js";
import { type Json, photoBytes, postImage, postJson, result, startTestServer } from "./serve-helpers.js";

const bytes = photoBytes();
const imageId = createHash("sha256").update(bytes).digest("hex");

describe("som serve --detector (optional packages)", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ detector: "centernet", concurrency: 1 });
  });
  afterAll(async () => {
    await server.close();
  });

  it("lists the detector with the built-in proposer", async () => {
    const { status, body } = await result(await fetch(`${server.url}/v1/models`));
    expect(status).toBe(200);
    expect(body.proposers[0]).toEqual({ name: "builtin", detector: "centernet" });
  });

  let marks: Json[] = [];

  it("marks with the same regions as the library's detector-guided proposer", {
    timeout: 60_000,
  }, async () => {
    const { status, body } = await result(await postImage(`${server.url}/v1/mark`, bytes, { options: {} }));
    expect(status).toBe(200);
    expect(body.manifest.settings).toMatchObject({ proposer: "builtin", detector: "centernet" });
    marks = body.manifest.marks;
    expect(marks.some((m) => typeof m.detector?.label === "string")).toBe(true);
    const image = await loadImage(cocoImage("000000000139"));
    const expected = await createBuiltinProposer({ detector: "centernet" }).propose(image);
    expect(marks.map((m) => m.area).sort((a, b) => a - b)).toEqual(
      expected.map((r) => r.area).sort((a, b) => a - b),
    );
  });

  it("refines clicks and includes nodes on the same box-guided hierarchy", { timeout: 60_000 }, async () => {
    const seg = await result(
      await postJson(`${server.url}/v1/segment`, { imageId, granularity: 0.4, points: [{ x: 320, y: 300 }] }),
    );
    expect(seg.status).toBe(200);
    const r = seg.body.regions[0];
    expect(maskGet(decodeRle(r.segmentation), 320, 300)).toBe(true);
    // Its node is a node of the box-guided hierarchy (the library builds the same one).
    const image = await loadImage(cocoImage("000000000139"));
    const guided = await createBuiltinProposer({ detector: "centernet" }).hierarchyFor(image);
    const nodeArea = guided.nodeMasks(r.node, false).reduce((n, m) => n + maskArea(m), 0);
    expect(nodeArea).toBe(r.area);
    // The clicked node, added as a mark, is the very region the click returned.
    const added = await result(
      await postJson(`${server.url}/v1/mark`, { imageId, options: { include: [{ node: r.node }] } }),
    );
    expect(added.status).toBe(200);
    const last = added.body.manifest.marks.find((m: Json) => m.node === r.node && m.area === r.area);
    expect(last).toBeDefined();
    expect(rleArea(last.segmentation)).toBe(r.area);
  });
});

describe("som serve without the detector's optional packages", () => {
  const hidden = {
    NODE_OPTIONS: `--import ${resolve(import.meta.dirname, "../helpers/no-detector/register.mjs")}`,
  };

  it("falls back to weight-free marks with one warning line at start-up", { timeout: 60_000 }, async () => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        resolve(import.meta.dirname, "../../src/cli/entry.ts"),
        "serve",
        "--port",
        "0",
        "-q",
      ],
      { env: { ...process.env, ...hidden }, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      let stderr = "";
      const url = await new Promise<string>((done, fail) => {
        child.stderr.on("data", (d) => {
          stderr += d;
          const m = /som serve: (http:\/\/\S+?)\/ /.exec(stderr);
          if (m) done(m[1]);
        });
        child.on("exit", (code) => fail(new Error(`som serve exited ${code}: ${stderr}`)));
      });
      const warnings = stderr.split("\n").filter((l) => l.includes("warning"));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/detector \(centernet\) could not load.*weight-free.*--detector none/);
      const models = await result(await fetch(`${url}/v1/models`));
      expect(models.body.proposers[0]).toEqual({ name: "builtin", detector: "none" });
      const marked = await result(await postImage(`${url}/v1/mark`, bytes, { options: {} }));
      expect(marked.status).toBe(200);
      expect(marked.body.manifest.settings.detector).toBe("none");
      expect(marked.body.manifest.marks.some((m: Json) => m.detector !== undefined)).toBe(false);
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("refuses to start when the detector is asked for by name", { timeout: 30_000 }, async () => {
    const res = await runSom(["serve", "--port", "0", "--detector", "centernet"], { env: hidden });
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim().split("\n")).toHaveLength(1);
    expect(res.stderr).toMatch(/detector centernet: its optional packages are missing; install them with/);
  });
});
