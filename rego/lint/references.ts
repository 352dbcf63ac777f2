// Which documents each rule refers to, resolved to absolute `data` paths: `tools.risk(...)` with
// `import data.gatehouse.tools` is data.gatehouse.tools.risk, a bare `allow` in package gatehouse
// is data.gatehouse.allow. Local variables that happen to share a rule's name count as references
// too: the analysis errs towards "used".
import type { Import, Module, Rule, Term, VarTerm } from "../syntax/ast.ts";
import { packageSegments, ruleName, walkRule } from "./walk.ts";

export interface Reference {
  /** data path without `data` */
  path: string[];
  /** the rule the reference was written in */
  from: Rule;
  module: Module;
}

/** The name an import binds in its module (alias or last segment); none for rego.v1/future. */
export function importName(imp: Import): string | undefined {
  const root = imp.path.terms[0] as VarTerm;
  if (root.name === "future" || root.name === "rego") return undefined;
  if (imp.alias !== undefined) return imp.alias;
  const last = imp.path.terms[imp.path.terms.length - 1]!;
  return last.type === "string" ? last.value : last.type === "var" ? last.name : undefined;
}

/** Absolute path of a rule's document: package + the leading constant segments of its head. */
export function rulePath(module: Module, rule: Rule): string[] {
  return [
    ...packageSegments(module.package),
    ruleName(rule),
    ...constantSegments(rule.head.ref.slice(1)),
  ];
}

export function collectReferences(modules: Module[]): {
  references: Reference[];
  /** per module: import name => whether something in the module uses it */
  importUse: Map<Module, Map<string, boolean>>;
} {
  const rulesByPackage = new Map<string, Set<string>>();
  for (const m of modules) {
    const key = packageSegments(m.package).join(".");
    const names = rulesByPackage.get(key) ?? new Set<string>();
    m.rules.forEach((r) => names.add(ruleName(r)));
    rulesByPackage.set(key, names);
  }
  const references: Reference[] = [];
  const importUse = new Map<Module, Map<string, boolean>>();
  for (const module of modules) {
    const pkg = packageSegments(module.package);
    const ruleNames = rulesByPackage.get(pkg.join("."))!;
    const imports = new Map<string, Term[]>();
    const used = new Map<string, boolean>();
    for (const imp of module.imports) {
      const name = importName(imp);
      if (name === undefined) continue;
      imports.set(name, imp.path.terms);
      used.set(name, false);
    }
    importUse.set(module, used);

    const resolve = (name: string, rest: Term[]): string[] | undefined => {
      let base: string[] | undefined;
      const imported = imports.get(name);
      if (imported) {
        used.set(name, true);
        const root = (imported[0] as VarTerm).name;
        if (root !== "data") return undefined;
        base = constantSegments(imported.slice(1));
      } else if (name === "data") base = [];
      else if (ruleNames.has(name)) base = [...pkg, name];
      if (!base) return undefined;
      return [...base, ...constantSegments(rest)];
    };

    for (const rule of module.rules) {
      const refHeads = new Set<Term>();
      const ownHead = new Set<Term>();
      for (let r: Rule | undefined = rule; r; r = r.else) ownHead.add(r.head.ref[0]!);
      walkRule(rule, {
        term(t) {
          if (ownHead.has(t) || refHeads.has(t)) return;
          let path: string[] | undefined;
          if (t.type === "ref" && t.terms[0]!.type === "var") {
            refHeads.add(t.terms[0]!);
            path = resolve(t.terms[0]!.name, t.terms.slice(1));
          } else if (t.type === "var") path = resolve(t.name, []);
          if (path) references.push({ path, from: rule, module });
        },
      });
    }
  }
  return { references, importUse };
}

/** The leading string segments of a ref's tail: `["a", "b"]` for `.a.b[x].c`. */
export function constantSegments(terms: Term[]): string[] {
  const out: string[] = [];
  for (const t of terms) {
    if (t.type !== "string") break;
    out.push(t.value);
  }
  return out;
}

/** Whether one path is a prefix of the other (a reference to a package uses all of its rules). */
export function overlaps(a: string[], b: string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
