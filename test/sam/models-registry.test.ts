import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../../src/cli/errors.js";
import { downloadModel, type DownloadProgress } from "../../src/models/download.js";
import { configDir, modelsDataDir } from "../../src/models/paths.js";
import { addModel, listModels, removeModel, resolveModelPath } from "../../src/models/registry.js";
import { createSamProposer } from "../../src/proposers/sam/proposer.js";
import { cocoPhoto, tempDir, tinyModel } from "../helpers/onnx-sam-fixtures.js";

const saved = {
  config: process.env.XDG_CONFIG_HOME,
  data: process.env.XDG_DATA_HOME,
  hf: process.env.HF_ENDPOINT,
};
beforeEach(() => {
  const root = tempDir("som-xdg-");
  process.env.XDG_CONFIG_HOME = join(root, "config");
  process.env.XDG_DATA_HOME = join(root, "data");
  delete process.env.HF_ENDPOINT;
});
afterAll(() => {
  for (const [k, v] of [
    ["XDG_CONFIG_HOME", saved.config],
    ["XDG_DATA_HOME", saved.data],
    ["HF_ENDPOINT", saved.hf],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe("model registry (XDG config folder)", () => {
  it("adds, lists, resolves and removes names; paths pass through", () => {
    expect(configDir()).toBe(join(process.env.XDG_CONFIG_HOME as string, "som"));
    expect(listModels()).toEqual([]);
    const dir = tinyModel({ family: "sam2", suffixes: ["", "_quantized"] });
    const e = addModel("tiny2", dir);
    expect([e.modelType, e.dtypes]).toEqual(["sam2", ["fp32", "q8"]]);
    expect(listModels().map((m) => [m.name, m.path])).toEqual([["tiny2", dir]]);
    expect(existsSync(join(configDir(), "models.json"))).toBe(true);
    expect(resolveModelPath("tiny2")).toBe(dir);
    expect(resolveModelPath(dir)).toBe(dir);
    expect(removeModel("tiny2")).toBe(true);
    expect(removeModel("tiny2")).toBe(false);
    expect(() => resolveModelPath("tiny2")).toThrow(/neither a folder nor a registered name/);
  });

  it("refuses bad names and folders that are not models", () => {
    expect(() => addModel("../evil", tinyModel({ family: "sam" }))).toThrow(/invalid model name/);
    expect(() => addModel("x", tempDir())).toThrow(/missing config\.json/);
  });

  it("a registered name works as --model for the proposer", async () => {
    addModel("tiny", tinyModel({ family: "sam" }));
    const regions = await createSamProposer({ model: "tiny", pointsPerSide: 2, predIouThresh: 0 }).propose(
      await cocoPhoto(),
    );
    expect(regions.length).toBeGreaterThan(0);
  });
});

/** A stand-in for the hub: the tree API with LFS sha256 / git blob sha1, and resolve URLs. */
function fakeHub(folder: string, repo: string, corrupt?: string): Promise<{ server: Server; url: string }> {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else files.push(relative(folder, join(d, e.name)));
    }
  };
  walk(folder);
  const tree = files.map((path) => {
    const bytes = readFileSync(join(folder, path));
    const blob = createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
    return path.endsWith(".onnx")
      ? {
          type: "file",
          path,
          size: 134,
          oid: blob,
          lfs: { oid: createHash("sha256").update(bytes).digest("hex"), size: bytes.length },
        }
      : { type: "file", path, size: bytes.length, oid: blob };
  });
  const server = createServer((req, res) => {
    const u = decodeURIComponent((req.url ?? "").split("?")[0]);
    if (u === `/api/models/${repo}/tree/main`) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify([{ type: "directory", path: "onnx", size: 0, oid: "x" }, ...tree]));
      return;
    }
    const prefix = `/${repo}/resolve/main/`;
    if (u.startsWith(prefix) && files.includes(u.slice(prefix.length))) {
      const path = u.slice(prefix.length);
      const bytes = readFileSync(join(folder, path));
      if (path === corrupt) bytes[bytes.length - 1] ^= 0xff;
      res.setHeader("content-length", String(bytes.length));
      res.end(bytes);
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

describe("som models download", () => {
  let hub: { server: Server; url: string };
  let bad: { server: Server; url: string };
  const repo = "onnx-community/sam2.1-hiera-tiny-ONNX";
  beforeAll(async () => {
    const src = tinyModel({ family: "sam2", suffixes: ["", "_quantized"] });
    hub = await fakeHub(src, repo);
    bad = await fakeHub(src, repo, "onnx/prompt_encoder_mask_decoder.onnx");
  });
  afterAll(() => {
    hub.server.close();
    bad.server.close();
  });

  it("fetches the files of one dtype, verifies checksums, reports progress and registers the folder", async () => {
    const progress: DownloadProgress[] = [];
    const e = await downloadModel("sam2.1-tiny", {
      endpoint: hub.url,
      dtype: "q8",
      onProgress: (p) => progress.push(p),
    });
    expect(e.path).toBe(join(modelsDataDir(), "sam2.1-tiny"));
    expect(e.dtypes).toEqual(["q8"]);
    expect(e.source).toBe(`${repo}@main`);
    expect(readdirSync(join(e.path, "onnx")).sort()).toEqual([
      "prompt_encoder_mask_decoder_quantized.onnx",
      "vision_encoder_quantized.onnx",
    ]);
    const last = progress.filter((p) => p.file === "onnx/vision_encoder_quantized.onnx").at(-1);
    expect(last && last.received === last.total && last.total > 0).toBe(true);
    expect(resolveModelPath("sam2.1-tiny")).toBe(e.path);
  });

  it("a checksum mismatch installs nothing", async () => {
    const err = await downloadModel("sam2.1-tiny", { endpoint: bad.url }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/checksum mismatch for onnx\/prompt_encoder_mask_decoder\.onnx/);
    expect(existsSync(join(modelsDataDir(), "sam2.1-tiny"))).toBe(false);
    expect(existsSync(join(modelsDataDir(), "sam2.1-tiny.partial"))).toBe(false);
    expect(listModels()).toEqual([]);
  });

  it("without a network: one clear line that says how to add the folder by hand", async () => {
    // A port that was just closed: the connection is refused, as with no network.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    process.env.HF_ENDPOINT = `http://127.0.0.1:${port}`;
    const err = await downloadModel("edgetam").catch((x: unknown) => x);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(
      `cannot download "edgetam": http://127.0.0.1:${port} is unreachable (ECONNREFUSED). som itself needs no ` +
        "network: fetch the model folder on another machine and run `som models add edgetam DIR`",
    );
  });

  it("unknown names and missing dtypes are named", async () => {
    await expect(downloadModel("sam-vit-huge")).rejects.toThrow(
      /unknown model "sam-vit-huge"; downloadable: sam-vit-base/,
    );
    await expect(downloadModel("sam2.1-tiny", { endpoint: hub.url, dtype: "fp16" })).rejects.toThrow(
      /has no fp16 files .*available dtypes: fp32, q8/,
    );
  });
});
