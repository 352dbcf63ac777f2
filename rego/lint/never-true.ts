// lint/never-true: a body holding an expression that is false whatever the input (`false`,
// `1 == 2`, `"a" != "a"`, `not true`, `x == 1` next to `x == 2`, `input.x != input.x`): the rule
// (or else branch, or comprehension) can never produce anything.
// lint/self-comparison: `input.x == input.x` and the like: always true when defined, so almost
// certainly a typo for a comparison with something else.
import type { Expr, Rule, Term } from "../syntax/ast.ts";
import { refText } from "../syntax/parser.ts";
import type { LintContext } from "./types.ts";
import { ruleName, walkRule, type BodyKind } from "./walk.ts";

const COMPARISONS = new Set(["equal", "eq", "neq", "lt", "lte", "gt", "gte"]);
const SYMBOL: Record<string, string> = {
  equal: "==",
  eq: "=",
  neq: "!=",
  lt: "<",
  lte: "<=",
  gt: ">",
  gte: ">=",
};

/** Numbers are kept exact (Rego numbers are decimals of any size), as `{ number: text }`. */
type Scalar = null | boolean | string | { number: string };

export function checkNeverTrue(ctx: LintContext): void {
  for (const module of ctx.modules) {
    for (const rule of module.rules) {
      walkRule(rule, {
        body(exprs, kind) {
          checkBody(ctx, exprs, rule, kind);
        },
      });
    }
  }
}

/** What an always-false expression means for the body it sits in (`every` is true on empty domains). */
const CONSEQUENCE: Record<BodyKind, ((rule: string) => string) | undefined> = {
  rule: (r) => `rule ${r} can never be true`,
  else: (r) => `this else branch of ${r} is never taken`,
  comprehension: (r) => `this comprehension in ${r} is always empty`,
  every: undefined,
};

function checkBody(ctx: LintContext, exprs: Expr[], rule: Rule, kind: BodyKind): void {
  const consequence = CONSEQUENCE[kind]?.(ruleName(rule));
  const pinned = new Map<string, { value: Scalar; text: string }>();
  for (const e of exprs) {
    const reason = alwaysFalse(e) ?? contradiction(e, pinned);
    if (reason && consequence) {
      ctx.report({
        rule: "never-true",
        severity: "error",
        location: e.loc,
        message: `${reason}, so ${consequence}: fix the condition or remove it`,
      });
      return;
    }
    const self = selfComparison(e);
    if (self) {
      ctx.report({
        rule: "self-comparison",
        severity: "warning",
        location: e.loc,
        message: `${self} compares a value with itself (always true when defined): compare with what was meant`,
      });
    }
  }
}

function comparison(e: Expr): { op: string; a: Term; b: Term } | undefined {
  if (e.type !== "call" || e.args.length !== 2 || e.with.length > 0) return undefined;
  const op = refText(e.operator.terms);
  if (!COMPARISONS.has(op)) return undefined;
  return { op, a: e.args[0]!, b: e.args[1]! };
}

/** Why the expression is false for every input, or undefined. */
function alwaysFalse(e: Expr): string | undefined {
  if (e.with.length > 0) return undefined;
  if (e.type === "term") {
    const c = scalar(e.term);
    if (!e.negated && c?.value === false) return "`false` is always false";
    if (e.negated && c !== undefined && c.value !== false)
      return `\`not ${c.text}\` is always false`;
    return undefined;
  }
  const cmp = comparison(e);
  if (!cmp) return undefined;
  const text = `\`${termText(cmp.a)} ${SYMBOL[cmp.op]} ${termText(cmp.b)}\``;
  const a = scalar(cmp.a);
  const b = scalar(cmp.b);
  if (a && b) {
    const result = compare(cmp.op, a.value, b.value);
    if (result === undefined || (e.negated ? !result : result)) return undefined;
    return `${e.negated ? "not " : ""}${text} compares constants and is always false`;
  }
  if (!e.negated && ["neq", "lt", "gt"].includes(cmp.op) && sameTerm(cmp.a, cmp.b)) {
    return `${text} compares a value with itself and is always false`;
  }
  return undefined;
}

/** `x == 1` after `x == 2` in the same body (either side, `==` or `=`). */
function contradiction(
  e: Expr,
  pinned: Map<string, { value: Scalar; text: string }>,
): string | undefined {
  const cmp = comparison(e);
  if (!cmp || e.negated || (cmp.op !== "equal" && cmp.op !== "eq")) return undefined;
  const [subject, constant] = scalar(cmp.b) ? [cmp.a, scalar(cmp.b)!] : [cmp.b, scalar(cmp.a)];
  if (!constant || scalar(subject) || !(subject.type === "var" || subject.type === "ref")) {
    return undefined;
  }
  if (JSON.stringify(subject).includes('"name":"_"')) return undefined; // each `_` is a new var
  const key = termText(subject);
  const earlier = pinned.get(key);
  if (!earlier) {
    pinned.set(key, constant);
    return undefined;
  }
  if (compare("equal", earlier.value, constant.value) === false) {
    return `${key} cannot be both ${earlier.text} and ${constant.text}`;
  }
  return undefined;
}

function selfComparison(e: Expr): string | undefined {
  const cmp = comparison(e);
  if (!cmp || e.negated || !["equal", "eq", "lte", "gte"].includes(cmp.op)) return undefined;
  if (scalar(cmp.a) || !sameTerm(cmp.a, cmp.b)) return undefined;
  if (cmp.a.type !== "ref" && cmp.a.type !== "var") return undefined;
  if (cmp.a.type === "var" && cmp.op === "eq") return undefined; // `x = x` is a no-op binding
  return `\`${termText(cmp.a)} ${SYMBOL[cmp.op]} ${termText(cmp.b)}\``;
}

function scalar(t: Term): { value: Scalar; text: string } | undefined {
  switch (t.type) {
    case "null":
      return { value: null, text: "null" };
    case "boolean":
      return { value: t.value, text: String(t.value) };
    case "number":
      return { value: { number: t.value }, text: t.value };
    case "string":
      return { value: t.value, text: JSON.stringify(t.value) };
    default:
      return undefined;
  }
}

/** The result of comparing two constants, or undefined when the lint should not guess. */
function compare(op: string, a: Scalar, b: Scalar): boolean | undefined {
  let order: number | undefined;
  if (isNumber(a) && isNumber(b)) order = compareNumbers(a.number, b.number);
  else if (typeof a === "string" && typeof b === "string") order = a < b ? -1 : a > b ? 1 : 0;
  else if (op === "equal" || op === "eq" || op === "neq") {
    order = a === b ? 0 : 1; // null and booleans equal only themselves; other types never equal
  }
  if (order === undefined) return undefined;
  switch (op) {
    case "equal":
    case "eq":
      return order === 0;
    case "neq":
      return order !== 0;
    case "lt":
      return order < 0;
    case "lte":
      return order <= 0;
    case "gt":
      return order > 0;
    default:
      return order >= 0;
  }
}

function isNumber(s: Scalar): s is { number: string } {
  return s !== null && typeof s === "object";
}

/** Exact for integers of any size and for decimals a double holds exactly enough; else undefined. */
function compareNumbers(a: string, b: string): number | undefined {
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = Number(a);
  const y = Number(b);
  if (a.replace(/[^0-9]/g, "").length > 15 || b.replace(/[^0-9]/g, "").length > 15)
    return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

function sameTerm(a: Term, b: Term): boolean {
  const shape = (t: Term) => JSON.stringify(t, (k, v) => (k === "loc" ? undefined : v));
  return shape(a) === shape(b);
}

/** Short source-like text of a term for messages. */
function termText(t: Term): string {
  switch (t.type) {
    case "var":
      return t.name;
    case "ref":
      return refText(t.terms);
    default:
      return scalar(t)?.text ?? `<${t.type}>`;
  }
}
