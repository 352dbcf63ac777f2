// `npm run build` (rego/wasm/runtime/build.mjs), which `npm start` runs first: it skips the
// AssemblyScript build when the inputs hash to what the last build recorded beside its output and
// that output is unchanged, and builds again otherwise.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useTempDir } from "../helpers/temp-dir.ts";

const runtimeDir = fileURLToPath(new URL("../../rego/wasm/runtime/", import.meta.url));
const script = join(runtimeDir, "build.mjs");
const built = join(runtimeDir, "build", "runtime.wasm");
const temp = useTempDir("gatehouse-runtime-build");

const build = (...args: string[]) =>
  execFileSync(process.execPath, [script, ...args], { encoding: "utf8", timeout: 600_000 });

describe("runtime build", { timeout: 900_000 }, () => {
  it("is skipped while its inputs and output are unchanged, and runs when the output changed", () => {
    // the repository's build, with its record (made now when this checkout has none)
    if (!existsSync(`${built}.inputs.json`)) build();
    const out = join(temp.path, "runtime.wasm");
    copyFileSync(built, out);
    copyFileSync(`${built}.inputs.json`, `${out}.inputs.json`);

    expect(build("--out", out)).toContain(`${out} is up to date`);
    const bytes = readFileSync(out);

    writeFileSync(out, bytes.subarray(0, bytes.length - 1)); // someone changed the output
    expect(build("--out", out)).toMatch(/^wrote .*runtime\.wasm \(\d+ bytes\)$/m);
    expect(readFileSync(out).equals(bytes)).toBe(true); // the same inputs build the same bytes
    expect(build("--out", out)).toContain("is up to date");
  });

  it("records the digest of its inputs beside the output", () => {
    if (!existsSync(`${built}.inputs.json`)) build();
    const record = JSON.parse(readFileSync(`${built}.inputs.json`, "utf8")) as Record<
      string,
      string
    >;
    expect(record.inputs).toMatch(/^[0-9a-f]{64}$/);
    expect(record.output).toMatch(/^[0-9a-f]{64}$/);
  });
});
