// Compact Rego-like text of compiled expressions, for messages, debugging and tests.
import type { Term } from "../syntax/ast.ts";
import type { CompiledRule, Expr, WithModifier } from "./types.ts";
import { compiledBody, termText } from "./terms.ts";

export function compiledTermText(t: Term): string {
  switch (t.type) {
    case "arraycomprehension":
      return `[${compiledTermText(t.term)} | ${bodyText(compiledBody(t))}]`;
    case "setcomprehension":
      return `{${compiledTermText(t.term)} | ${bodyText(compiledBody(t))}}`;
    case "objectcomprehension":
      return `{${compiledTermText(t.key)}: ${compiledTermText(t.value)} | ${bodyText(compiledBody(t))}}`;
    case "array":
      return `[${t.items.map(compiledTermText).join(", ")}]`;
    case "set":
      return t.items.length === 0 ? "set()" : `{${t.items.map(compiledTermText).join(", ")}}`;
    case "object":
      return `{${t.items.map(([k, v]) => `${compiledTermText(k)}: ${compiledTermText(v)}`).join(", ")}}`;
    default:
      return termText(t);
  }
}

export function bodyText(body: Expr[]): string {
  return body.map(exprText).join("; ");
}

export function exprText(e: Expr): string {
  switch (e.type) {
    case "term":
      return compiledTermText(e.term);
    case "call": {
      const name =
        e.target.kind === "eq"
          ? "eq"
          : e.target.kind === "builtin"
            ? e.target.name
            : e.target.path.join(".");
      return `${name}(${e.args.map(compiledTermText).join(", ")})`;
    }
    case "not":
      return `not { ${bodyText(e.body)} }`;
    case "with":
      return `{ ${bodyText(e.body)} } ${e.withs.map(withText).join(" ")}`;
    case "every":
      return `every ${e.key ? `${compiledTermText(e.key)}, ` : ""}${compiledTermText(e.value)} in ${compiledTermText(e.domain)} { ${bodyText(e.body)} }`;
  }
}

function withText(w: WithModifier): string {
  const t = w.target;
  const target =
    t.kind === "input"
      ? ["input", ...t.path].join(".")
      : t.kind === "data"
        ? ["data", ...t.path].join(".")
        : t.kind === "builtin"
          ? t.name
          : t.path.join(".");
  const fn = w.valueFunction;
  const value = fn
    ? fn.kind === "builtin"
      ? fn.name
      : fn.path.join(".")
    : compiledTermText(w.value);
  return `with ${target} as ${value}`;
}

/** `head { body }` of one rule, e.g. `[k] = v { ... }`, `(x) = y { ... }`, `contains x { ... }`. */
export function ruleText(r: CompiledRule): string {
  const parts: string[] = [];
  if (r.args) parts.push(`(${r.args.map(compiledTermText).join(", ")})`);
  if (r.keys) parts.push(r.keys.map((k) => `[${compiledTermText(k)}]`).join(""));
  if (r.key) parts.push(`contains ${compiledTermText(r.key)}`);
  if (r.value) parts.push(`= ${compiledTermText(r.value)}`);
  const text = `${parts.join(" ")} { ${bodyText(r.body)} }`;
  return r.else ? `${text} else ${ruleText(r.else)}` : text;
}
