import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The web app of `som serve`: Preact through Vite's own JSX transform (no plugin, builds offline).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  resolve: { alias: { react: "preact/compat", "react-dom": "preact/compat" } },
  // `npx vite --config web/vite.config.ts` for hot reload against a `som serve` on the default port. The
  // proxy drops the Origin header, which som serve would otherwise refuse as cross-origin.
  server: {
    proxy: Object.fromEntries(
      ["/v1", "/healthz", "/openapi.json"].map((path) => [
        path,
        {
          target: "http://127.0.0.1:7860",
          changeOrigin: true,
          configure: (proxy: {
            on(event: "proxyReq", f: (req: { removeHeader(h: string): void }) => void): void;
          }) => proxy.on("proxyReq", (req) => req.removeHeader("origin")),
        },
      ]),
    ),
  },
  build: {
    outDir: fileURLToPath(new URL("../dist-web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
  },
  logLevel: "warn",
});
