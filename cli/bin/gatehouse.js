#!/usr/bin/env node
// Launcher for the TypeScript CLI: registers tsx's ESM loader in this process, then runs main.ts.
import { register } from "tsx/esm/api";

register();
try {
  await import(new URL("../main.ts", import.meta.url).href);
} catch (e) {
  // main.ts reports command failures itself; this is only reached if the CLI cannot load at all
  process.stderr.write(
    `gatehouse failed to start: ${e instanceof Error ? e.message : String(e)}\n`,
  );
  process.exitCode = 1;
}
