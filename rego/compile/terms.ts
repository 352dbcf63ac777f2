// Small helpers over terms, shared by the compiler stages.
import type { Location, RefTerm, Term, VarTerm } from "../syntax/ast.ts";
import type { Expr } from "./types.ts";

export const ROOT_DOCUMENTS: ReadonlySet<string> = new Set(["input", "data"]);

export function varTerm(name: string, loc: Location): VarTerm {
  return { type: "var", name, loc };
}

export function refTerm(terms: Term[], loc: Location): RefTerm {
  return { type: "ref", terms, loc };
}

export function isScalar(t: Term): boolean {
  return t.type === "null" || t.type === "boolean" || t.type === "number" || t.type === "string";
}

/** `input`, `data` as a ref head. */
export function isRootHead(t: Term): boolean {
  return t.type === "var" && ROOT_DOCUMENTS.has(t.name);
}

/** The ref is exactly `input` or `data`. */
export function isRootDocument(t: Term): boolean {
  return (t.type === "ref" && t.terms.length === 1 && isRootHead(t.terms[0]!)) || isRootHead(t);
}

/** Dotted name of a ref made of a var and strings (`strings.reverse`), else undefined. */
export function dottedName(ref: RefTerm): string | undefined {
  const [head, ...rest] = ref.terms;
  if (head?.type !== "var") return undefined;
  const parts = [head.name];
  for (const t of rest) {
    if (t.type !== "string") return undefined;
    parts.push(t.value);
  }
  return parts.join(".");
}

/** String operands after the head, or undefined when one is not a string. */
export function stringPath(ref: RefTerm, from = 1): string[] | undefined {
  const out: string[] = [];
  for (const t of ref.terms.slice(from)) {
    if (t.type !== "string") return undefined;
    out.push(t.value);
  }
  return out;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Rego text of a term, as OPA prints it in messages (`data.test.p`, `x[i]`, `"s"`). */
export function termText(t: Term): string {
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
        .map((x, i) => {
          if (i === 0) return termText(x);
          if (x.type === "string" && IDENTIFIER.test(x.value)) return `.${x.value}`;
          return `[${termText(x)}]`;
        })
        .join("");
    case "array":
      return `[${t.items.map(termText).join(", ")}]`;
    case "set":
      return t.items.length === 0 ? "set()" : `{${t.items.map(termText).join(", ")}}`;
    case "object":
      return `{${t.items.map(([k, v]) => `${termText(k)}: ${termText(v)}`).join(", ")}}`;
    case "call":
      return `${termText(t.operator)}(${t.args.map(termText).join(", ")})`;
    case "arraycomprehension":
      return `[${termText(t.term)} | ...]`;
    case "setcomprehension":
      return `{${termText(t.term)} | ...}`;
    case "objectcomprehension":
      return `{${termText(t.key)}: ${termText(t.value)} | ...}`;
  }
}

const NO_LOCATION: Location = { file: "", row: 0, col: 0 };

export function pathText(path: readonly string[]): string {
  return termText(
    refTerm(
      [
        varTerm("data", NO_LOCATION),
        ...path.map((value) => ({ type: "string" as const, value, loc: NO_LOCATION })),
      ],
      NO_LOCATION,
    ),
  );
}

/** After compilation comprehension bodies hold compiled expressions (see types.ts). */
export function compiledBody(t: Term & { body: unknown }): Expr[] {
  return t.body as Expr[];
}

/** True when evaluating the term needs more than building a value from vars and constants. */
export function needsEvaluation(t: Term): boolean {
  switch (t.type) {
    case "ref":
    case "call":
    case "arraycomprehension":
    case "setcomprehension":
    case "objectcomprehension":
      return true;
    case "array":
    case "set":
      return t.items.some(needsEvaluation);
    case "object":
      return t.items.some(([k, v]) => needsEvaluation(k) || needsEvaluation(v));
    default:
      return false;
  }
}
