/** Where som keeps its model registry (config) and downloaded models (data), per the XDG base-dir rules. */
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

function xdg(variable: string, fallback: string[]): string {
  const value = process.env[variable];
  // The spec says relative paths are invalid and must be ignored.
  return value && isAbsolute(value) ? value : join(homedir(), ...fallback);
}

/** $XDG_CONFIG_HOME/som (default ~/.config/som): holds models.json. */
export function configDir(): string {
  return join(xdg("XDG_CONFIG_HOME", [".config"]), "som");
}

/** $XDG_DATA_HOME/som/models (default ~/.local/share/som/models): where `som models download` writes. */
export function modelsDataDir(): string {
  return join(xdg("XDG_DATA_HOME", [".local", "share"]), "som", "models");
}

export function registryFile(): string {
  return join(configDir(), "models.json");
}
