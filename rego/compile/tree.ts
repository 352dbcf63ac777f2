// The rule tree: packages merged under `data`, rules grouped by the ground prefix of their head
// ref, and the conflicts OPA rejects (mixed kinds, arities, defaults, rules inside other rules).
import { locationText, type Module, type Rule, type Term } from "../syntax/ast.ts";
import type { RuleKind } from "./types.ts";
import type { IssueList } from "./issues.ts";
import { pathText, ROOT_DOCUMENTS } from "./terms.ts";

export interface RuleEntry {
  module: Module;
  rule: Rule;
  /** head ref terms after the group path (object rules) */
  keyTerms: Term[];
}

export interface GroupInfo {
  path: string[];
  kind: RuleKind;
  arity: number;
  rules: RuleEntry[];
  defaults: RuleEntry[];
}

export interface RuleTree {
  groups: GroupInfo[];
  /** package paths (without "data") */
  packages: string[][];
}

export function packagePath(module: Module): string[] {
  return module.package.terms.slice(1).map((t) => (t.type === "string" ? t.value : "?"));
}

export function pathKey(path: readonly string[]): string {
  return JSON.stringify(path);
}

interface Placement {
  path: string[];
  kind: RuleKind;
  arity: number;
  keyTerms: Term[];
}

/** The rule's document under `data` (package, name, the head's leading string keys) and the rest. */
export function rulePath(pkg: string[], rule: Rule): { path: string[]; keyTerms: Term[] } {
  const [head, ...rest] = rule.head.ref;
  const path = [...pkg, head?.type === "var" ? head.name : "?"];
  let i = 0;
  while (i < rest.length && rest[i]!.type === "string") {
    path.push((rest[i] as { value: string }).value);
    i++;
  }
  return { path, keyTerms: rest.slice(i) };
}

function placeRule(pkg: string[], rule: Rule): Placement {
  const { path, keyTerms } = rulePath(pkg, rule);
  if (rule.head.args) return { path, kind: "function", arity: rule.head.args.length, keyTerms };
  if (rule.head.contains) return { path, kind: "set", arity: 0, keyTerms };
  if (keyTerms.length > 0) return { path, kind: "object", arity: 0, keyTerms };
  return { path, kind: "complete", arity: 0, keyTerms };
}

export function buildRuleTree(modules: Module[], issues: IssueList): RuleTree {
  const byKey = new Map<string, { info: GroupInfo; kinds: Set<RuleKind>; arities: Set<number> }>();
  const packages: string[][] = [];
  for (const module of modules) {
    const pkg = packagePath(module);
    packages.push(pkg);
    for (const rule of module.rules) {
      const head = rule.head.ref[0];
      if (head?.type === "var" && ROOT_DOCUMENTS.has(head.name)) {
        issues.add(
          "rego_compile_error",
          rule.loc,
          `rules must not shadow ${head.name} (use a different rule name)`,
        );
        continue;
      }
      const place = placeRule(pkg, rule);
      const key = pathKey(place.path);
      let group = byKey.get(key);
      if (!group) {
        group = {
          info: { path: place.path, kind: place.kind, arity: place.arity, rules: [], defaults: [] },
          kinds: new Set(),
          arities: new Set(),
        };
        byKey.set(key, group);
      }
      group.kinds.add(place.kind);
      group.arities.add(place.arity);
      const entry: RuleEntry = { module, rule, keyTerms: place.keyTerms };
      (rule.default ? group.info.defaults : group.info.rules).push(entry);
    }
  }

  const groups = [...byKey.values()];
  for (const { info, kinds, arities } of groups) {
    const first = info.rules[0] ?? info.defaults[0]!;
    const name = pathText(info.path);
    const ground = info.rules.every((r) => r.keyTerms.length === 0);
    const nested = !ground
      ? []
      : nestedPaths(
          info.path,
          groups.map((g) => g.info.path),
          packages,
        );
    if (nested.length > 0) {
      const list = nested.map(pathText).join(" ");
      issues.add("rego_type_error", first.rule.loc, `rule ${name} conflicts with [${list}]`);
    } else if (kinds.size > 1 || arities.size > 1) {
      issues.add("rego_type_error", first.rule.loc, `conflicting rules ${name} found`);
    } else if (info.defaults.length > 1) {
      const where = info.defaults.map((d) => locationText(d.rule.loc)).join(", ");
      issues.add(
        "rego_type_error",
        info.defaults[0]!.rule.loc,
        `multiple default rules ${name} found at ${where}`,
      );
    }
  }
  return { groups: groups.map((g) => g.info), packages };
}

/** Rule or package paths strictly inside `path` (a single-value rule may have nothing inside). */
function nestedPaths(path: string[], groupPaths: string[][], packages: string[][]): string[][] {
  const inside = (other: string[]) =>
    other.length > path.length && path.every((segment, i) => other[i] === segment);
  const found = new Map<string, string[]>();
  for (const other of [...groupPaths, ...packages]) {
    if (inside(other)) found.set(pathKey(other), other);
  }
  return [...found.values()].sort((a, b) => pathText(a).localeCompare(pathText(b)));
}
