import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  findSystemBinary,
  INSTALL_STEP,
  listedSystemPackages,
  SYSTEM_CHROMIUM,
} from "../helpers/system-binaries.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const SCRIPT = join(ROOT, "scripts", "system-packages.sh");

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "som-syspkg-"));
  dirs.push(d);
  return d;
}

describe("findSystemBinary", () => {
  it("fails naming the install step when the binary is not on PATH", () => {
    const empty = tempDir();
    expect(() => findSystemBinary(SYSTEM_CHROMIUM, { PATH: empty })).toThrow(
      `Chromium not found: no \`chromium\` on PATH (Debian package "chromium"): run \`${INSTALL_STEP}\``,
    );
  });

  it("honours the override variable, and fails naming it when it points nowhere", () => {
    expect(findSystemBinary(SYSTEM_CHROMIUM, { PATH: "", SOM_CHROMIUM: process.execPath })).toBe(
      process.execPath,
    );
    expect(() =>
      findSystemBinary(SYSTEM_CHROMIUM, { PATH: "", SOM_CHROMIUM: "/nonexistent/chrome" }),
    ).toThrow(
      /Chromium not found at \/nonexistent\/chrome \(set by SOM_CHROMIUM\).*sh scripts\/system-packages\.sh/,
    );
  });

  it("finds the first executable on PATH", () => {
    const a = tempDir();
    const b = tempDir();
    writeFileSync(join(a, "chromium"), "not executable");
    writeFileSync(join(b, "chromium"), "#!/bin/sh\n");
    chmodSync(join(b, "chromium"), 0o755);
    expect(findSystemBinary(SYSTEM_CHROMIUM, { PATH: [a, b].join(delimiter) })).toBe(join(b, "chromium"));
  });

  it("refuses a binary whose package the README's commands would never install", () => {
    expect(listedSystemPackages()).toContain("chromium");
    expect(() =>
      findSystemBinary({ name: "Redis", command: "redis-server", package: "som-unlisted" }),
    ).toThrow(/"som-unlisted" \(Redis\) is not listed in system-packages\.txt/);
  });
});

/** Runs the script with fake dpkg-query / apt-get / id / sudo first on PATH; `installed` lists installed packages. */
function runScript(args: string[], o: { uid: number; installed: string[]; path?: string }) {
  const fake = tempDir();
  mkdirSync(join(fake, "installed"));
  for (const p of o.installed) writeFileSync(join(fake, "installed", p), "");
  const tools: Record<string, string> = {
    "dpkg-query": `[ -f "${fake}/installed/$3" ] && printf 'install ok installed' || { echo "dpkg-query: no packages found matching $3" >&2; exit 1; }`,
    "apt-get": `echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND apt-get $*" >> "${fake}/log"
if [ "$1" = install ]; then for a in "$@"; do case "$a" in -*|install) ;; *) : > "${fake}/installed/$a" ;; esac; done; fi`,
    id: `echo ${o.uid}`,
    sudo: "exit 1",
  };
  for (const [name, body] of Object.entries(tools)) {
    writeFileSync(join(fake, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(fake, name), 0o755);
  }
  const r = spawnSync("/bin/sh", [SCRIPT, ...args], {
    encoding: "utf8",
    env: { ...process.env, PATH: o.path ?? `${fake}${delimiter}${process.env.PATH}` },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let log = "";
  try {
    log = readFileSync(join(fake, "log"), "utf8");
  } catch {}
  return { status: r.status, out: r.stdout + r.stderr, log };
}

describe("scripts/system-packages.sh", () => {
  it("does nothing, not even apt-get update, when every package is installed", () => {
    const r = runScript([], { uid: 0, installed: listedSystemPackages() });
    expect(r.status).toBe(0);
    expect(r.out).toContain("already installed");
    expect(r.log).toBe("");
  });

  it("installs only the missing packages with apt-get as root, non-interactively", () => {
    const r = runScript(["pkg-a", "pkg-b"], { uid: 0, installed: ["pkg-a"] });
    expect(r.out).toContain("installed pkg-b");
    expect(r.status).toBe(0);
    expect(r.log.trim().split("\n")).toEqual([
      "DEBIAN_FRONTEND=noninteractive apt-get update",
      "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends pkg-b",
    ]);
  });

  it("names the packages and the command when it is neither root nor able to sudo", () => {
    const r = runScript(["pkg-a"], { uid: 1000, installed: [] });
    expect(r.status).toBe(1);
    expect(r.out).toContain("missing system packages: pkg-a.");
    expect(r.out).toContain("apt-get update && apt-get install -y --no-install-recommends pkg-a");
    expect(r.log).toBe("");
  });

  it("stops with the package list where there is no apt-get", () => {
    const bare = tempDir(); // no dpkg-query, no apt-get: only what the script runs before the check
    const dirname = spawnSync("/bin/sh", ["-c", "command -v dirname"], { encoding: "utf8" }).stdout.trim();
    symlinkSync(dirname, join(bare, "dirname"));
    const r = runScript(["pkg-a"], { uid: 0, installed: [], path: `${bare}${delimiter}/nonexistent` });
    expect(r.status).toBe(1);
    expect(r.out).toContain("needs apt-get (Debian/Ubuntu) to install the system packages: pkg-a.");
  });
});

describe(".ci/run", () => {
  it("runs exactly the README's two set-up commands", () => {
    const r = spawnSync("bash", [join(ROOT, ".ci", "run"), "--print"], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const commands = r.stdout
      .trim()
      .split("\n")
      .map((l) => l.replace(/^\+ /, ""));
    expect(commands).toHaveLength(2);
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const c of commands) expect(readme).toContain(`\n${c}\n`);
    expect(commands[0]).toMatch(new RegExp(`^${INSTALL_STEP.replaceAll(".", "\\.")} && `));
  });
});
