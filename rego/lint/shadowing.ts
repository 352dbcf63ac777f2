// lint/shadowed-import and lint/shadowed-builtin: a rule, function argument or local variable
// named like an import or a builtin. Inside its scope the import or builtin is unreachable, and a
// reader who sees `roles` or `time` will think of the import or builtin, not the local.
import type { Expr, Rule, Term, VarTerm } from "../syntax/ast.ts";
import { builtinNamespaces, builtins } from "../builtins/registry.ts";
import type { LintContext } from "./types.ts";
import { importName } from "./references.ts";
import { walkRule } from "./walk.ts";

export function checkShadowing(ctx: LintContext): void {
  for (const module of ctx.modules) {
    const imports = new Set(module.imports.map(importName).filter((n) => n !== undefined));
    const seen = new Set<string>();
    const check = (v: VarTerm, what: string): void => {
      const name = v.name;
      const at = `${v.loc.row}:${v.loc.col}`;
      if (name === "_" || seen.has(at)) return;
      seen.add(at);
      if (imports.has(name)) {
        ctx.report({
          rule: "shadowed-import",
          severity: "warning",
          location: v.loc,
          message: `${what} ${name} shadows the import ${name}: rename the ${what}`,
        });
      } else if (builtinNamespaces.has(name) || (builtins.has(name) && !name.includes("."))) {
        ctx.report({
          rule: "shadowed-builtin",
          severity: "warning",
          location: v.loc,
          message: `${what} ${name} shadows the builtin ${builtinNamespaces.has(name) ? "namespace " : ""}${name}: rename the ${what}`,
        });
      }
    };
    for (const rule of module.rules) {
      const head = rule.head.ref[0]!;
      if (head.type === "var") check(head, rule.head.args ? "function" : "rule");
      declaredVars(rule, (v) => check(v, "variable"));
    }
  }
}

/** Vars a rule declares: function arguments, `:=` targets, `some`, `some ... in`, `every`. */
function declaredVars(rule: Rule, f: (v: VarTerm) => void): void {
  rule.head.args?.forEach((t) => patternVars(t, f));
  walkRule(rule, {
    body(exprs: Expr[]) {
      for (const e of exprs) {
        if (e.type === "call" && e.operator.terms.length === 1) {
          const op = e.operator.terms[0]!;
          if (op.type === "var" && op.name === "assign") patternVars(e.args[0]!, f);
        } else if (e.type === "some") e.vars.forEach(f);
        else if (e.type === "somein" || e.type === "every") {
          if (e.key) patternVars(e.key, f);
          patternVars(e.value, f);
        }
      }
    },
  });
}

function patternVars(t: Term, f: (v: VarTerm) => void): void {
  switch (t.type) {
    case "var":
      f(t);
      return;
    case "array":
      t.items.forEach((x) => patternVars(x, f));
      return;
    case "object":
      t.items.forEach(([, x]) => patternVars(x, f));
      return;
    default:
      return;
  }
}
