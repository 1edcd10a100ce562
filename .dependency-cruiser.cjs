/**
 * Layout rules for src/ (`npm run lint:deps`, part of `npm test`).
 * src/cli is the top of the import graph: it may import anything in src/, nothing outside it imports it.
 * No import cycles anywhere in src/, type-only imports included.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Import cycles (type-only imports count too). Move the shared piece down into a module both can import.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "cli-is-the-top",
      severity: "error",
      comment:
        "Nothing outside src/cli imports src/cli (it is the top). Errors live in src/errors.ts; move what the library needs below src/cli.",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "src-not-test-or-bench",
      severity: "error",
      comment: "Library code never imports the tests or the benchmarks.",
      from: { path: "^src/" },
      to: { path: "^(test|bench)/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "A relative import that does not resolve to a file hides an edge from these rules (optional packages may be absent).",
      from: { path: "^src/" },
      to: { couldNotResolve: true, path: "^[.]{1,2}/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|dist-web|node_modules)/" },
    // Resolve the `.js` specifiers of the TS sources to the `.ts` files (moduleResolution NodeNext).
    tsConfig: { fileName: "tsconfig.json" },
    // Keep type-only imports (`import type`, `import { type X }`) as edges: they count for cycles.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json", ".d.ts"],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
