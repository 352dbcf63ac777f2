// `input_term` is a Rego term; the SDK takes JSON. Plain JSON goes through as is; other terms are
// parsed with the toolchain's parser and converted: to JSON when they hold no sets, else to Rego
// value text (our module reads its input with Rego's value syntax, sets included). Terms with
// non-string object keys stay unsupported.
import { parseTerm } from "../../rego/syntax/index.ts";
import type { Term } from "../../rego/syntax/ast.ts";

export type InputTerm = { json: unknown } | { regoText: string } | { unsupported: string };

export function inputTermToJson(text: string): InputTerm {
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
    if (!(e instanceof SetFound)) return { unsupported: `input_term ${(e as Error).message}` };
  }
  try {
    return { regoText: termToRego(term) };
  } catch (e) {
    return { unsupported: `input_term ${(e as Error).message}` };
  }
}

class SetFound extends Error {}

/** Rego value text: JSON with sets as `{a, b}` / `set()`. */
function termToRego(term: Term): string {
  switch (term.type) {
    case "set":
      return term.items.length === 0 ? "set()" : `{${term.items.map(termToRego).join(", ")}}`;
    case "array":
      return `[${term.items.map(termToRego).join(", ")}]`;
    case "object":
      return `{${term.items
        .map(([k, v]) => {
          if (k.type !== "string") throw new Error("has a non-string object key");
          return `${JSON.stringify(k.value)}: ${termToRego(v)}`;
        })
        .join(", ")}}`;
    case "number":
      return String(term.value);
    default:
      return JSON.stringify(termToJson(term));
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
      throw new SetFound("contains a set, which has no JSON form");
    default:
      throw new Error(`contains a ${term.type}, which is not a constant`);
  }
}
