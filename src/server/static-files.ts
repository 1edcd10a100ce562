import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

export interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  /** Vite puts content hashes in asset names, so those may be cached forever. */
  immutable: boolean;
}

/**
 * The built web app, read into memory once at start-up. Requests are answered by looking their path up in
 * this table, so no part of a request ever becomes a file-system path.
 */
export class StaticFiles {
  private readonly files = new Map<string, StaticFile>();

  constructor(readonly dir: string) {
    if (!existsSync(dir)) return;
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const full = join(d, name);
        if (statSync(full).isDirectory()) walk(full);
        else {
          const body = readFileSync(full);
          const urlPath = `/${relative(dir, full).split(sep).join("/")}`;
          this.files.set(urlPath, {
            body,
            type: TYPES[extname(name).toLowerCase()] ?? "application/octet-stream",
            etag: `"${createHash("sha1").update(body).digest("base64url").slice(0, 16)}"`,
            immutable: urlPath.startsWith("/assets/"),
          });
        }
      }
    };
    walk(dir);
  }

  get built(): boolean {
    return this.files.has("/index.html");
  }

  lookup(pathname: string): StaticFile | undefined {
    return this.files.get(pathname === "/" ? "/index.html" : pathname);
  }
}
