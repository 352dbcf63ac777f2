// Which vars an expression reads, where, and which ones sit inside closures (comprehension and
// `every` bodies). Ref heads `input`/`data` are documents, not vars.
import type { Term, VarTerm } from "../syntax/ast.ts";
import type { Expr } from "./types.ts";
import { compiledBody, ROOT_DOCUMENTS } from "./terms.ts";

export type VarVisitor = (v: VarTerm) => void;

/** Vars of a term outside closures. */
export function termVars(t: Term, f: VarVisitor): void {
  switch (t.type) {
    case "var":
      if (!ROOT_DOCUMENTS.has(t.name)) f(t);
      return;
    case "ref":
      t.terms.forEach((x) => termVars(x, f));
      return;
    case "array":
    case "set":
      t.items.forEach((x) => termVars(x, f));
      return;
    case "object":
      t.items.forEach(([k, v]) => (termVars(k, f), termVars(v, f)));
      return;
    case "call":
      t.args.forEach((x) => termVars(x, f));
      return;
    default:
      return;
  }
}

/** Every var anywhere inside a term's closures (deep). */
export function termClosureVars(t: Term, f: VarVisitor): void {
  switch (t.type) {
    case "ref":
      t.terms.forEach((x) => termClosureVars(x, f));
      return;
    case "array":
    case "set":
      t.items.forEach((x) => termClosureVars(x, f));
      return;
    case "object":
      t.items.forEach(([k, v]) => (termClosureVars(k, f), termClosureVars(v, f)));
      return;
    case "arraycomprehension":
    case "setcomprehension":
      allTermVars(t.term, f);
      compiledBody(t).forEach((e) => allExprVars(e, f));
      return;
    case "objectcomprehension":
      allTermVars(t.key, f);
      allTermVars(t.value, f);
      compiledBody(t).forEach((e) => allExprVars(e, f));
      return;
    default:
      return;
  }
}

function allTermVars(t: Term, f: VarVisitor): void {
  termVars(t, f);
  termClosureVars(t, f);
}

function allExprVars(e: Expr, f: VarVisitor): void {
  topVars(e, f);
  closureVars(e, f);
}

/** Vars an expression uses at its own level: `not`/`with` bodies count, closures do not. */
export function topVars(e: Expr, f: VarVisitor): void {
  switch (e.type) {
    case "term":
      termVars(e.term, f);
      return;
    case "call":
      e.args.forEach((a) => termVars(a, f));
      return;
    case "not":
      e.body.forEach((x) => topVars(x, f));
      return;
    case "with":
      e.withs.forEach((w) => w.valueFunction || termVars(w.value, f));
      e.body.forEach((x) => topVars(x, f));
      return;
    case "every":
      termVars(e.domain, f);
      return;
  }
}

/** Vars inside an expression's closures, including `every` keys, values and bodies. */
export function closureVars(e: Expr, f: VarVisitor): void {
  switch (e.type) {
    case "term":
      termClosureVars(e.term, f);
      return;
    case "call":
      e.args.forEach((a) => termClosureVars(a, f));
      return;
    case "not":
      e.body.forEach((x) => closureVars(x, f));
      return;
    case "with":
      e.withs.forEach((w) => termClosureVars(w.value, f));
      e.body.forEach((x) => closureVars(x, f));
      return;
    case "every":
      termClosureVars(e.domain, f);
      if (e.key) allTermVars(e.key, f);
      allTermVars(e.value, f);
      e.body.forEach((x) => allExprVars(x, f));
      return;
  }
}

export function namesOf(visit: (f: VarVisitor) => void): Set<string> {
  const names = new Set<string>();
  visit((v) => names.add(v.name));
  return names;
}
