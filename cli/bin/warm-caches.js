#!/usr/bin/env node
// `node cli/bin/warm-caches.js` (npm's prepare runs it after `npm ci`): loads, without running
// anything, the modules of every command, the gateway and the Rego toolchain, so the first
// `npm start` finds their transformed TypeScript (node_modules/.cache/gatehouse-typescript) and
// V8's compiled code (node_modules/.cache/gatehouse-compile) instead of making them. Best effort:
// a module that fails to load here fails where it is used, not the install.
import nodeModule from "node:module";
import { readdirSync } from "node:fs";
import { enableTypeScript, requireSupportedNode } from "../../rego/node-typescript-loader.js";

requireSupportedNode();
enableTypeScript();
const commands = new URL("../commands/", import.meta.url);
const entries = [
  new URL("../program.ts", import.meta.url),
  ...readdirSync(commands)
    .filter((name) => name.endsWith(".ts"))
    .map((name) => new URL(name, commands)),
  // what the commands import when they run
  new URL("../../gateway/sync/index.ts", import.meta.url),
  new URL("../../gateway/audit/index.ts", import.meta.url),
  new URL("../../rego/index.ts", import.meta.url),
  new URL("../../rego/test/index.ts", import.meta.url),
];
for (const entry of entries) {
  try {
    await import(entry.href);
  } catch (e) {
    process.stderr.write(`warm-caches: ${entry.pathname}: ${e?.message ?? e}\n`);
  }
}
nodeModule.flushCompileCache();
// a module may hold the event loop open (a timer, a handle): nothing here is needed any longer
process.exit(0);
