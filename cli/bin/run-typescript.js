#!/usr/bin/env node
// `node cli/bin/run-typescript.js <file.ts> [args...]`: what the npm scripts use to run a
// TypeScript entry point (benchmarks, conformance, fuzzing) in this process, with the Node check
// and the TypeScript load hook of rego/node-typescript-loader.js.
import { resolve } from "node:path";
import { runTypeScript } from "../../rego/node-typescript-loader.js";

const [file, ...args] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write("usage: node cli/bin/run-typescript.js <file.ts> [args...]\n");
  process.exit(2);
}
await runTypeScript(resolve(file), args);
