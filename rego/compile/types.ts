// The compiler's output: the contract between rego/compile and rego/plan.
//
// After compilation:
// - Every var that names a rule, a package or an import is replaced by a full ref whose head is
//   the var `data` (or `input`), e.g. `allow` in package `authz` => ref [data, "authz", "allow"].
// - Every other var is a local. Locals are renamed so each name is unique within its rule (body,
//   head, else branches, nested comprehension and `every` bodies): the planner may map names to
//   IR locals with one flat table. Wildcards `_` become distinct generated names. Generated names
//   start with `__` (e.g. `__local3__`), which no user variable can. (OPA's formatted test modules
//   do use `__localN__` names; generated names never repeat a name found in the sources.)
// - Terms contain no calls: calls nested in terms are lifted into their own CallExpr before the
//   expression that uses them, binding a generated local. Ref operands are scalars or vars only
//   (nested refs are lifted the same way). A ref's head is `data`, `input` or a local var.
// - Each body is ordered so that it is safe to evaluate left to right: every var is bound (by
//   unification, iteration in a ref, a call output, or an enclosing scope) before a builtin
//   reads it. `some x` declarations are dropped. `some x in xs` becomes unification with an
//   iterating ref (`x = xs[__localN__]`, `v = xs[k]`). `:=` becomes `eq` and `==` stays `equal`.
// - Comprehension terms (array/set/objectcomprehension) inside compiled terms carry compiled
//   bodies: their `body` holds this file's Expr[] (read it as `term.body as unknown as Expr[]`).
//   Their head terms (term/key/value), like rule heads, hold only vars and constants.
// - `not e` becomes a NotExpr whose body holds `e` and whatever was lifted out of it; `e with ...`
//   becomes a WithExpr likewise.
import type { Location, Term } from "../syntax/ast.ts";

export type Expr = TermExpr | CallExpr | NotExpr | WithExpr | EveryExpr;

/** A bare term: defined and not `false` means true. */
export interface TermExpr {
  type: "term";
  loc: Location;
  term: Term;
}

/**
 * `eq` is unification (both sides may hold unbound vars and patterns). Any other operator is a
 * builtin (`name` = its Rego name, e.g. "plus", "count", "internal.member_2") or a user function
 * (`path` = full path, e.g. ["data", "lib", "f"]). With `arity` inputs and `arity + 1` args, the
 * last arg is the output, unified with the result; with `arity` args the result is a truth test.
 */
export interface CallExpr {
  type: "call";
  loc: Location;
  target: { kind: "eq" } | { kind: "builtin"; name: string } | { kind: "function"; path: string[] };
  args: Term[];
}

export interface NotExpr {
  type: "not";
  loc: Location;
  body: Expr[];
}

/**
 * `body with t1 as v1 with t2 as v2`. Targets: input or data refs (`with input.x` => kind
 * "input", path ["x"]; `with data.a.b` => kind "data", path ["a", "b"]: paths without the root),
 * a builtin name, or a user function path (with "data", as in CallExpr). Values are terms as above
 * (for builtin/function targets, a value term or a ref to a function / builtin name).
 * Bindings made in `body` stay visible after the WithExpr.
 */
export interface WithExpr {
  type: "with";
  loc: Location;
  withs: WithModifier[];
  body: Expr[];
}
export interface WithModifier {
  loc: Location;
  target:
    | { kind: "input"; path: string[] }
    | { kind: "data"; path: string[] }
    | { kind: "builtin"; name: string }
    | { kind: "function"; path: string[] };
  value: Term;
  /** set when the value names a function or builtin to call instead of the target */
  valueFunction?: { kind: "builtin"; name: string } | { kind: "function"; path: string[] };
}

/** `every key, value in domain { body }`; key is absent for the one-var form. */
export interface EveryExpr {
  type: "every";
  loc: Location;
  key?: Term;
  value: Term;
  domain: Term;
  body: Expr[];
}

export type RuleKind = "complete" | "function" | "set" | "object";

/**
 * One rule definition. For `complete`/`function`: `value` (true when written without one).
 * For `set`: `key` is the element. For `object`: `keys` are the head ref's segments after the
 * group path (at least one, e.g. `p[x].y := v` in group p => keys [x, "y"]) and `value`.
 * A `set` rule whose head ref has a variable (`p[q] contains r`, group p) also has `keys` ([q]):
 * the group's value is then an object whose leaves are sets.
 */
export interface CompiledRule {
  loc: Location;
  args?: Term[];
  key?: Term;
  keys?: Term[];
  value?: Term;
  body: Expr[];
  else?: CompiledRule;
}

/** All rules that define one path of the rule tree. */
export interface RuleGroup {
  path: string[]; // full path without "data", e.g. ["authz", "allow"]
  kind: RuleKind;
  arity: number; // functions: number of args; 0 otherwise
  rules: CompiledRule[];
  default?: CompiledRule; // `default p := v` / `default f(_) := v`
}

export interface CompiledPolicy {
  groups: RuleGroup[];
  /** file names in the order given to the compiler (for locations in the IR) */
  files: string[];
  /** every module's package path (without "data"): a package without rules is the document {} */
  packages?: string[][];
}

/** A compiled ad-hoc query (e.g. `data.test.p = x`): its body and the user vars it binds. */
export interface CompiledQuery {
  body: Expr[];
  /** user-visible variables of the query, in order of first appearance (these are the bindings) */
  vars: string[];
}
