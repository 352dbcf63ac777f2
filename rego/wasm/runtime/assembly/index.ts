// Entry point of the policy runtime (built by rego/wasm/runtime/build.mjs into build/runtime.wasm).
// Exports: OPA Wasm ABI 1.2 (abi.ts), the code generator's rt_* functions (rt.ts), the native
// builtins (builtins/*.ts), and the host's gatehouse_* limits (fuel.ts, host-text.ts).
//
// Conventions for builtin files (assembly/builtins/<topic>.ts):
// - A builtin `a.b_c` is a function named `builtin$a$b_c` (`.` spelled `$`, since AssemblyScript
//   cannot export names containing dots), taking one Value (usize) per argument and returning a
//   Value (0 = undefined). build.mjs renames the export to `builtin.a.b_c`.
// - Every builtin file is re-exported below with `export *`; build.mjs drops every export that
//   is neither an ABI export, `rt_*`, nor `builtin$*`, so helpers may be exported freely.
// - Values: value.ts (constructors/accessors), compare.ts (equal/compare), buf.ts (byte buffer),
//   errors.ts (typeError/builtinError), json.ts (parse/dump, formatNumber), dtoa.ts (formatF64:
//   doubles as JavaScript prints them; correctF64), alloc.ts (malloc). Managed AssemblyScript objects
//   (String, Array, `new`, concatenation) are allowed (rt/heap.ts puts them on the same heap)
//   but slower; never in module-level initialisers (that would need a start function).

export const opa_wasm_abi_version: i32 = 1;
export const opa_wasm_abi_minor_version: i32 = 2;

export * from "./abi";
export * from "./rt";
export * from "./fuel";
export * from "./host-text";

export * from "./builtins/compare";
export * from "./builtins/arith";
export * from "./builtins/sets";
export * from "./builtins/aggregates";
export * from "./builtins/types";
export * from "./builtins/arrays";
export * from "./builtins/objects";
export * from "./builtins/encoding";
export * from "./builtins/walk";
export * from "./builtins/strings";
export * from "./builtins/sprintf";
