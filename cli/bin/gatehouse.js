#!/usr/bin/env node
// The `gatehouse` command: runs cli/main.ts in this process (rego/node-typescript-loader.js), so
// the pid that was started is the gateway itself and SIGTERM/SIGINT reach its graceful shutdown.
import { fileURLToPath } from "node:url";
import { runTypeScript } from "../../rego/node-typescript-loader.js";

await runTypeScript(fileURLToPath(new URL("../main.ts", import.meta.url)), process.argv.slice(2));
