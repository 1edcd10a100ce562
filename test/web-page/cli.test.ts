import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSom } from "../helpers/cli.js";
import { findSystemBinary, SYSTEM_CHROMIUM } from "../helpers/system-binaries.js";
import { serveFixtures } from "./serve-fixtures.js";

let server: Awaited<ReturnType<typeof serveFixtures>>;
let out: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  env = { SOM_CHROMIUM: findSystemBinary(SYSTEM_CHROMIUM) };
  server = await serveFixtures();
  out = await mkdtemp(join(tmpdir(), "som-web-"));
});
afterAll(() => server?.close());

describe("som web", () => {
  it("writes the marked screenshot, the manifest and the text list", async () => {
    const setup = join(out, "setup.js");
    await writeFile(setup, 'document.getElementById("search").value = "boots";');
    const r = await runSom(
      [
        "web",
        `http://127.0.0.1:${server.port}/basic.html`,
        "--out",
        join(out, "a"),
        "--device-scale-factor",
        "2",
        "--viewport",
        "900x600",
        "--setup",
        setup,
      ],
      { env },
    );
    expect(r.stderr).toMatch(/marks →/);
    expect(r.code).toBe(0);
    const files = (await readdir(join(out, "a"))).sort();
    expect(files).toEqual([
      "127.0.0.1-basic.elements.txt",
      "127.0.0.1-basic.som.json",
      "127.0.0.1-basic.som.png",
    ]);
    const manifest = JSON.parse(await readFile(join(out, "a", "127.0.0.1-basic.som.json"), "utf8"));
    expect(manifest.image).toMatchObject({ width: 1800, height: 1200 });
    const meta = await sharp(join(out, "a", "127.0.0.1-basic.som.png")).metadata();
    expect([meta.width, meta.height]).toEqual([1800, 1200]);
    const search = manifest.marks.find((m: { element: { name: string } }) => m.element.name === "Search");
    expect(search.element.value).toBe("boots");
    expect(search.segmentation.size).toEqual([1200, 1800]);
    const [x, y, w, h] = search.bbox;
    expect(search.point[0]).toBeGreaterThanOrEqual(x);
    expect(search.point[0]).toBeLessThanOrEqual(x + w);
    expect(search.point[1]).toBeGreaterThanOrEqual(y);
    expect(search.point[1]).toBeLessThanOrEqual(y + h);
    const text = await readFile(join(out, "a", "127.0.0.1-basic.elements.txt"), "utf8");
    expect(text).toContain(`[${search.id}] textbox "Search" value="boots"`);
  }, 60_000);

  it("fails in one line with nothing written: 404, not HTML, missing file", async () => {
    for (const target of [
      `http://127.0.0.1:${server.port}/missing.html`,
      `http://127.0.0.1:${server.port}/serve-me.txt`,
      join(out, "nope.html"),
    ]) {
      const dir = join(out, "bad");
      const r = await runSom(["web", target, "--out", dir, "--timeout", "10000"], { env });
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(await readdir(dir).catch(() => [])).toEqual([]);
    }
  }, 60_000);
});
