// Shared helpers for the parser tests: compact renderings of AST nodes so expectations stay short.
import type { Expr, Term } from "../../../rego/syntax/ast.ts";
import { parseModule, parseQuery } from "../../../rego/syntax/index.ts";
import { RegoError, type RegoIssue } from "../../../rego/errors.ts";

/** Renders a term in a compact prefix form: calls as `name(args)`, refs as `a.b[x]`. */
export function show(t: Term): string {
  switch (t.type) {
    case "null":
      return "null";
    case "boolean":
      return String(t.value);
    case "number":
      return t.value;
    case "string":
      return JSON.stringify(t.value);
    case "var":
      return t.name;
    case "ref":
      return t.terms
        .map((s, i) =>
          i === 0
            ? show(s)
            : s.type === "string" && /^\w+$/.test(s.value)
              ? `.${s.value}`
              : `[${show(s)}]`,
        )
        .join("");
    case "array":
      return `[${t.items.map(show).join(", ")}]`;
    case "set":
      return `set(${t.items.map(show).join(", ")})`;
    case "object":
      return `{${t.items.map(([k, v]) => `${show(k)}: ${show(v)}`).join(", ")}}`;
    case "arraycomprehension":
      return `[${show(t.term)} | ${t.body.map(showExpr).join("; ")}]`;
    case "setcomprehension":
      return `{${show(t.term)} | ${t.body.map(showExpr).join("; ")}}`;
    case "objectcomprehension":
      return `{${show(t.key)}: ${show(t.value)} | ${t.body.map(showExpr).join("; ")}}`;
    case "call":
      return `${show(t.operator)}(${t.args.map(show).join(", ")})`;
  }
}

export function showExpr(e: Expr): string {
  let s: string;
  switch (e.type) {
    case "term":
      s = show(e.term);
      break;
    case "call":
      s = `${show(e.operator)}(${e.args.map(show).join(", ")})`;
      break;
    case "some":
      s = `some ${e.vars.map(show).join(", ")}`;
      break;
    case "somein":
      s = `some ${e.key ? `${show(e.key)}, ` : ""}${show(e.value)} in ${show(e.collection)}`;
      break;
    case "every":
      s = `every ${e.key ? `${show(e.key)}, ` : ""}${show(e.value)} in ${show(e.domain)} { ${e.body.map(showExpr).join("; ")} }`;
      break;
  }
  if (e.negated) s = `not ${s}`;
  for (const w of e.with) s += ` with ${show(w.target)} as ${show(w.value)}`;
  return s;
}

export function q(source: string): string[] {
  return parseQuery(source).map(showExpr);
}

export function mod(body: string, file = "t.rego") {
  return parseModule(`package t\n${body}`, file);
}

/** The issues of the RegoError that `fn` throws (fails the test if it does not throw one). */
export function issuesOf(fn: () => unknown): RegoIssue[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof RegoError) return e.issues;
    throw e;
  }
  throw new Error("expected a RegoError");
}
