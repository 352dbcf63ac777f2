// Builds the policy runtime: AssemblyScript (assembly/index.ts) -> build/runtime.wasm.
// Then, with binaryen: exports `builtin$a$b` are renamed `builtin.a.b` (AssemblyScript cannot
// export names with dots) and every export that is not part of the ABI is dropped.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";
import binaryen from "binaryen";
import abiExports from "../abi-exports.json" with { type: "json" };

const here = dirname(fileURLToPath(import.meta.url));
// `--entry <file relative to this folder>` and `--out <path>` exist for development builds.
const argValue = (flag, fallback) => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
const entry = argValue("--entry", "assembly/index.ts");
const outFile = argValue("--out", join(here, "build", "runtime.wasm"));

// The exports of OPA's Wasm ABI (one list, shared with the linker).
const ABI_EXPORTS = new Set(abiExports);

/** The export name in runtime.wasm for an AssemblyScript export, or undefined to drop it. */
export function finalExportName(name) {
  if (ABI_EXPORTS.has(name) || name.startsWith("rt_")) return name;
  if (name.startsWith("builtin$"))
    return "builtin." + name.slice("builtin$".length).replaceAll("$", ".");
  return undefined;
}

async function compile() {
  let binary;
  const stderr = [];
  const { error } = await asc.main(
    [
      entry,
      "--baseDir",
      here,
      // stub: no GC and no shadow stack; its allocator entry points go to our heap (rt/heap.ts)
      "--runtime",
      "stub",
      "--use",
      "__new=gh_rt_new",
      "--use",
      "__renew=gh_rt_renew",
      "--use",
      "__alloc=gh_rt_alloc",
      "--use",
      "__realloc=gh_rt_realloc",
      "--use",
      "__free=gh_rt_free",
      "--importMemory",
      "--noAssert",
      "--use",
      "abort=",
      "-O3",
      "--outFile",
      "runtime.wasm",
    ],
    {
      writeFile(name, contents) {
        if (name.endsWith(".wasm")) binary = contents;
      },
      stdout: { write: () => true },
      stderr: { write: (s) => (stderr.push(String(s)), true) },
    },
  );
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr.join("")}`);
  if (!binary) throw new Error("asc produced no binary");
  return binary;
}

function finalise(binary) {
  const module = binaryen.readBinary(binary);
  module.setFeatures(
    binaryen.Features.MVP |
      binaryen.Features.MutableGlobals |
      binaryen.Features.SignExt |
      binaryen.Features.BulkMemory |
      binaryen.Features.BulkMemoryOpt |
      binaryen.Features.NontrappingFPToInt,
  );
  const exports = [];
  for (let i = 0; i < module.getNumExports(); i++)
    exports.push(binaryen.getExportInfo(module.getExportByIndex(i)));
  for (const info of exports) {
    const name = finalExportName(info.name);
    if (name === info.name) continue;
    module.removeExport(info.name);
    if (name === undefined) continue;
    if (info.kind !== binaryen.ExternalFunction)
      throw new Error(`builtin export ${info.name} is not a function`);
    module.addFunctionExport(info.value, name);
  }
  if (!module.validate()) throw new Error("runtime module does not validate");
  binaryen.setOptimizeLevel(3);
  binaryen.setShrinkLevel(0);
  module.optimize();
  const out = module.emitBinary();
  module.dispose();
  return out;
}

const binary = finalise(await compile());
await mkdir(dirname(outFile), { recursive: true });
await writeFile(outFile, binary);
console.log(`wrote ${outFile} (${binary.length} bytes)`);
