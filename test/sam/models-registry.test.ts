import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { downloadModel, type DownloadProgress } from "../../src/models/download.js";
import { STAMP_FILE } from "../../src/models/model-stamp.js";
import { configDir, modelsDataDir } from "../../src/models/paths.js";
import { addModel, listModels, removeModel, resolveModelPath } from "../../src/models/registry.js";
import { createSamProposer } from "../../src/proposers/sam/proposer.js";
import { somInProcess as som } from "../helpers/cli.js";
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

interface FakeHub {
  server: Server;
  url: string;
  /** Every path asked for, in order. */
  requests: string[];
}

/**
 * A stand-in for the hub holding one commit of `repo`: the revision API (branch → commit), the tree API
 * with LFS sha256 / git blob sha1, and resolve URLs, all only at that commit (anything else is a 404).
 */
function fakeHub(
  folder: string,
  repo: string,
  commit: string,
  options: { branches?: string[]; corrupt?: string } = {},
): Promise<FakeHub> {
  const requests: string[] = [];
  const branches = options.branches ?? ["main"];
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
    requests.push(u);
    const rev = `/api/models/${repo}/revision/`;
    if (u.startsWith(rev) && [commit, ...branches].includes(u.slice(rev.length))) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ id: repo, sha: commit, siblings: [] }));
      return;
    }
    if (u === `/api/models/${repo}/tree/${commit}`) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify([{ type: "directory", path: "onnx", size: 0, oid: "x" }, ...tree]));
      return;
    }
    const prefix = `/${repo}/resolve/${commit}/`;
    if (u.startsWith(prefix) && files.includes(u.slice(prefix.length))) {
      const path = u.slice(prefix.length);
      const bytes = readFileSync(join(folder, path));
      if (path === options.corrupt) bytes[bytes.length - 1] ^= 0xff;
      res.setHeader("content-length", String(bytes.length));
      res.end(bytes);
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }),
    ),
  );
}

describe("som models download", () => {
  let hub: FakeHub;
  let bad: FakeHub;
  let vitBase: FakeHub;
  const repo = "onnx-community/sam2.1-hiera-tiny-ONNX";
  // The commit som pins sam2.1-tiny to (src/models/known-models.ts).
  const pinned = "814a066640debee5a91e70aa401fb8e17e030503";
  // What "main" of the unpinned Xenova/sam-vit-base resolves to on the fake hub (made up for the test).
  const headOfMain = createHash("sha1").update("fake main of Xenova/sam-vit-base").digest("hex");
  beforeAll(async () => {
    const src = tinyModel({ family: "sam2", suffixes: ["", "_quantized"] });
    hub = await fakeHub(src, repo, pinned, { branches: ["main", "v1"] });
    bad = await fakeHub(src, repo, pinned, { corrupt: "onnx/prompt_encoder_mask_decoder.onnx" });
    vitBase = await fakeHub(tinyModel({ family: "sam" }), "Xenova/sam-vit-base", headOfMain);
  });
  beforeEach(() => {
    hub.requests.length = 0;
    vitBase.requests.length = 0;
  });
  afterAll(() => {
    hub.server.close();
    bad.server.close();
    vitBase.server.close();
  });

  it("fetches the files of one dtype at the pinned commit, verifies checksums, reports progress and registers the folder", async () => {
    const progress: DownloadProgress[] = [];
    const e = await downloadModel("sam2.1-tiny", {
      endpoint: hub.url,
      dtype: "q8",
      onProgress: (p) => progress.push(p),
    });
    expect(e.path).toBe(join(modelsDataDir(), "sam2.1-tiny"));
    expect(e.dtypes).toEqual(["q8"]);
    expect([e.source, e.revision]).toEqual([repo, pinned]);
    expect(readdirSync(join(e.path, "onnx")).sort()).toEqual([
      "prompt_encoder_mask_decoder_quantized.onnx",
      "vision_encoder_quantized.onnx",
    ]);
    const last = progress.filter((p) => p.file === "onnx/vision_encoder_quantized.onnx").at(-1);
    expect(last && last.received === last.total && last.total > 0).toBe(true);
    expect(resolveModelPath("sam2.1-tiny")).toBe(e.path);
    expect(listModels()[0]).toMatchObject({ name: "sam2.1-tiny", source: repo, revision: pinned });

    // Every URL names the pinned commit: the tree listing and each file, no branch lookup.
    expect(hub.requests).toEqual([
      `/api/models/${repo}/tree/${pinned}`,
      `/${repo}/resolve/${pinned}/config.json`,
      `/${repo}/resolve/${pinned}/preprocessor_config.json`,
      `/${repo}/resolve/${pinned}/onnx/vision_encoder_quantized.onnx`,
      `/${repo}/resolve/${pinned}/onnx/prompt_encoder_mask_decoder_quantized.onnx`,
    ]);

    // The folder says where it came from, with each file's sha256.
    const stamp = JSON.parse(readFileSync(join(e.path, STAMP_FILE), "utf8"));
    expect(stamp).toMatchObject({
      version: 1,
      repo,
      revision: pinned,
      requested: pinned,
      pinned: true,
      dtype: "q8",
    });
    expect(Number.isNaN(Date.parse(stamp.downloadedAt))).toBe(false);
    expect(stamp.files.map((f: { path: string }) => f.path)).toEqual([
      "config.json",
      "preprocessor_config.json",
      "onnx/vision_encoder_quantized.onnx",
      "onnx/prompt_encoder_mask_decoder_quantized.onnx",
    ]);
    for (const f of stamp.files as { path: string; size: number; sha256: string }[]) {
      const bytes = readFileSync(join(e.path, f.path));
      expect([f.size, f.sha256]).toEqual([bytes.length, createHash("sha256").update(bytes).digest("hex")]);
    }
  });

  it("an unpinned model: the branch is resolved to its commit once, and everything is fetched at that commit", async () => {
    const e = await downloadModel("sam-vit-base", { endpoint: vitBase.url });
    expect([e.source, e.revision]).toEqual(["Xenova/sam-vit-base", headOfMain]);
    expect(vitBase.requests[0]).toBe("/api/models/Xenova/sam-vit-base/revision/main");
    expect(vitBase.requests.length).toBeGreaterThan(2);
    for (const u of vitBase.requests.slice(1)) expect(u).toContain(`/${headOfMain}`);
    const stamp = JSON.parse(readFileSync(join(e.path, STAMP_FILE), "utf8"));
    expect(stamp).toMatchObject({ revision: headOfMain, requested: "main", pinned: false, dtype: "fp32" });
  });

  it("--revision: a branch or tag is resolved to its commit, an unknown one is a clear error", async () => {
    const e = await downloadModel("sam2.1-tiny", { endpoint: hub.url, revision: "v1" });
    expect(e.revision).toBe(pinned);
    expect(hub.requests[0]).toBe(`/api/models/${repo}/revision/v1`);
    expect(JSON.parse(readFileSync(join(e.path, STAMP_FILE), "utf8"))).toMatchObject({
      requested: "v1",
      pinned: false,
    });
    await expect(downloadModel("sam2.1-tiny", { endpoint: hub.url, revision: "nope" })).rejects.toThrow(
      /\/api\/models\/onnx-community\/sam2\.1-hiera-tiny-ONNX\/revision\/nope answered HTTP 404/,
    );
  });

  it("`models list` shows each folder's commit; a folder added by hand shows -, a copied download its stamp", async () => {
    process.env.HF_ENDPOINT = hub.url;
    const dl = await som(["models", "download", "sam2.1-tiny", "-q"]);
    expect(dl.code).toBe(0);
    expect(dl.stdout).toBe(
      `downloaded sam2.1-tiny (${repo}@${pinned}) to ${join(modelsDataDir(), "sam2.1-tiny")}\n`,
    );
    const byHand = tinyModel({ family: "sam" });
    expect((await som(["models", "add", "mine", byHand])).code).toBe(0);
    // A downloaded folder added under a second name keeps its origin (read from som-model.json).
    expect((await som(["models", "add", "copy", join(modelsDataDir(), "sam2.1-tiny")])).code).toBe(0);
    expect(listModels().find((m) => m.name === "copy")).toMatchObject({ source: repo, revision: pinned });

    const list = await som(["models", "list"]);
    expect(list.code).toBe(0);
    const rows = list.stdout.trim().split("\n");
    expect(rows.slice(0, 3).map((r) => r.split("\t").slice(0, 4))).toEqual([
      ["copy", "sam2", "fp32", "814a066"],
      ["mine", "sam", "fp32", "-"],
      ["sam2.1-tiny", "sam2", "fp32", "814a066"],
    ]);
    expect(rows[3]).toMatch(/^downloadable: sam-vit-base \(Xenova\/sam-vit-base@main, not pinned\), /);
    expect(rows[3]).toContain("edgetam (onnx-community/EdgeTAM-ONNX@9c77c7b)");
    expect(rows[3]).not.toContain("sam2.1-tiny");
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
