// Public entry of Gatehouse's Rego toolchain. The gateway and the CLI use rego/ only through here.
//
//   source --parseModule--> Module --compileModules--> CompiledPolicy --planPolicy--> IR
//          --buildWasm--> module bytes that @open-policy-agent/opa-wasm loads (OPA Wasm ABI 1.2)

export { parseModule, parseQuery } from "./syntax/index.ts";
export { compileModules, compileQuery } from "./compile/index.ts";
export { annotatedEntrypoints } from "./compile/annotation-set.ts";
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
export { EvaluationOutput, DEFAULT_OUTPUT_LIMITS } from "./builtins/host/evaluation-output.ts";
export { compiledSchema, type CompiledSchema } from "./builtins/host/schema-validators.ts";
export { RegoError, formatIssue } from "./errors.ts";
export { readBundle, writeBundle, loadPolicyDirectory, PolicyLoadError } from "./bundle/index.ts";
export type { Bundle, BundleContents, BundleManifest, PolicyDirectory } from "./bundle/index.ts";
export type { RegoIssue, RegoErrorCode } from "./errors.ts";
export type { Module } from "./syntax/ast.ts";
export type { CompiledPolicy, CompiledQuery } from "./compile/types.ts";
export type { Policy } from "./plan/ir.ts";
export type { CoverageTable } from "./wasm/index.ts";
export { buildPolicy } from "./build.ts";
export type { BuildOptions, BuiltPolicy, SourceFile } from "./build.ts";
