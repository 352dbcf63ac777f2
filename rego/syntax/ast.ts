// The Rego abstract syntax tree produced by the parser (rego/syntax) and rewritten by the compiler
// (rego/compile). Shapes follow OPA's AST closely so OPA's documentation applies; every node
// carries the source location it came from.

export interface Location {
  file: string;
  row: number; // 1-based
  col: number; // 1-based, counted in Unicode code points
}

export type Term =
  | NullTerm
  | BooleanTerm
  | NumberTerm
  | StringTerm
  | VarTerm
  | RefTerm
  | ArrayTerm
  | ObjectTerm
  | SetTerm
  | ArrayComprehensionTerm
  | SetComprehensionTerm
  | ObjectComprehensionTerm
  | CallTerm;

interface TermBase {
  loc: Location;
}
export interface NullTerm extends TermBase {
  type: "null";
}
export interface BooleanTerm extends TermBase {
  type: "boolean";
  value: boolean;
}
/** `value` is the literal's source text (e.g. "1", "-2.5e3"), kept exact: Rego numbers are decimals. */
export interface NumberTerm extends TermBase {
  type: "number";
  value: string;
}
/** `value` is the decoded string (escapes resolved; raw strings taken as written). */
export interface StringTerm extends TermBase {
  type: "string";
  value: string;
}
/** Variables, including `input`, `data`, `_` (wildcard) and, after compilation, generated names. */
export interface VarTerm extends TermBase {
  type: "var";
  name: string;
}
/**
 * `a.b[c]["d"]` is `{type: "ref", terms: [var a, string "b", var c, string "d"]}`.
 * The head (terms[0]) is a var, or (only before compilation) a call/array/object/set term such as
 * `f(x).y` or `[1,2][0]`. Dotted segments become string terms.
 */
export interface RefTerm extends TermBase {
  type: "ref";
  terms: Term[];
}
export interface ArrayTerm extends TermBase {
  type: "array";
  items: Term[];
}
export interface ObjectTerm extends TermBase {
  type: "object";
  items: [Term, Term][];
}
export interface SetTerm extends TermBase {
  type: "set";
  items: Term[];
}
export interface ArrayComprehensionTerm extends TermBase {
  type: "arraycomprehension";
  term: Term;
  body: Expr[];
}
export interface SetComprehensionTerm extends TermBase {
  type: "setcomprehension";
  term: Term;
  body: Expr[];
}
export interface ObjectComprehensionTerm extends TermBase {
  type: "objectcomprehension";
  key: Term;
  value: Term;
  body: Expr[];
}
/**
 * A call used as a value: `count(x)`, `a + b`, `data.lib.f(1)`. `operator` is the operator's ref:
 * builtins as written (`count`, `strings.reverse` => ref [var strings, string reverse]),
 * infix operators by their builtin name (`+` => `plus`, `==` => `equal`, `in` => `internal.member_2`).
 * Only appears in the parser's output; the compiler lifts calls out of terms.
 */
export interface CallTerm extends TermBase {
  type: "call";
  operator: RefTerm;
  args: Term[];
}

/**
 * One body expression. Infix forms are calls by builtin name:
 *   `a = b` eq, `a := b` assign, `a == b` equal, `!=` neq, `<` lt, `<=` lte, `>` gt, `>=` gte,
 *   `+` plus, `-` minus, `*` mul, `/` div, `%` rem, `&` and, `|` or,
 *   `x in xs` internal.member_2, `k, v in xs` internal.member_3.
 * A call statement `f(x, y)` whose function has arity 1 is a call with an output operand.
 */
export type Expr = TermExpr | CallExpr | SomeDeclExpr | SomeInExpr | EveryExpr;

interface ExprBase {
  loc: Location;
  negated: boolean; // `not e`
  with: With[];
}
export interface TermExpr extends ExprBase {
  type: "term";
  term: Term;
}
export interface CallExpr extends ExprBase {
  type: "call";
  operator: RefTerm;
  args: Term[];
}
/** `some x, y` (declaration only). */
export interface SomeDeclExpr extends ExprBase {
  type: "some";
  vars: VarTerm[];
}
/** `some x in xs` / `some k, v in xs`. `key` is set only for the two-variable form. */
export interface SomeInExpr extends ExprBase {
  type: "somein";
  key?: Term;
  value: Term;
  collection: Term;
}
/** `every x in xs { ... }` / `every k, v in xs { ... }`. */
export interface EveryExpr extends ExprBase {
  type: "every";
  key?: Term;
  value: Term;
  domain: Term;
  body: Expr[];
}
/** `with <target> as <value>`; target is a ref (input..., data..., a builtin or function name). */
export interface With {
  loc: Location;
  target: RefTerm;
  value: Term;
}

export interface Import {
  loc: Location;
  path: RefTerm; // data.x.y, input.x, future.keywords..., rego.v1
  alias?: string;
}

/**
 * Rule heads as OPA 1.x writes them:
 *   `p := 1 if {...}`            ref [p], value 1, assign
 *   `p if {...}`                 ref [p], value true (implicit)
 *   `p contains x if {...}`      ref [p], key x (partial set)
 *   `p[k] := v if {...}`         ref [p, k], value v (partial object / general ref head)
 *   `a.b.c := 1`                 ref [a, "b", "c"]
 *   `f(x, y) := z if {...}`      ref [f], args [x, y], value z
 * `ref[0]` is always a var term.
 */
export interface RuleHead {
  loc: Location;
  ref: Term[];
  args?: Term[]; // functions only
  key?: Term; // partial set element (`contains`)
  value?: Term; // undefined for `contains`; implicit `true` is materialised by the parser
  assign: boolean; // written with `:=` (vs `=` or implicit)
  contains: boolean;
}

export interface Rule {
  loc: Location;
  default: boolean;
  head: RuleHead;
  body: Expr[]; // empty body (no `if`) means `true`
  else?: Rule; // `else [= value] [if] { ... }` chain; the else rule's head.value may be undefined meaning true
  /** the METADATA blocks written directly above this rule (scope rule or document) */
  annotations?: Annotations[];
}

export interface Module {
  file: string;
  package: RefTerm; // `package a.b` => ref [var data, string a, string b]
  imports: Import[];
  rules: Rule[];
  regoVersion: 1;
  /** every METADATA block of the module, in source order */
  annotations?: Annotations[];
}

/** Where a METADATA block applies (OPA's annotation scopes). */
export type AnnotationScope = "rule" | "document" | "package" | "subpackages";

/** `schemas` entry: the document at `path` follows the schema at `schema` or `definition`. */
export interface SchemaAnnotation {
  path: Term[];
  schema?: Term[];
  definition?: unknown;
}

/** A `# METADATA` block, its YAML read into OPA's annotation fields; `loc`: the METADATA line. */
export interface Annotations {
  loc: Location;
  scope: AnnotationScope;
  title?: string;
  description?: string;
  entrypoint?: boolean;
  organizations?: string[];
  relatedResources?: { ref: string; description?: string }[];
  authors?: { name?: string; email?: string }[];
  schemas?: SchemaAnnotation[];
  custom?: Record<string, unknown>;
}

export function locationText(loc: Location): string {
  return `${loc.file}:${loc.row}:${loc.col}`;
}
