import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";

/**
 * Binaries from system packages (Chromium today; servers later). The README's first set-up command
 * installs every package in system-packages.txt through scripts/system-packages.sh, so a test whose
 * binary is missing fails naming that step; it never skips.
 */
export const SYSTEM_PACKAGES_FILE = resolve(import.meta.dirname, "..", "..", "system-packages.txt");
export const INSTALL_STEP = "sh scripts/system-packages.sh";

export interface SystemBinary {
  /** What it is, for messages: "Chromium". */
  name: string;
  /** The command looked up on PATH: "chromium". */
  command: string;
  /** The Debian package (listed in system-packages.txt) that provides it. */
  package: string;
  /** Environment variable that may point at another binary instead (e.g. Chrome on macOS). */
  env?: string;
}

export const SYSTEM_CHROMIUM: SystemBinary = {
  name: "Chromium",
  command: "chromium",
  package: "chromium",
  env: "SOM_CHROMIUM",
};

export const SYSTEM_REDIS: SystemBinary = {
  name: "Redis",
  command: "redis-server",
  package: "redis-server",
  env: "SOM_REDIS_SERVER",
};

/** Package names in system-packages.txt (one per line, `#` comments). */
export function listedSystemPackages(file = SYSTEM_PACKAGES_FILE): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .flatMap((line) => line.replace(/#.*/, "").trim().split(/\s+/))
    .filter(Boolean);
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Absolute path of the binary: `env[b.env]` when set, else the first `b.command` on PATH. Throws a
 * message naming the install step when it is missing, and a set-up error when its package is not in
 * system-packages.txt (so the README's commands would never install it).
 */
export function findSystemBinary(
  b: SystemBinary,
  env: NodeJS.ProcessEnv = process.env,
  packagesFile = SYSTEM_PACKAGES_FILE,
): string {
  if (!listedSystemPackages(packagesFile).includes(b.package)) {
    throw new Error(
      `test set-up error: package "${b.package}" (${b.name}) is not listed in system-packages.txt, ` +
        "so the README's set-up commands never install it: add it there",
    );
  }
  const fix = `run \`${INSTALL_STEP}\` (the start of the README's first set-up command; it installs system-packages.txt)`;
  const override = b.env ? env[b.env] : undefined;
  if (override) {
    if (isExecutable(override)) return override;
    throw new Error(
      `${b.name} not found at ${override} (set by ${b.env}): point ${b.env} at a ${b.name} binary, or unset it and ${fix}`,
    );
  }
  const dirs = (env.PATH ?? "").split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    const p = join(dir, b.command);
    if (isExecutable(p)) return resolve(p);
  }
  throw new Error(
    `${b.name} not found: no \`${b.command}\` on PATH (Debian package "${b.package}"): ${fix}` +
      (b.env ? `, or set ${b.env} to a ${b.name} binary` : ""),
  );
}
