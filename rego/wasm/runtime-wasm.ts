// The prebuilt runtime (`npm run build`), read once per process.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const RUNTIME_PATH = fileURLToPath(new URL("./runtime/build/runtime.wasm", import.meta.url));

let cached: Uint8Array | undefined;

export function runtimeWasm(): Uint8Array {
  if (!cached) {
    try {
      cached = new Uint8Array(readFileSync(RUNTIME_PATH));
    } catch (e) {
      throw new Error(
        `cannot read the Wasm runtime ${RUNTIME_PATH} (run \`npm run build\`): ${(e as Error).message}`,
      );
    }
  }
  return cached;
}
