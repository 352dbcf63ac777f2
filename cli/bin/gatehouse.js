#!/usr/bin/env node
// Launcher for the TypeScript CLI. Node runs our .ts sources itself with the flags of
// rego/node-typescript.ts; when this process was started without them, run main.ts in a child
// that has them (argv array, no shell), pass signals on, and exit with its code.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../main.ts", import.meta.url));
// Kept equal to TYPESCRIPT_NODE_FLAGS (rego/node-typescript.ts), which this plain-JS file cannot import.
const flags = ["--experimental-transform-types", "--disable-warning=ExperimentalWarning"];

if (process.features.typescript === "transform") {
  await import(main);
} else {
  const child = spawn(process.execPath, [...flags, main, ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("error", (e) => {
    process.stderr.write(`gatehouse failed to start: ${e.message}\n`);
    process.exitCode = 1;
  });
  child.on("exit", (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}
