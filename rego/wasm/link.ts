// Links the policy into the prebuilt runtime: the runtime's `gatehouse` imports become functions
// holding the policy's code and data, the policy's static data goes after the runtime's, internal
// exports and the runtime functions nothing can call are left out. The runtime is decoded once per
// process (binary/runtime-image.ts); a link encodes only the generated functions and copies the
// runtime's (their call indices renumbered), then the engine validates the module.
import type { Policy } from "../plan/ir.ts";
import { hostImportName, lookupBuiltin } from "../builtins/registry.ts";
import type { Expr } from "./binary/expressions.ts";
import { ModuleBuilder } from "./binary/module-builder.ts";
import { runtimeImage } from "./binary/runtime-image.ts";
import { installLocatedBuiltinErrors } from "./builtin-errors.ts";
import { generatePolicyCode } from "./codegen.ts";
import { RuntimeBinding } from "./runtime-binding.ts";
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
}

const PAGE_SIZE = 65536;

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
  const module = new ModuleBuilder(runtimeImage(runtimeWasm));
  const data = new StaticData(align(module.image.staticEnd, 16));
  const hostIds = hostBuiltinIds(ir);
  const runtime = new RuntimeBinding(module);
  installLocatedBuiltinErrors(module, runtime);
  const meter = options.meter ?? true;
  const code = generatePolicyCode({
    module,
    runtime,
    data,
    ir,
    hostBuiltinIds: hostIds,
    meter,
  });
  const builtinsJson = data.addCString(
    JSON.stringify(
      Object.fromEntries([...hostIds].map(([name, id]) => [hostImportName(name), id])),
    ),
  );
  const entrypointsJson = data.addCString(
    JSON.stringify(Object.fromEntries(ir.plans.plans.map((p, i) => [p.name, i]))),
  );
  const heapBase = data.heapBase;

  defineGatehouseImports(module, {
    gh_eval: code.evalBody,
    gh_builtins_json: module.i32.const(builtinsJson),
    gh_entrypoints_json: module.i32.const(entrypointsJson),
    gh_heap_base: module.i32.const(heapBase),
    gh_options: module.i32.const(options.strictBuiltinErrors ? 1 : 0),
    gh_memo_slots: module.i32.const(code.memoSlots),
    gh_budget_default: module.i64.const(BigInt(meter ? defaultBudget(options.budget) : 0)),
  });
  const limitExports: readonly string[] = meter ? HOST_LIMIT_EXPORTS : [];
  const wasm = module.write({
    memoryPages: Math.max(1, Math.ceil(heapBase / PAGE_SIZE)),
    data: { offset: data.base, data: data.bytes() },
    keepExport: (name) => ABI_EXPORTS.has(name) || limitExports.includes(name),
  });
  validateModule(wasm);
  return code.coverage ? { wasm, coverage: code.coverage } : { wasm };
}

/** Host builtin name => id (its index in the IR's sorted builtin_funcs); native ones are not listed. */
export function hostBuiltinIds(ir: Policy): Map<string, number> {
  const ids = new Map<string, number>();
  ir.static.builtin_funcs.forEach((b, i) => {
    if (lookupBuiltin(b.name)?.placement !== "native") ids.set(b.name, i);
  });
  return ids;
}

// The runtime imports these from module `gatehouse`; each import becomes a function with its
// signature and the given body, so the runtime's calls to it now reach the policy.
function defineGatehouseImports(module: ModuleBuilder, bodies: Record<string, Expr>): void {
  const imports = module.functionImports().filter((f) => f.module === "gatehouse");
  for (const imp of imports) {
    const body = bodies[imp.base];
    if (body === undefined)
      throw new Error(`the Wasm runtime imports unknown gatehouse.${imp.base}`);
    module.defineImport(imp.name, [], body);
  }
  // gh_eval is essential; the others may be absent when the runtime does not use them.
  if (!imports.some((imp) => imp.base === "gh_eval"))
    throw new Error("the Wasm runtime does not import gatehouse.gh_eval");
}

function defaultBudget(budget: number | undefined): number {
  if (budget === undefined) return DEFAULT_EVAL_BUDGET;
  if (!Number.isSafeInteger(budget) || budget < 1) {
    throw new Error(`the evaluation budget must be a positive integer, got ${budget}`);
  }
  return budget;
}
