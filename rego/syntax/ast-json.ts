// A module in OPA's JSON form of the AST (what `opa parse --format json` and rego.parse_module
// give), without source locations, which OPA leaves out by default: terms are
// {"type": ..., "value": ...}, expressions {"index", "terms", "negated"?, "with"?}.
import type { Annotations, Expr, Module, Rule, Term } from "./ast.ts";
import { annotationValue } from "./annotation-value.ts";
import type { Comment } from "./lexer.ts";
import { isGround } from "./parser.ts";

type Json = unknown;

export interface AstJsonOptions {
  /** How a number literal's text becomes JSON (the host keeps big and exact numbers exact). */
  number?: (text: string) => Json;
}

export function moduleToJson(
  module: Module,
  comments: Comment[] = [],
  options: AstJsonOptions = {},
): Record<string, Json> {
  const w = new Writer(options.number ?? Number);
  const annotations = module.annotations ?? [];
  const packageBlocks = annotations.filter(
    (a) => a.scope === "package" || a.scope === "subpackages",
  );
  const out: Record<string, Json> = {
    package: {
      path: module.package.terms.map((t) => w.term(t)),
      ...(packageBlocks.length > 0
        ? { annotations: packageBlocks.map((a) => w.annotation(a)) }
        : {}),
    },
  };
  if (module.imports.length > 0) {
    out.imports = module.imports.map((i) => ({
      path: w.term(i.path),
      ...(i.alias !== undefined ? { alias: i.alias } : {}),
    }));
  }
  if (module.rules.length > 0) out.rules = module.rules.map((r) => w.rule(r));
  if (annotations.length > 0) out.annotations = annotations.map((a) => w.annotation(a));
  if (comments.length > 0) {
    out.comments = comments.map((c) => ({
      Text: base64(c.text),
      Location: { file: module.file, row: c.row, col: c.col, text: base64(`#${c.text}`) },
    }));
  }
  return out;
}

const base64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");

const TRUE_BODY = [{ index: 0, terms: { type: "boolean", value: true } }];

class Writer {
  constructor(private readonly number: (text: string) => Json) {}

  annotation(a: Annotations): Json {
    return annotationValue(a, (terms) => terms.map((t) => this.term(t)));
  }

  rule(rule: Rule): Json {
    const out: Record<string, Json> = {
      head: this.head(rule),
      body: rule.body.length > 0 ? this.body(rule.body) : TRUE_BODY,
    };
    if (rule.default) out.default = true;
    if (rule.else) out.else = this.rule(rule.else);
    if (rule.annotations) out.annotations = rule.annotations.map((a) => this.annotation(a));
    return out;
  }

  /** OPA names the head for `p` and two-part refs `p[k]`, and keys `p[x]` when x is not constant. */
  private head(rule: Rule): Json {
    const { ref, args, contains } = rule.head;
    const out: Record<string, Json> = { ref: ref.map((t) => this.term(t)) };
    const first = ref[0]!;
    const twoPart = ref.length === 2 && !args && !contains;
    if (first.type === "var" && (ref.length === 1 || twoPart)) out.name = first.name;
    if (args) out.args = args.map((t) => this.term(t));
    if (rule.head.key) out.key = this.term(rule.head.key);
    else if (twoPart && !isGround(ref[1]!)) out.key = this.term(ref[1]!);
    if (!contains)
      out.value = rule.head.value ? this.term(rule.head.value) : { type: "boolean", value: true };
    if (rule.head.assign) out.assign = true;
    return out;
  }

  body(body: Expr[]): Json[] {
    return body.map((e, index) => this.expr(e, index));
  }

  private expr(e: Expr, index: number): Json {
    const out: Record<string, Json> = { index };
    if (e.negated) out.negated = true;
    out.terms = this.exprTerms(e);
    if (e.with.length > 0) {
      out.with = e.with.map((w) => ({
        target: w.target.terms.length === 1 ? this.term(w.target.terms[0]!) : this.term(w.target),
        value: this.term(w.value),
      }));
    }
    return out;
  }

  private exprTerms(e: Expr): Json {
    switch (e.type) {
      case "term":
        return this.term(e.term);
      case "call":
        return [this.term(e.operator), ...e.args.map((t) => this.term(t))];
      case "some":
        return { symbols: e.vars.map((t) => this.term(t)) };
      case "somein": {
        const member = e.key ? "member_3" : "member_2";
        const operands = e.key ? [e.key, e.value, e.collection] : [e.value, e.collection];
        const operator = {
          type: "ref",
          value: [
            { type: "var", value: "internal" },
            { type: "string", value: member },
          ],
        };
        return {
          symbols: [{ type: "call", value: [operator, ...operands.map((t) => this.term(t))] }],
        };
      }
      case "every":
        return {
          key: e.key ? this.term(e.key) : null,
          value: this.term(e.value),
          domain: this.term(e.domain),
          body: this.body(e.body),
        };
    }
  }

  term(t: Term): Json {
    switch (t.type) {
      case "null":
        return { type: "null", value: null };
      case "boolean":
      case "string":
        return { type: t.type, value: t.value };
      case "number":
        return { type: "number", value: this.number(t.value) };
      case "var":
        return { type: "var", value: t.name };
      case "ref":
        return { type: "ref", value: t.terms.map((x) => this.term(x)) };
      case "array":
      case "set":
        return { type: t.type, value: t.items.map((x) => this.term(x)) };
      case "object":
        return { type: "object", value: t.items.map(([k, v]) => [this.term(k), this.term(v)]) };
      case "arraycomprehension":
      case "setcomprehension":
        return { type: t.type, value: { term: this.term(t.term), body: this.body(t.body) } };
      case "objectcomprehension":
        return {
          type: t.type,
          value: { key: this.term(t.key), value: this.term(t.value), body: this.body(t.body) },
        };
      case "call":
        return { type: "call", value: [this.term(t.operator), ...t.args.map((x) => this.term(x))] };
    }
  }
}
