// Development entry: the runtime with only the string builtins (see test/rego/wasm/strings.test.ts).
export const opa_wasm_abi_version: i32 = 1;
export const opa_wasm_abi_minor_version: i32 = 2;
export * from "../abi";
export * from "../rt";
export * from "./strings";
export * from "./sprintf";
