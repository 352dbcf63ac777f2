// Public entry of Gatehouse's Rego toolchain. The gateway and the CLI use rego/ only through here.
//
//   source --parseModule--> Module --compileModules--> CompiledPolicy --planPolicy--> IR
//          --buildWasm--> module bytes that @open-policy-agent/opa-wasm loads (OPA Wasm ABI 1.2)
import { parseModule, parseQuery } from "./syntax/index.ts";
import { compileModules, compileQuery } from "./compile/index.ts";
import { planPolicy } from "./plan/index.ts";
import { buildWasm, buildWasmWithCoverage, type CoverageTable } from "./wasm/index.ts";
import type { Policy } from "./plan/ir.ts";

export { parseModule, parseQuery } from "./syntax/index.ts";
export { compileModules, compileQuery } from "./compile/index.ts";
export { planPolicy } from "./plan/index.ts";
export {
  buildWasm,
  ModuleLimits,
  DEFAULT_EVAL_BUDGET,
  MAX_EVAL_BUDGET,
  MAX_INPUT_DEPTH,
  MAX_MEMORY_MIB,
  DEFAULT_MAX_MEMORY_MIB,
  checkBudget,
  memoryPages,
  memoryCapMessage,
  jsonDepthExceeds,
  type EvaluationLimits,
} from "./wasm/index.ts";
export { hostBuiltins } from "./builtins/host/index.ts";
export { compiledSchema, type CompiledSchema } from "./builtins/host/schema-validators.ts";
export { RegoError, formatIssue } from "./errors.ts";
export { readBundle, writeBundle, loadPolicyDirectory, PolicyLoadError } from "./bundle/index.ts";
export type { Bundle, BundleContents, BundleManifest, PolicyDirectory } from "./bundle/index.ts";
export type { RegoIssue, RegoErrorCode } from "./errors.ts";
export type { Module } from "./syntax/ast.ts";
export type { CompiledPolicy, CompiledQuery } from "./compile/types.ts";
export type { Policy } from "./plan/ir.ts";
export type { CoverageTable } from "./wasm/index.ts";

export interface SourceFile {
  file: string;
  source: string;
}

export interface BuildOptions {
  /** rule paths to expose, slash separated without `data` (e.g. "gatehouse/decision") */
  entrypoints?: string[];
  /** ad-hoc queries to expose as entrypoints, e.g. {name: "q", query: "data.test.p = x"} */
  queries?: { name: string; query: string }[];
  /** raise builtin errors instead of making the call undefined (OPA's --strict-builtin-errors) */
  strictBuiltinErrors?: boolean;
  /** instrument the module to record which source lines run (`gatehouse policy test --coverage`) */
  coverage?: boolean;
  /**
   * Meter evaluations against a budget (default true). false: no metering and no budget exports,
   * like a module from OPA's `opa build -t wasm` (benchmarks compare the two).
   */
  meter?: boolean;
  /** the module's evaluation budget when its host sets none (default DEFAULT_EVAL_BUDGET) */
  budget?: number;
  /** binaryen optimisation (rego/wasm/link.ts); "none" builds several times faster (policy test) */
  optimize?: "module" | "policy" | "none";
}

export interface BuiltPolicy {
  wasm: Uint8Array;
  ir: Policy;
  /** entrypoint name => id, as the module's `entrypoints()` reports it */
  entrypoints: Record<string, number>;
  /** coverage builds: where the module records evaluated lines (absent when no line can run) */
  coverage?: CoverageTable;
}

/**
 * Parse, compile, plan and assemble. Throws RegoError (with every problem and its location) for
 * broken Rego. An entrypoint `a/b` evaluates to `[{"result": <data.a.b>}]`; a query evaluates to
 * one binding object per solution, keyed by the query's variables.
 */
export function buildPolicy(files: SourceFile[], options: BuildOptions = {}): BuiltPolicy {
  const modules = files.map((f) => parseModule(f.source, f.file));
  const compiled = compileModules(modules);
  const queries = [
    ...(options.entrypoints ?? []).map((path) => ({
      name: path,
      query: compileQuery(
        parseQuery(`result = data.${path.split("/").join(".")}`, "<query>"),
        compiled,
      ),
    })),
    ...(options.queries ?? []).map((q) => ({
      name: q.name,
      query: compileQuery(parseQuery(q.query, "<query>"), compiled),
    })),
  ];
  const ir = planPolicy(compiled, queries, { coverage: options.coverage ?? false });
  const wasmOptions = {
    strictBuiltinErrors: options.strictBuiltinErrors ?? false,
    meter: options.meter,
    budget: options.budget,
    optimize: options.optimize,
  };
  const entrypoints = Object.fromEntries(ir.plans.plans.map((p, i) => [p.name, i]));
  if (!options.coverage) return { wasm: buildWasm(ir, wasmOptions), ir, entrypoints };
  const { wasm, coverage } = buildWasmWithCoverage(ir, wasmOptions);
  return coverage ? { wasm, ir, entrypoints, coverage } : { wasm, ir, entrypoints };
}
