#!/usr/bin/env node
// `npm start`'s prestart, in one process (each `node` start costs what the check itself does): the
// Node check, before anything newer is parsed; the Wasm runtime build, skipped when its inputs are
// unchanged (rego/wasm/runtime/build.mjs); the default catalog's sandbox folder.
import { mkdirSync } from "node:fs";
import { requireSupportedNode } from "../../rego/node-typescript-loader.js";

requireSupportedNode();
mkdirSync("/tmp/gatehouse", { recursive: true });
await import("../../rego/wasm/runtime/build.mjs");
