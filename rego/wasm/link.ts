// Links the policy into the prebuilt runtime: static data after the runtime's data, the runtime's
// `gatehouse` imports replaced by functions of the same internal name, policy code from the IR,
// internal exports removed, then validate, optimise and emit.
import binaryen from "binaryen";
import type { Policy } from "../plan/ir.ts";
import { hostImportName, lookupBuiltin } from "../builtins/registry.ts";
import { installLocatedBuiltinErrors } from "./builtin-errors.ts";
import { generatePolicyCode } from "./codegen.ts";
import { readDataSegments, runtimeStaticEnd, setImportedMemory } from "./data-segments.ts";
import { importedFunctions, RuntimeBinding } from "./runtime-binding.ts";
import { align, StaticData } from "./static-data.ts";
import { validateModule } from "./validate.ts";
import type { CoverageTable } from "./coverage.ts";
import abiExports from "./abi-exports.json" with { type: "json" };
import { DEFAULT_EVAL_BUDGET, HOST_LIMIT_EXPORTS } from "./limits.ts";

export interface LinkOptions {
  strictBuiltinErrors: boolean;
  /**
   * Meter the evaluation against a budget (default true). false builds a module without metering
   * and without the gatehouse_* limit exports, as OPA's own: for benchmarks, and to test hosts
   * against modules they cannot limit.
   */
  meter?: boolean;
  /** budget of an evaluation when the host sets none (default DEFAULT_EVAL_BUDGET) */
  budget?: number;
  /**
   * "policy" (default): drop unused runtime code and optimise only the generated functions
   * (level 2, shrink 1); the runtime arrives optimised, so this builds ~10x faster than "module",
   * binaryen's optimiser over the whole linked module. "none": emit as generated.
   */
  optimize?: "module" | "policy" | "none";
}

const PAGE_SIZE = 65536;

// Features the AssemblyScript runtime is built with (readBinary resets the set to MVP).
const FEATURES =
  binaryen.Features.MutableGlobals |
  binaryen.Features.SignExt |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt |
  binaryen.Features.NontrappingFPToInt;

/** OPA's Wasm ABI exports: everything else the runtime exports is internal and removed. */
export const ABI_EXPORTS: ReadonlySet<string> = new Set(abiExports);

export interface LinkedPolicy {
  wasm: Uint8Array;
  /** where the line coverage bytes are: present when the IR was planned with coverage */
  coverage?: CoverageTable;
}

export function linkPolicy(runtimeWasm: Uint8Array, ir: Policy, options: LinkOptions): Uint8Array {
  return linkPolicyWithCoverage(runtimeWasm, ir, options).wasm;
}

export function linkPolicyWithCoverage(
  runtimeWasm: Uint8Array,
  ir: Policy,
  options: LinkOptions,
): LinkedPolicy {
  const module = binaryen.readBinary(runtimeWasm);
  try {
    module.setFeatures(FEATURES);
    const segments = readDataSegments(module);
    const data = new StaticData(align(runtimeStaticEnd(module, segments), 16));
    const hostBuiltinIds = hostBuiltins(ir);
    const runtime = new RuntimeBinding(module);
    const abortWrapper = installLocatedBuiltinErrors(module, runtime);
    const meter = options.meter ?? true;
    const code = generatePolicyCode({ module, runtime, data, ir, hostBuiltinIds, meter });
    const builtinsJson = data.addCString(
      JSON.stringify(
        Object.fromEntries([...hostBuiltinIds].map(([name, id]) => [hostImportName(name), id])),
      ),
    );
    const entrypointsJson = data.addCString(
      JSON.stringify(Object.fromEntries(ir.plans.plans.map((p, i) => [p.name, i]))),
    );
    const heapBase = data.heapBase;

    const replaced = replaceGatehouseImports(module, {
      gh_eval: code.evalBody,
      gh_builtins_json: module.i32.const(builtinsJson),
      gh_entrypoints_json: module.i32.const(entrypointsJson),
      gh_heap_base: module.i32.const(heapBase),
      gh_options: module.i32.const(options.strictBuiltinErrors ? 1 : 0),
      gh_memo_slots: module.i32.const(code.memoSlots),
      gh_budget_default: module.i64.const(BigInt(meter ? defaultBudget(options.budget) : 0)),
    });
    setImportedMemory(module, Math.max(1, Math.ceil(heapBase / PAGE_SIZE)), [
      ...segments,
      { offset: data.base, data: data.bytes() },
    ]);
    removeInternalExports(module, meter ? HOST_LIMIT_EXPORTS : []);

    validateModule(module);
    optimize(module, options.optimize ?? "policy", [
      ...code.functions,
      ...replaced,
      ...abortWrapper,
    ]);
    const wasm = module.emitBinary();
    return code.coverage ? { wasm, coverage: code.coverage } : { wasm };
  } finally {
    module.dispose();
  }
}

function optimize(
  module: binaryen.Module,
  mode: "module" | "policy" | "none",
  generated: string[],
): void {
  if (mode === "none") return;
  binaryen.setOptimizeLevel(2);
  binaryen.setShrinkLevel(1);
  if (mode === "module") {
    module.optimize();
    return;
  }
  module.runPasses(["remove-unused-module-elements"]);
  // (functions the pass removed are gone: getFunction gives 0)
  for (const name of generated) if (module.getFunction(name)) module.optimizeFunction(name);
}

/** Host builtin name => id (its index in the IR's sorted builtin_funcs); native ones are not listed. */
function hostBuiltins(ir: Policy): Map<string, number> {
  const ids = new Map<string, number>();
  ir.static.builtin_funcs.forEach((b, i) => {
    if (lookupBuiltin(b.name)?.placement !== "native") ids.set(b.name, i);
  });
  return ids;
}

// The runtime imports these from module `gatehouse`; each import is removed and a function of the
// same internal name (and type) is added, so the runtime's calls to it now reach the policy's body.
// binaryen refers to functions by name, which makes this a plain remove + add.
function replaceGatehouseImports(
  module: binaryen.Module,
  bodies: Record<string, binaryen.ExpressionRef>,
): string[] {
  const imports = importedFunctions(module).filter((f) => f.module === "gatehouse");
  const missing = new Set(Object.keys(bodies));
  for (const imp of imports) {
    const body = bodies[imp.base!];
    if (body === undefined)
      throw new Error(`the Wasm runtime imports unknown gatehouse.${imp.base}`);
    missing.delete(imp.base!);
    module.removeFunction(imp.name);
    module.addFunction(imp.name, imp.params, imp.results, [], body);
  }
  // gh_eval is essential; the others may be absent when the runtime does not use them.
  if (missing.has("gh_eval")) throw new Error("the Wasm runtime does not import gatehouse.gh_eval");
  return imports.map((imp) => imp.name);
}

function removeInternalExports(module: binaryen.Module, keep: readonly string[]): void {
  const names: string[] = [];
  for (let i = 0; i < module.getNumExports(); i++) {
    names.push(binaryen.getExportInfo(module.getExportByIndex(i)).name);
  }
  for (const name of names)
    if (!ABI_EXPORTS.has(name) && !keep.includes(name)) module.removeExport(name);
}

function defaultBudget(budget: number | undefined): number {
  if (budget === undefined) return DEFAULT_EVAL_BUDGET;
  if (!Number.isSafeInteger(budget) || budget < 1) {
    throw new Error(`the evaluation budget must be a positive integer, got ${budget}`);
  }
  return budget;
}
