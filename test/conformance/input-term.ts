// `input_term` is a Rego term; the SDK takes JSON. Plain JSON goes through as is; other terms are
// parsed with the toolchain's parser and converted when they hold no sets or non-string keys.
import { parseTerm } from "../../rego/syntax/index.ts";
import type { Term } from "../../rego/syntax/ast.ts";

export function inputTermToJson(text: string): { json: unknown } | { unsupported: string } {
  try {
    return { json: JSON.parse(text) };
  } catch {
    // not JSON: a Rego term
  }
  let term: Term;
  try {
    term = parseTerm(text, "<input_term>");
  } catch (e) {
    return { unsupported: `input_term does not parse: ${(e as Error).message}` };
  }
  try {
    return { json: termToJson(term) };
  } catch (e) {
    return { unsupported: `input_term ${(e as Error).message}` };
  }
}

function termToJson(term: Term): unknown {
  switch (term.type) {
    case "null":
      return null;
    case "boolean":
    case "string":
      return term.value;
    case "number":
      return Number(term.value);
    case "array":
      return term.items.map(termToJson);
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of term.items) {
        if (k.type !== "string") throw new Error("has a non-string object key");
        out[k.value] = termToJson(v);
      }
      return out;
    }
    case "set":
      throw new Error("contains a set, which has no JSON form");
    default:
      throw new Error(`contains a ${term.type}, which is not a constant`);
  }
}
