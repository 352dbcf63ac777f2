// Names a module can use without declaring them: rules of its package (in any module) and imports.
import type { Import, Module, Term } from "../syntax/ast.ts";
import type { IssueList } from "./issues.ts";
import { packagePath } from "./tree.ts";
import { termText } from "./terms.ts";

export function globalsOf(modules: Module[], issues: IssueList): Map<Module, Map<string, Term[]>> {
  const rulesByPackage = new Map<string, Map<string, Term[]>>();
  for (const m of modules) {
    const key = JSON.stringify(packagePath(m));
    const names = rulesByPackage.get(key) ?? new Map<string, Term[]>();
    rulesByPackage.set(key, names);
    for (const rule of m.rules) {
      const head = rule.head.ref[0];
      if (head?.type !== "var") continue;
      names.set(head.name, [
        ...m.package.terms,
        { type: "string", value: head.name, loc: head.loc },
      ]);
    }
  }
  const result = new Map<Module, Map<string, Term[]>>();
  for (const m of modules) {
    const globals = new Map(rulesByPackage.get(JSON.stringify(packagePath(m))));
    const seen = new Map<string, Import>();
    for (const imp of m.imports) {
      const name = importName(imp);
      if (name === undefined) continue;
      const previous = seen.get(name);
      if (previous) {
        issues.add("rego_compile_error", imp.loc, `import must not shadow ${importText(previous)}`);
        continue;
      }
      seen.set(name, imp);
      globals.set(name, imp.path.terms);
    }
    result.set(m, globals);
  }
  return result;
}

/** The name an import binds, or undefined for `future.keywords...`, `rego.v1` and bare roots. */
function importName(imp: Import): string | undefined {
  const [head, ...rest] = imp.path.terms;
  if (head?.type !== "var" || (head.name !== "data" && head.name !== "input")) return undefined;
  if (imp.alias) return imp.alias;
  const last = rest[rest.length - 1];
  if (!last) return undefined;
  return last.type === "string" ? last.value : undefined;
}

function importText(imp: Import): string {
  return `import ${termText(imp.path)}${imp.alias ? ` as ${imp.alias}` : ""}`;
}
