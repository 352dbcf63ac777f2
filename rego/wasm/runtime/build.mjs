// Builds the policy runtime: AssemblyScript (assembly/index.ts) -> build/runtime.wasm.
// Then, with binaryen: exports `builtin$a$b` are renamed `builtin.a.b` (AssemblyScript cannot
// export names with dots) and every export that is neither part of the ABI, `rt_*` (for the code
// generator) nor `gatehouse_*` (the host's limits, docs/rego-runtime-abi.md) is dropped.
// The build is skipped when its inputs (the assembly sources, this script, the ABI list and the
// compilers' versions) hash to what the last build recorded beside its output, and that output is
// unchanged; `--force` builds anyway.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import abiExports from "../abi-exports.json" with { type: "json" };

const here = dirname(fileURLToPath(import.meta.url));
// `--entry <file relative to this folder>` and `--out <path>` exist for development builds.
const argValue = (flag, fallback) => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
const entry = argValue("--entry", "assembly/index.ts");
const outFile = argValue("--out", join(here, "build", "runtime.wasm"));
const stampFile = `${outFile}.inputs.json`;

// The exports of OPA's Wasm ABI (one list, shared with the linker).
const ABI_EXPORTS = new Set(abiExports);

/** The export name in runtime.wasm for an AssemblyScript export, or undefined to drop it. */
export function finalExportName(name) {
  if (ABI_EXPORTS.has(name) || name.startsWith("rt_") || name.startsWith("gatehouse_")) return name;
  if (name.startsWith("builtin$"))
    return "builtin." + name.slice("builtin$".length).replaceAll("$", ".");
  return undefined;
}

/** One digest of everything the output depends on. */
function inputsDigest() {
  const hash = createHash("sha256");
  const add = (label, content) => hash.update(`${label}\0${content.length}\0`).update(content);
  const files = (dir) =>
    readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name))
      .sort();
  for (const file of files(join(here, "assembly"))) add(relative(here, file), readFileSync(file));
  add("build.mjs", readFileSync(fileURLToPath(import.meta.url)));
  add("abi-exports.json", JSON.stringify(abiExports));
  add("entry", entry);
  const require = createRequire(import.meta.url);
  for (const pkg of ["assemblyscript", "binaryen"])
    add(pkg, require(`${pkg}/package.json`).version);
  return hash.digest("hex");
}

function sha256(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The last build's record, when it matches these inputs and its output is still the one it wrote. */
function upToDate(inputs) {
  try {
    const stamp = JSON.parse(readFileSync(stampFile, "utf8"));
    return stamp.inputs === inputs && stamp.output === sha256(readFileSync(outFile));
  } catch {
    return false; // no output or no record yet
  }
}

async function compile() {
  const { default: asc } = await import("assemblyscript/asc");
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

async function finalise(binary) {
  const { default: binaryen } = await import("binaryen");
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

const inputs = inputsDigest();
if (!process.argv.includes("--force") && upToDate(inputs)) {
  console.log(`${outFile} is up to date (its inputs have not changed; --force rebuilds)`);
} else {
  const binary = await finalise(await compile());
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, binary);
  await writeFile(stampFile, `${JSON.stringify({ inputs, output: sha256(binary) })}\n`);
  console.log(`wrote ${outFile} (${binary.length} bytes)`);
}
