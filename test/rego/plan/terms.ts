// Test helpers: terse builders for compiled terms, expressions and rule groups (the compiler's
// output shape, rego/compile/types.ts), for planning tests that do not depend on the compiler.
import type { CompiledRule, Expr, RuleGroup, WithModifier } from "../../../rego/compile/types.ts";
import type { Location, Term } from "../../../rego/syntax/ast.ts";

export const loc: Location = { file: "test.rego", row: 1, col: 1 };
export const at = (row: number): Location => ({ file: "test.rego", row, col: 1 });

export const s = (value: string): Term => ({ type: "string", value, loc });
export const n = (value: number | string): Term => ({ type: "number", value: String(value), loc });
export const b = (value: boolean): Term => ({ type: "boolean", value, loc });
export const nul = (): Term => ({ type: "null", loc });
export const v = (name: string): Term => ({ type: "var", name, loc });
export const ref = (head: string, ...ops: (Term | string)[]): Term => ({
  type: "ref",
  terms: [v(head), ...ops.map((o) => (typeof o === "string" ? s(o) : o))],
  loc,
});
export const arr = (...items: Term[]): Term => ({ type: "array", items, loc });
export const obj = (...items: [Term, Term][]): Term => ({ type: "object", items, loc });
export const set = (...items: Term[]): Term => ({ type: "set", items, loc });
export const arrComp = (term: Term, ...body: Expr[]): Term =>
  ({ type: "arraycomprehension", term, body, loc }) as unknown as Term;
export const setComp = (term: Term, ...body: Expr[]): Term =>
  ({ type: "setcomprehension", term, body, loc }) as unknown as Term;
export const objComp = (key: Term, value: Term, ...body: Expr[]): Term =>
  ({ type: "objectcomprehension", key, value, body, loc }) as unknown as Term;

export const eq = (a: Term, c: Term, where = loc): Expr => ({
  type: "call",
  loc: where,
  target: { kind: "eq" },
  args: [a, c],
});
export const call = (name: string, ...args: Term[]): Expr => ({
  type: "call",
  loc,
  target: { kind: "builtin", name },
  args,
});
export const fcall = (path: string, ...args: Term[]): Expr => ({
  type: "call",
  loc,
  target: { kind: "function", path: ["data", ...path.split(".")] },
  args,
});
export const term = (t: Term): Expr => ({ type: "term", loc, term: t });
export const not = (...body: Expr[]): Expr => ({ type: "not", loc, body });
export const withs = (modifiers: WithModifier[], ...body: Expr[]): Expr => ({
  type: "with",
  loc,
  withs: modifiers,
  body,
});
export const every = (key: Term | undefined, value: Term, domain: Term, ...body: Expr[]): Expr => ({
  type: "every",
  loc,
  ...(key ? { key } : {}),
  value,
  domain,
  body,
});

export const rule = (body: Expr[], fields: Partial<CompiledRule> = {}): CompiledRule => ({
  loc,
  body,
  ...fields,
});
export const group = (
  path: string,
  kind: RuleGroup["kind"],
  rules: CompiledRule[],
  extra: Partial<RuleGroup> = {},
): RuleGroup => ({
  path: path.split("."),
  kind,
  arity: 0,
  rules,
  ...extra,
});
