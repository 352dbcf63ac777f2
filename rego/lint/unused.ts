// lint/unused-rule and lint/unused-import.
//
// What counts as unused: a rule or function no rule of the checked set refers to (tests included:
// a helper only tests call is still used). Without entrypoints, every non-function rule whose
// name does not start with `_` is the package's public API (any of them can be queried), so only
// functions and `_`-prefixed rules are reported. With entrypoints (`--entrypoint`), every rule
// outside them is reported when nothing refers to it. `test_` rules are never reported.
import type { Import } from "../syntax/ast.ts";
import type { LintContext } from "./types.ts";
import { collectReferences, overlaps, rulePath } from "./references.ts";
import { ruleName } from "./walk.ts";

export function checkUnused(ctx: LintContext): void {
  const { references, importUse } = collectReferences(ctx.modules);
  const entrypoints = (ctx.options.entrypoints ?? []).map((e) => e.split("/").filter(Boolean));
  const reported = new Set<string>();
  for (const module of ctx.modules) {
    for (const rule of module.rules) {
      const name = ruleName(rule);
      if (/^(todo_)?test_/.test(name)) continue;
      const path = rulePath(module, rule);
      const key = path.join(".");
      if (reported.has(key)) continue;
      const isFunction = rule.head.args !== undefined;
      const candidate =
        entrypoints.length > 0
          ? !entrypoints.some((e) => overlaps(e, path))
          : isFunction || name.startsWith("_");
      if (!candidate) continue;
      const used = references.some(
        (r) => overlaps(r.path, path) && rulePath(r.module, r.from).join(".") !== key,
      );
      if (used) continue;
      reported.add(key);
      ctx.report({
        rule: "unused-rule",
        severity: "warning",
        location: rule.loc,
        message: `${isFunction ? "function" : "rule"} data.${key} is not referenced by any rule${
          entrypoints.length > 0 ? " nor an entrypoint" : ""
        }: remove it, or use it where it was meant to apply`,
      });
    }
  }
  for (const module of ctx.modules) {
    for (const imp of module.imports) {
      for (const [name, isUsed] of importUse.get(module) ?? []) {
        if (isUsed || !importBinds(imp, name)) continue;
        ctx.report({
          rule: "unused-import",
          severity: "warning",
          location: imp.loc,
          message: `import ${name} is not used in this module: remove it`,
        });
      }
    }
  }
}

function importBinds(imp: Import, name: string): boolean {
  if (imp.alias !== undefined) return imp.alias === name;
  const last = imp.path.terms[imp.path.terms.length - 1]!;
  return (
    (last.type === "string" && last.value === name) || (last.type === "var" && last.name === name)
  );
}
