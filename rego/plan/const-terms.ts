// Ground composite terms (arrays, objects and sets whose elements are all constants, recursively)
// as Rego value text, the form the runtime's opa_value_parse reads: such terms are planned as
// MakeConstStmt and built once per module instance instead of on every use.
import type { Term } from "../syntax/ast.ts";

// JSON's number grammar: what the runtime's value parser accepts.
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** The Rego value text of a ground composite term; undefined for scalars and non-ground terms. */
export function groundCompositeText(t: Term): string | undefined {
  if (t.type !== "array" && t.type !== "object" && t.type !== "set") return undefined;
  return groundText(t);
}

function groundText(t: Term): string | undefined {
  switch (t.type) {
    case "null":
      return "null";
    case "boolean":
      return t.value ? "true" : "false";
    case "number":
      return JSON_NUMBER.test(t.value) ? t.value : undefined;
    case "string":
      return JSON.stringify(t.value);
    case "array":
      return joined(t.items, "[", "]");
    case "set":
      return t.items.length === 0 ? "set()" : joined(t.items, "{", "}");
    case "object": {
      const members: string[] = [];
      for (const [k, v] of t.items) {
        const key = groundText(k);
        const value = groundText(v);
        if (key === undefined || value === undefined) return undefined;
        members.push(`${key}:${value}`);
      }
      return `{${members.join(",")}}`;
    }
    default:
      return undefined;
  }
}

function joined(items: Term[], open: string, close: string): string | undefined {
  const texts: string[] = [];
  for (const item of items) {
    const text = groundText(item);
    if (text === undefined) return undefined;
    texts.push(text);
  }
  return `${open}${texts.join(",")}${close}`;
}
