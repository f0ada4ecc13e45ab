#!/usr/bin/env node
// A solc-compatible command line over the official solc-js (Emscripten) build from npm.
// It answers the two modes Ape / py-solc-x / crytic-compile use: `--version` and
// `--standard-json` (JSON on stdin, JSON on stdout). Imports are read from disk,
// relative to --base-path, each --include-path and each --allow-paths entry.
"use strict";
const fs = require("fs");
const path = require("path");

// DBIS_SOLCJS_MODULE picks another pinned solc-js release (e.g. "solc-0.8.19", an npm alias).
const solc = require(path.join(__dirname, "..", "node_modules", process.env.DBIS_SOLCJS_MODULE || "solc"));
const args = process.argv.slice(2);

function listArg(flag) {
  const out = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag && i + 1 < args.length) out.push(...args[i + 1].split(","));
    else if (args[i].startsWith(flag + "=")) out.push(...args[i].slice(flag.length + 1).split(","));
  }
  return out.filter(Boolean);
}

if (args.includes("--version") || args.includes("-v")) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}

if (!args.includes("--standard-json")) {
  process.stderr.write("solcjs-cli: only --version and --standard-json are supported\n");
  process.exit(2);
}

const roots = [...listArg("--base-path"), ...listArg("--include-path"), ...listArg("--allow-paths"), process.cwd()];

function findImport(importPath) {
  const candidates = path.isAbsolute(importPath) ? [importPath] : roots.map((r) => path.resolve(r, importPath));
  for (const candidate of candidates) {
    try {
      return { contents: fs.readFileSync(candidate, "utf8") };
    } catch (_) {
      /* try the next root */
    }
  }
  return { error: `File not found: ${importPath} (searched ${roots.join(", ")})` };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  process.stdout.write(solc.compile(input, { import: findImport }));
});
