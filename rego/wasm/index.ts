// Wasm back end: IR => a module that the unmodified @open-policy-agent/opa-wasm SDK loads.
import type { Policy } from "../plan/ir.ts";
import { linkPolicy } from "./link.ts";
import { runtimeWasm } from "./runtime-wasm.ts";

export interface WasmOptions {
  /** raise builtin errors instead of making the call undefined */
  strictBuiltinErrors: boolean;
}

export function buildWasm(ir: Policy, options: WasmOptions): Uint8Array {
  return linkPolicy(runtimeWasm(), ir, options);
}
