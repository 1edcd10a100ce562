#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm run build`, which `npm ci` / `npm install` run through `prepare`.
import "../dist/cli/entry.js";
