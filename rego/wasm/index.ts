// Wasm back end: IR => a module that the unmodified @open-policy-agent/opa-wasm SDK loads.
import type { Policy } from "../plan/ir.ts";
import { linkPolicy, linkPolicyWithCoverage, type LinkedPolicy } from "./link.ts";
import { runtimeWasm } from "./runtime-wasm.ts";

export type { CoverageTable } from "./coverage.ts";
export type { LinkedPolicy } from "./link.ts";

export interface WasmOptions {
  /** raise builtin errors instead of making the call undefined */
  strictBuiltinErrors: boolean;
}

export function buildWasm(ir: Policy, options: WasmOptions): Uint8Array {
  return linkPolicy(runtimeWasm(), ir, options);
}

/** Like buildWasm, and reports the line coverage table of an IR planned with `coverage: true`. */
export function buildWasmWithCoverage(ir: Policy, options: WasmOptions): LinkedPolicy {
  return linkPolicyWithCoverage(runtimeWasm(), ir, options);
}
