// What "formatting preserved the meaning" is checked against: the module's AST without source
// positions and without the spellings the formatter normalises (`=` vs `:=` in rule heads, the
// `future.keywords` imports that `import rego.v1` makes redundant, the order of imports).
import type { Module } from "../syntax/ast.ts";
import { keptImports } from "./printer.ts";

const IGNORED_KEYS = new Set(["loc", "file", "assign"]);

/** A canonical JSON text of the module's meaning-bearing structure. */
export function moduleShape(module: Module): string {
  const imports = keptImports(module.imports).map(shape).sort();
  return shape({ ...module, imports });
}

function shape(node: unknown): string {
  return JSON.stringify(node, (key, value) => (IGNORED_KEYS.has(key) ? undefined : value));
}

export function sameModule(a: Module, b: Module): boolean {
  return moduleShape(a) === moduleShape(b);
}
