// Safety and ordering (OPA's reorderBodyForSafety): keep source order, but move an expression
// after the ones that bind the vars it needs. Unification binds either side, refs with a bound
// head bind their var operands by iteration, call outputs bind; `not`, call inputs, `with` values
// and closures (comprehensions, `every`) need their vars bound before.
import type { Location, Term, VarTerm } from "../syntax/ast.ts";
import type { CallExpr, Expr, NotExpr } from "./types.ts";
import type { IssueList } from "./issues.ts";
import { compiledBody, isRootHead } from "./terms.ts";
import { closureVars, namesOf, termVars, topVars, type VarVisitor } from "./vars.ts";

export interface SafetyEnv {
  issues: IssueList;
  displayNames: ReadonlyMap<string, string>;
  temps: ReadonlySet<string>;
  notLocals: WeakMap<NotExpr, Set<string>>;
  /** number of inputs of a builtin or user function call */
  arity: (target: Exclude<CallExpr["target"], { kind: "eq" }>) => number;
}

interface Analysis {
  outputs: Set<string>;
  missing: VarTerm[];
}

export interface Reordered {
  body: Expr[];
  /** vars bound after the body ran (including the globals it started with) */
  safe: Set<string>;
  unsafe: { expr: Expr; vars: VarTerm[] }[];
}

/** Reorders `body` given the vars bound before it; reports unsafe vars unless `trial`. */
export function reorderBody(
  body: Expr[],
  globals: ReadonlySet<string>,
  env: SafetyEnv,
  trial = false,
): Reordered {
  const bodyVars = new Set<string>();
  for (const e of body) topVars(e, (v) => bodyVars.add(v.name));
  const safe = new Set(globals);
  const placed: { expr: Expr; before: Set<string> }[] = [];
  const pending = new Set(body);
  let progress = true;
  while (progress) {
    progress = false;
    for (const e of body) {
      if (!pending.has(e)) continue;
      const a = analyze(e, safe, bodyVars, env);
      if (a.missing.length > 0) continue;
      pending.delete(e);
      placed.push({ expr: e, before: new Set(safe) });
      for (const v of a.outputs) safe.add(v);
      progress = true;
    }
  }
  const unsafe = [...pending].map((expr) => ({
    expr,
    vars: analyze(expr, safe, bodyVars, env).missing,
  }));
  if (trial) return { body: [...placed.map((p) => p.expr), ...pending], safe, unsafe };
  reportUnsafe(unsafe, env);
  const ordered = placed.map((p) => finalize(p.expr, p.before, env));
  return { body: [...ordered, ...pending], safe, unsafe };
}

/** Reports each unsafe user var once, at its first location; lifted values as unsafe expressions. */
export function reportUnsafe(unsafe: { expr: Expr; vars: VarTerm[] }[], env: SafetyEnv): void {
  const first = new Map<string, VarTerm>();
  for (const { vars } of unsafe) {
    for (const v of vars) {
      if (env.temps.has(v.name)) continue;
      const seen = first.get(v.name);
      if (!seen || before(v.loc, seen.loc)) first.set(v.name, v);
    }
  }
  for (const v of first.values()) {
    env.issues.add(
      "rego_unsafe_var_error",
      v.loc,
      `var ${env.displayNames.get(v.name) ?? v.name} is unsafe`,
    );
  }
  if (first.size > 0) return;
  for (const { expr, vars } of unsafe) {
    if (vars.length > 0) env.issues.add("rego_unsafe_var_error", expr.loc, "expression is unsafe");
  }
}

function before(a: Location, b: Location): boolean {
  return a.row < b.row || (a.row === b.row && a.col < b.col);
}

function analyze(
  e: Expr,
  safe: ReadonlySet<string>,
  bodyVars: ReadonlySet<string>,
  env: SafetyEnv,
): Analysis {
  const own = analyzeOwn(e, safe, env);
  closureVars(e, (v) => {
    if (bodyVars.has(v.name) && !safe.has(v.name) && !own.outputs.has(v.name)) own.missing.push(v);
  });
  return own;
}

function analyzeOwn(e: Expr, safe: ReadonlySet<string>, env: SafetyEnv): Analysis {
  switch (e.type) {
    case "term": {
      const outputs = refOutputs([e.term], safe);
      return { outputs, missing: unbound((f) => termVars(e.term, f), safe, outputs) };
    }
    case "call": {
      if (e.target.kind === "eq") {
        const [a, b] = e.args as [Term, Term];
        const outputs = unifyOutputs(a, b, safe);
        return {
          outputs,
          missing: unbound((f) => e.args.forEach((t) => termVars(t, f)), safe, outputs),
        };
      }
      const inputs = e.args.slice(0, env.arity(e.target));
      const outputs = refOutputs(e.args, safe);
      const missing = unbound((f) => inputs.forEach((t) => termVars(t, f)), safe, outputs);
      if (missing.length === 0) {
        for (const t of e.args.slice(inputs.length)) termVars(t, (v) => outputs.add(v.name));
      }
      return { outputs, missing };
    }
    case "not": {
      const locals = env.notLocals.get(e) ?? new Set<string>();
      const missing = unbound((f) => topVars(e, f), safe, locals);
      return { outputs: new Set(), missing };
    }
    case "with": {
      const missing = unbound(
        (f) => e.withs.forEach((w) => w.valueFunction || termVars(w.value, f)),
        safe,
        new Set(),
      );
      if (missing.length > 0) return { outputs: new Set(), missing };
      const inner = reorderBody(e.body, safe, env, true);
      const outputs = new Set([...inner.safe].filter((v) => !safe.has(v)));
      return { outputs, missing: inner.unsafe.flatMap((u) => u.vars) };
    }
    case "every":
      return {
        outputs: new Set(),
        missing: unbound((f) => termVars(e.domain, f), safe, new Set()),
      };
  }
}

function unbound(
  visit: (f: VarVisitor) => void,
  safe: ReadonlySet<string>,
  extra: ReadonlySet<string>,
): VarTerm[] {
  const missing: VarTerm[] = [];
  visit((v) => {
    if (!safe.has(v.name) && !extra.has(v.name)) missing.push(v);
  });
  return missing;
}

/** Var operands of refs whose head is bound: evaluating the ref iterates and binds them. */
function refOutputs(
  terms: Term[],
  safe: ReadonlySet<string>,
  out = new Set<string>(),
): Set<string> {
  let changed = true;
  while (changed) {
    changed = false;
    const isSafe = (name: string) => safe.has(name) || out.has(name);
    const visit = (t: Term): void => {
      switch (t.type) {
        case "ref": {
          const head = t.terms[0]!;
          if (isRootHead(head) || (head.type === "var" && isSafe(head.name))) {
            for (const op of t.terms.slice(1)) {
              termVars(op, (v) => {
                if (!isSafe(v.name)) {
                  out.add(v.name);
                  changed = true;
                }
              });
            }
          }
          t.terms.slice(1).forEach(visit);
          return;
        }
        case "array":
        case "set":
          t.items.forEach(visit);
          return;
        case "object":
          t.items.forEach(([k, v]) => (visit(k), visit(v)));
          return;
        default:
          return;
      }
    };
    terms.forEach(visit);
  }
  return out;
}

/** Vars bound by unifying `a` with `b` (OPA's Unify), ref outputs included. */
function unifyOutputs(a: Term, b: Term, safe: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  const isSafe = (name: string) => safe.has(name) || out.has(name);
  const add = (name: string): boolean => {
    if (isSafe(name)) return false;
    out.add(name);
    return true;
  };
  const ground = (t: Term): boolean => {
    switch (t.type) {
      case "var":
        return isSafe(t.name);
      case "ref": {
        const head = t.terms[0]!;
        return (
          (isRootHead(head) || (head.type === "var" && isSafe(head.name))) &&
          t.terms.slice(1).every(ground)
        );
      }
      case "array":
      case "set":
        return t.items.every(ground);
      case "object":
        return t.items.every(([k, v]) => ground(k) && ground(v));
      case "call":
        return false;
      default:
        return true; // scalars; comprehensions are checked as closures
    }
  };
  const markAll = (t: Term): boolean => {
    let changed = false;
    const visit = (x: Term): void => {
      if (x.type === "var") changed = add(x.name) || changed;
      else if (x.type === "array") x.items.forEach(visit);
      else if (x.type === "object") x.items.forEach(([, v]) => visit(v));
    };
    visit(t);
    return changed;
  };
  const isPattern = (t: Term) => t.type === "array" || t.type === "object";
  const step = (x: Term, y: Term): boolean => {
    let changed = false;
    if (x.type === "var" && !isSafe(x.name) && ground(y)) changed = add(x.name) || changed;
    if (y.type === "var" && !isSafe(y.name) && ground(x)) changed = add(y.name) || changed;
    if (isPattern(y) && ground(x) && x.type !== "array" && x.type !== "object")
      changed = markAll(y) || changed;
    if (isPattern(x) && ground(y) && y.type !== "array" && y.type !== "object")
      changed = markAll(x) || changed;
    if (x.type === "array" && y.type === "array" && x.items.length === y.items.length) {
      x.items.forEach((xi, i) => (changed = step(xi, y.items[i]!) || changed));
    }
    if (x.type === "object" && y.type === "object") {
      for (const [kx, vx] of x.items) {
        const match = y.items.find(([ky]) => sameScalar(kx, ky));
        if (match) changed = step(vx, match[1]) || changed;
      }
    }
    return changed;
  };
  let changed = true;
  while (changed) {
    const before = out.size;
    refOutputs([a, b], safe, out);
    changed = step(a, b) || out.size !== before;
  }
  return out;
}

function sameScalar(a: Term, b: Term): boolean {
  if (a.type !== b.type) return false;
  if (a.type === "string" || a.type === "number" || a.type === "boolean")
    return a.value === (b as typeof a).value;
  return a.type === "null";
}

/** Orders the bodies nested in a placed expression, given the vars bound before it. */
function finalize(e: Expr, safe: ReadonlySet<string>, env: SafetyEnv): Expr {
  switch (e.type) {
    case "term":
      finalizeTerm(e.term, safe, env);
      return e;
    case "call":
      e.args.forEach((a) => finalizeTerm(a, safe, env));
      return e;
    case "not":
      e.body = reorderBody(e.body, safe, env).body;
      return e;
    case "with":
      e.withs.forEach((w) => w.valueFunction || finalizeTerm(w.value, safe, env));
      e.body = reorderBody(e.body, safe, env).body;
      return e;
    case "every": {
      finalizeTerm(e.domain, safe, env);
      const locals = namesOf((f) => {
        if (e.key) termVars(e.key, f);
        termVars(e.value, f);
      });
      e.body = reorderBody(e.body, new Set([...safe, ...locals]), env).body;
      return e;
    }
  }
}

function finalizeTerm(t: Term, safe: ReadonlySet<string>, env: SafetyEnv): void {
  switch (t.type) {
    case "ref":
      t.terms.forEach((x) => finalizeTerm(x, safe, env));
      return;
    case "array":
    case "set":
      t.items.forEach((x) => finalizeTerm(x, safe, env));
      return;
    case "object":
      t.items.forEach(([k, v]) => (finalizeTerm(k, safe, env), finalizeTerm(v, safe, env)));
      return;
    case "arraycomprehension":
    case "setcomprehension":
    case "objectcomprehension": {
      const result = reorderBody(compiledBody(t), safe, env);
      (t as { body: unknown }).body = result.body;
      const heads = t.type === "objectcomprehension" ? [t.key, t.value] : [t.term];
      if (result.unsafe.length === 0) {
        const missing = unbound(
          (f) => heads.forEach((h) => termVars(h, f)),
          result.safe,
          new Set(),
        );
        reportUnsafe([{ expr: { type: "term", loc: t.loc, term: t }, vars: missing }], env);
      }
      return;
    }
    default:
      return;
  }
}
