// The whole pipeline in one call: parse, compile, plan and link (rego/index.ts exports it; the
// test runner imports it from here, without the host builtins the public entry also exports).
import { parseModule, parseQuery } from "./syntax/index.ts";
import { compileModules, compileQuery } from "./compile/index.ts";
import { planPolicy } from "./plan/index.ts";
import { buildWasm, buildWasmWithCoverage, type CoverageTable } from "./wasm/index.ts";
import type { Policy } from "./plan/ir.ts";

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
  };
  const entrypoints = Object.fromEntries(ir.plans.plans.map((p, i) => [p.name, i]));
  if (!options.coverage) return { wasm: buildWasm(ir, wasmOptions), ir, entrypoints };
  const { wasm, coverage } = buildWasmWithCoverage(ir, wasmOptions);
  return coverage ? { wasm, ir, entrypoints, coverage } : { wasm, ir, entrypoints };
}
