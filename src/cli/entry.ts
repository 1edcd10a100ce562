#!/usr/bin/env node
// Process entry of the `som` command (bin/som.js loads the compiled copy of this file).
import { main } from "./main.js";

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`som: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
