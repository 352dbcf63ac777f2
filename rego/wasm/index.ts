// Wasm back end: IR => a module that the unmodified @open-policy-agent/opa-wasm SDK loads.
import type { Policy } from "../plan/ir.ts";
import { linkPolicy, linkPolicyWithCoverage, type LinkedPolicy } from "./link.ts";
import { runtimeWasm } from "./runtime-wasm.ts";

export type { CoverageTable } from "./coverage.ts";
export type { LinkedPolicy } from "./link.ts";
export {
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
} from "./limits.ts";

export interface WasmOptions {
  /** raise builtin errors instead of making the call undefined */
  strictBuiltinErrors: boolean;
  /** meter evaluations against a budget (default true; see limits.ts) */
  meter?: boolean;
  /** the module's budget when the host sets none (default DEFAULT_EVAL_BUDGET) */
  budget?: number;
}

export function buildWasm(ir: Policy, options: WasmOptions): Uint8Array {
  return linkPolicy(runtimeWasm(), ir, options);
}

/** Like buildWasm, and reports the line coverage table of an IR planned with `coverage: true`. */
export function buildWasmWithCoverage(ir: Policy, options: WasmOptions): LinkedPolicy {
  return linkPolicyWithCoverage(runtimeWasm(), ir, options);
}
