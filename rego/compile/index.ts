// The Rego compiler: parsed modules => CompiledPolicy (see types.ts for the contract), and ad-hoc
// queries => CompiledQuery. Stages, each stopping with every problem it found (as OPA does):
//   0. METADATA annotations indexed, rego.metadata.* calls made constants (metadata-calls.ts)
//   1. rule tree and conflicts (tree.ts)
//   2. name resolution and local renaming (scope.ts), lowering: lifting, targets, arity (lower.ts)
//   3. safety and reordering (safety.ts)
//   4. recursion (recursion.ts)
import type { Expr as SyntaxExpr, Module, Term, VarTerm } from "../syntax/ast.ts";
import { lookupBuiltin } from "../builtins/registry.ts";
import type { CompiledPolicy, CompiledQuery, CompiledRule, NotExpr, RuleGroup } from "./types.ts";
import { IssueList } from "./issues.ts";
import { collectVarNames, NameGenerator } from "./names.ts";
import { buildRuleTree, pathKey, type GroupInfo, type RuleEntry } from "./tree.ts";
import { LocalScoper, type ScopedRule } from "./scope.ts";
import { Lowerer, type LowerEnv } from "./lower.ts";
import { reorderBody, reportUnsafe, type SafetyEnv } from "./safety.ts";
import { checkRecursion } from "./recursion.ts";
import { globalsOf } from "./globals.ts";
import { termVars } from "./vars.ts";
import { buildAnnotationSet } from "./annotation-set.ts";
import { rewriteMetadataCalls } from "./metadata-calls.ts";

interface Shared {
  issues: IssueList;
  names: NameGenerator;
  displayNames: Map<string, string>;
  temps: Set<string>;
  notLocals: WeakMap<NotExpr, Set<string>>;
  groups: Map<string, Pick<GroupInfo, "path" | "kind" | "arity">>;
}

export function compileModules(parsed: Module[]): CompiledPolicy {
  const issues = new IssueList();
  const annotations = buildAnnotationSet(parsed, issues);
  issues.throwIfAny();
  const modules = rewriteMetadataCalls(parsed, annotations);
  const tree = buildRuleTree(modules, issues);
  issues.throwIfAny();

  const shared = newShared(issues, collectVarNames(modules), tree.groups);
  const globals = globalsOf(modules, issues);
  issues.throwIfAny();

  const compile = (entry: RuleEntry): CompiledRule => {
    const scoper = new LocalScoper({
      globals: globals.get(entry.module)!,
      fresh: () => shared.names.fresh(),
      issues,
      displayNames: shared.displayNames,
    });
    return lowerRule(scoper.scopeRule(entry.rule, entry.keyTerms), shared);
  };
  const lowered = tree.groups.map((g) => ({
    info: g,
    rules: g.rules.map(compile),
    default: g.defaults[0] ? compile(g.defaults[0]) : undefined,
  }));
  issues.throwIfAny();

  const safety = safetyEnv(shared);
  const groups: RuleGroup[] = lowered.map(({ info, rules, default: def }) => ({
    path: info.path,
    kind: info.kind,
    arity: info.arity,
    rules: rules.map((r) => orderRule(r, safety)),
    ...(def ? { default: orderRule(def, safety) } : {}),
  }));
  issues.throwIfAny();

  checkRecursion(groups, issues);
  issues.throwIfAny();
  return { groups, files: modules.map((m) => m.file), packages: tree.packages };
}

export function compileQuery(body: SyntaxExpr[], policy: CompiledPolicy): CompiledQuery {
  const issues = new IssueList();
  if (body.length === 0) {
    issues.add("rego_compile_error", undefined, "empty query cannot be compiled");
    issues.throwIfAny();
  }
  const shared = newShared(issues, collectVarNames(body), policy.groups);
  const scoper = new LocalScoper({
    globals: new Map(),
    fresh: () => shared.names.fresh(),
    issues,
    displayNames: shared.displayNames,
  });
  const scoped = scoper.scopeQuery(body);
  issues.throwIfAny();
  const lowered = new Lowerer(lowerEnv(shared)).body(scoped);
  issues.throwIfAny();
  const ordered = reorderBody(lowered, new Set(), safetyEnv(shared));
  issues.throwIfAny();
  return { body: ordered.body, vars: scoper.outerVars.filter((v) => !shared.temps.has(v)) };
}

function newShared(
  issues: IssueList,
  taken: Set<string>,
  groups: readonly Pick<GroupInfo, "path" | "kind" | "arity">[],
): Shared {
  return {
    issues,
    names: new NameGenerator(taken),
    displayNames: new Map(),
    temps: new Set(),
    notLocals: new WeakMap(),
    groups: new Map(groups.map((g) => [pathKey(g.path), g])),
  };
}

function lowerEnv(shared: Shared): LowerEnv {
  return {
    fresh: () => shared.names.fresh(),
    issues: shared.issues,
    groups: shared.groups,
    temps: shared.temps,
    notLocals: shared.notLocals,
  };
}

function safetyEnv(shared: Shared): SafetyEnv {
  return {
    issues: shared.issues,
    displayNames: shared.displayNames,
    temps: shared.temps,
    notLocals: shared.notLocals,
    arity: (target) =>
      target.kind === "builtin"
        ? (lookupBuiltin(target.name)?.arity ?? 0)
        : (shared.groups.get(pathKey(target.path.slice(1)))?.arity ?? 0),
  };
}

/** Lowers one rule (and its else chain); head values that need evaluation move into the body. */
function lowerRule(rule: ScopedRule, shared: Shared): CompiledRule {
  const lowerer = new Lowerer(lowerEnv(shared));
  const body = lowerer.body(rule.body);
  const head = (t: Term | undefined) => (t ? lowerer.headTerm(t, body) : undefined);
  const compiled: CompiledRule = { loc: rule.loc, body };
  if (rule.args) compiled.args = rule.args;
  if (rule.keyTerms.length > 0) compiled.keys = rule.keyTerms.map((k) => head(k)!);
  if (rule.key) compiled.key = head(rule.key);
  const isSet = rule.key !== undefined && rule.value === undefined;
  if (!isSet) compiled.value = head(rule.value) ?? { type: "boolean", value: true, loc: rule.loc };
  if (rule.else) compiled.else = lowerRule(rule.else, shared);
  return compiled;
}

/** Orders a rule's body (and else bodies) and checks that the head's vars get bound. */
function orderRule(rule: CompiledRule, env: SafetyEnv): CompiledRule {
  const argVars = new Set<string>();
  for (const a of rule.args ?? []) termVars(a, (v) => argVars.add(v.name));
  const ordered = reorderBody(rule.body, argVars, env);
  if (ordered.unsafe.length === 0) {
    const missing: VarTerm[] = [];
    for (const t of [...(rule.keys ?? []), rule.key, rule.value]) {
      if (t) termVars(t, (v) => !ordered.safe.has(v.name) && missing.push(v));
    }
    reportUnsafe(
      [
        {
          expr: { type: "term", loc: rule.loc, term: { type: "null", loc: rule.loc } },
          vars: missing,
        },
      ],
      env,
    );
  }
  return {
    ...rule,
    body: ordered.body,
    ...(rule.else ? { else: orderRule(rule.else, env) } : {}),
  };
}
