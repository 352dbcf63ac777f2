// Visits every term and expression of a rule, nested bodies (comprehensions, `every`, `else`)
// included, telling the visitor which body an expression belongs to.
import type { Expr, Rule, Term } from "../syntax/ast.ts";

export type BodyKind = "rule" | "else" | "comprehension" | "every";

export interface Visitor {
  term?(t: Term): void;
  /** every body: a rule's, an else branch's, a comprehension's or an `every`'s */
  body?(exprs: Expr[], kind: BodyKind): void;
}

export function walkRule(rule: Rule, v: Visitor): void {
  for (let r: Rule | undefined = rule; r; r = r.else) {
    const h = r.head;
    h.ref.forEach((t) => walkTerm(t, rule, v));
    h.args?.forEach((t) => walkTerm(t, rule, v));
    if (h.key) walkTerm(h.key, rule, v);
    if (h.value) walkTerm(h.value, rule, v);
    walkBody(r.body, rule, v, r === rule ? "rule" : "else");
  }
}

function walkBody(body: Expr[], rule: Rule, v: Visitor, kind: BodyKind): void {
  if (body.length === 0) return;
  v.body?.(body, kind);
  for (const e of body) walkExpr(e, rule, v);
}

export function walkExpr(e: Expr, rule: Rule, v: Visitor): void {
  switch (e.type) {
    case "term":
      walkTerm(e.term, rule, v);
      break;
    case "call":
      walkTerm(e.operator, rule, v);
      e.args.forEach((t) => walkTerm(t, rule, v));
      break;
    case "some":
      e.vars.forEach((t) => walkTerm(t, rule, v));
      break;
    case "somein":
      if (e.key) walkTerm(e.key, rule, v);
      walkTerm(e.value, rule, v);
      walkTerm(e.collection, rule, v);
      break;
    case "every":
      if (e.key) walkTerm(e.key, rule, v);
      walkTerm(e.value, rule, v);
      walkTerm(e.domain, rule, v);
      walkBody(e.body, rule, v, "every");
      break;
  }
  for (const w of e.with) {
    walkTerm(w.target, rule, v);
    walkTerm(w.value, rule, v);
  }
}

export function walkTerm(t: Term, rule: Rule, v: Visitor): void {
  v.term?.(t);
  switch (t.type) {
    case "ref":
      t.terms.forEach((x) => walkTerm(x, rule, v));
      break;
    case "array":
    case "set":
      t.items.forEach((x) => walkTerm(x, rule, v));
      break;
    case "object":
      t.items.forEach(([k, x]) => (walkTerm(k, rule, v), walkTerm(x, rule, v)));
      break;
    case "arraycomprehension":
    case "setcomprehension":
      walkTerm(t.term, rule, v);
      walkBody(t.body, rule, v, "comprehension");
      break;
    case "objectcomprehension":
      walkTerm(t.key, rule, v);
      walkTerm(t.value, rule, v);
      walkBody(t.body, rule, v, "comprehension");
      break;
    case "call":
      walkTerm(t.operator, rule, v);
      t.args.forEach((x) => walkTerm(x, rule, v));
      break;
    default:
      break;
  }
}

/** The rule's name: the first segment of its head ref. */
export function ruleName(rule: Rule): string {
  const head = rule.head.ref[0]!;
  return head.type === "var" ? head.name : "";
}

/** Package path segments without `data`: `package a.b` => ["a", "b"]. */
export function packageSegments(pkg: { terms: Term[] }): string[] {
  return pkg.terms.slice(1).map((t) => (t.type === "string" ? t.value : ""));
}
