// Writes a parsed module back as canonical Rego, following the layout rules of `opa fmt` (OPA 1.x):
// tabs, `:=` in rule heads, `if`/`contains`, one blank line between rules (adjacent one-liners stay
// together), imports sorted within their blank-line groups, collections and bodies laid out by the
// rows their elements were written on, nested infix calls in parentheses.
import type {
  Expr,
  Import,
  Location,
  Module,
  RefTerm,
  Rule,
  RuleHead,
  Term,
  With,
} from "../syntax/ast.ts";
import { refText } from "../syntax/parser.ts";
import { KEYWORDS } from "../syntax/lexer.ts";
import type { SourceTokens } from "./source-tokens.ts";
import type { Writer } from "./writer.ts";

/** Infix builtins: the operator text and its precedence in the parser (0 = statement level). */
const INFIX: ReadonlyMap<string, { text: string; prec: number }> = new Map([
  ["eq", { text: "=", prec: 0 }],
  ["assign", { text: ":=", prec: 0 }],
  ["equal", { text: "==", prec: 1 }],
  ["neq", { text: "!=", prec: 1 }],
  ["lt", { text: "<", prec: 1 }],
  ["lte", { text: "<=", prec: 1 }],
  ["gt", { text: ">", prec: 1 }],
  ["gte", { text: ">=", prec: 1 }],
  ["or", { text: "|", prec: 2 }],
  ["and", { text: "&", prec: 3 }],
  ["plus", { text: "+", prec: 4 }],
  ["minus", { text: "-", prec: 4 }],
  ["mul", { text: "*", prec: 5 }],
  ["div", { text: "/", prec: 5 }],
  ["rem", { text: "%", prec: 5 }],
]);
const MEMBER_2 = "internal.member_2";
const MEMBER_3 = "internal.member_3";
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Element = Term | [Term, Term];

export class Printer {
  /** whether some rule head needs general ref-head notation (then `p.q` stays dotted) */
  private readonly refHeads: boolean;

  constructor(
    private readonly w: Writer,
    private readonly src: SourceTokens,
    module: Module,
  ) {
    this.refHeads = module.rules.some(
      (r) => r.head.ref.length > 2 || (r.head.ref.length === 2 && r.head.contains),
    );
  }

  module(m: Module): void {
    const w = this.w;
    w.commentsBefore(m.package.loc.row);
    w.startLine();
    w.reach(m.package.loc.row);
    const [, first, ...rest] = m.package.terms;
    w.write(`package ${first!.type === "string" ? first!.value : "?"}`);
    this.segments(rest);
    w.blankLine();

    const imports = keptImports(m.imports);
    const items: (Import | Rule)[] = [...imports, ...m.rules].sort((a, b) => before(a.loc, b.loc));
    let i = 0;
    while (i < items.length) {
      const group: Import[] = [];
      while (i < items.length && !("head" in items[i]!)) group.push(items[i++] as Import);
      if (group.length > 0) this.imports(group);
      const rules: Rule[] = [];
      while (i < items.length && "head" in items[i]!) rules.push(items[i++] as Rule);
      if (rules.length > 0) this.rules(rules);
    }
  }

  // ---- imports --------------------------------------------------------------------------------

  private imports(imports: Import[]): void {
    const w = this.w;
    const comments = new Map(imports.map((imp) => [imp, w.takeCommentOn(imp.loc.row)]));
    const groups: Import[][] = [];
    imports.forEach((imp, k) => {
      if (k === 0 || imp.loc.row - imports[k - 1]!.loc.row > 1) groups.push([]);
      groups[groups.length - 1]!.push(imp);
    });
    for (const group of groups) {
      w.commentsBefore(group[0]!.loc.row);
      for (const imp of [...group].sort(compareImports)) {
        w.startLine();
        w.write("import ");
        this.ref(imp.path.terms);
        if (imp.alias !== undefined) w.write(` as ${imp.alias}`);
        const comment = comments.get(imp);
        if (comment) w.write(` #${comment.text.trimEnd()}`);
        w.endLine();
      }
      w.blankLine();
    }
  }

  // ---- rules ----------------------------------------------------------------------------------

  private rules(rules: Rule[]): void {
    rules.forEach((rule, k) => {
      this.w.commentsBefore(rule.loc.row);
      this.rule(rule, false);
      const next = rules[k + 1];
      if (next && oneLiner(rule) && oneLiner(next) && next.loc.row === rule.loc.row + 1) {
        if (this.w.inline) this.w.endLine();
        return;
      }
      this.w.blankLine();
    });
  }

  private rule(rule: Rule, isElse: boolean): void {
    const w = this.w;
    w.startLine();
    w.reach(rule.loc.row);
    if (rule.default) w.write("default ");
    this.head(rule, isElse);
    if (rule.body.length === 0) {
      w.endLine();
      return;
    }
    w.write(" if");
    const [first] = rule.body;
    if (rule.body.length === 1 && first!.loc.row === this.headEndRow(rule) && !isSetTerm(first!)) {
      w.write(" ");
      this.expr(first!);
      w.endLine();
      if (rule.else) this.elseRule(rule.else);
      return;
    }
    w.write(" {");
    w.endLine();
    w.up();
    this.body(rule.body);
    this.commentsBeforeClose(rule.body[0]!.loc);
    w.down();
    w.startLine();
    w.write("}");
    if (rule.else) this.elseRule(rule.else);
  }

  private elseRule(elseRule: Rule): void {
    const w = this.w;
    const i = this.src.indexAt(elseRule.loc);
    const wasInline = i > 0 && this.src.endRow(i - 1) === elseRule.loc.row;
    if (w.inline && wasInline && !w.hasCommentBefore(elseRule.loc.row)) w.write(" ");
    else {
      w.blankLine();
      w.commentsBefore(elseRule.loc.row);
    }
    this.rule(elseRule, true);
  }

  private head(rule: Rule, isElse: boolean): void {
    const w = this.w;
    const head = rule.head;
    if (isElse) {
      w.write("else");
      const v = head.value;
      if (v && (!(v.type === "boolean" && v.value) || rule.body.length === 0)) {
        w.write(" := ");
        this.term(v, false);
      }
      return;
    }
    if (this.refHeads || head.ref.length === 1) this.ref(head.ref);
    else {
      const key = head.ref[1]!;
      w.write(`${(head.ref[0] as { name: string }).name}[`);
      if (key.type === "string") w.write(JSON.stringify(key.value));
      else this.term(key, false);
      w.write("]");
    }
    if (head.args) {
      w.write("(");
      this.iterable(head.args, head.loc.row, this.callCloseRow(head.loc));
      w.write(")");
    }
    if (head.contains && head.key) {
      w.write(" contains ");
      this.term(head.key, false);
    }
    const value = head.value;
    if (!value || head.contains) return;
    const isTrue = value.type === "boolean" && value.value;
    if (isTrue && !rule.default && rule.body.length > 0) return;
    if (isTrue && isImplicit(head) && head.args) return;
    w.write(" := ");
    this.term(value, false);
  }

  /** The row a rule's head ends on: where the token before its `if` is. */
  private headEndRow(rule: Rule): number {
    const tokens = this.src.tokens;
    let i = this.src.indexAt(rule.body[0]!.loc) - 1;
    if (i < 0) return rule.head.loc.row;
    if (tokens[i]!.kind === "{") i--;
    if (tokens[i]?.kind === "if") i--;
    return i >= 0 ? this.src.endRow(i) : rule.head.loc.row;
  }

  /** Writes the comments that precede the `}` closing the block whose first expression is at `first`. */
  private commentsBeforeClose(first: Location): void {
    const close = this.blockCloseRow(first);
    if (close > 0) this.w.commentsBefore(close);
  }

  /** Row of the `}` closing the block whose first expression is at `first` (-1 if none). */
  private blockCloseRow(first: Location): number {
    const i = this.src.indexAt(first);
    if (i > 0 && this.src.tokens[i - 1]!.kind === "{") return this.src.closingRow(i - 1);
    return -1;
  }

  // ---- bodies and expressions -----------------------------------------------------------------

  private body(exprs: Expr[]): void {
    const w = this.w;
    exprs.forEach((e, k) => {
      if (k > 0 && e.loc.row > this.src.endRowBefore(e.loc) + 1) w.blankLine();
      w.commentsBefore(e.loc.row);
      w.startLine();
      this.expr(e);
      w.endLine();
    });
  }

  private expr(e: Expr): void {
    const w = this.w;
    w.reach(e.loc.row);
    if (e.negated) w.write("not ");
    switch (e.type) {
      case "term":
        this.term(e.term, false);
        break;
      case "call":
        this.callExpr(e.operator, e.args);
        break;
      case "some":
        w.write("some ");
        e.vars.forEach((v, k) => {
          if (k > 0) w.write(", ");
          this.term(v, false);
        });
        break;
      case "somein":
        w.write("some ");
        this.inOperator(e.key ? [e.key, e.value, e.collection] : [e.value, e.collection], false);
        break;
      case "every": {
        w.write("every ");
        if (e.key) {
          this.term(e.key, false);
          w.write(", ");
        }
        this.term(e.value, false);
        w.write(" in ");
        this.term(e.domain, false);
        w.write(" {");
        this.comprehensionBody(e.body, e.loc.row, this.blockCloseRow(e.body[0]!.loc));
        if (e.body.length === 1 && e.body[0]!.loc.row === e.loc.row) w.write(" ");
        w.write("}");
        break;
      }
    }
    if (e.with.length > 0) this.withs(e.with);
  }

  private withs(withs: With[]): void {
    const w = this.w;
    let lastRow = this.src.endRowBefore(withs[0]!.loc);
    let rest = withs;
    if (withs[0]!.loc.row === lastRow) {
      this.with(withs[0]!, false);
      rest = withs.slice(1);
    }
    let indented = false;
    for (const item of rest) {
      const onNewRow = item.loc.row > lastRow;
      if (onNewRow) {
        if (!indented) w.up();
        indented = true;
        w.endLine();
        w.commentsBefore(item.loc.row);
        w.startLine();
        lastRow = item.loc.row;
      }
      this.with(item, onNewRow);
    }
    if (indented) w.down();
  }

  private with(item: With, onNewRow: boolean): void {
    this.w.reach(item.loc.row);
    this.w.write(onNewRow ? "with " : " with ");
    this.ref(item.target.terms);
    this.w.write(" as ");
    this.term(item.value, false);
  }

  /** A call as a whole expression: infix builtins are written infix, the output operand first. */
  private callExpr(operator: RefTerm, args: Term[]): void {
    const name = refText(operator.terms);
    if (name === MEMBER_2 || name === MEMBER_3) {
      this.inOperator(args, false);
      return;
    }
    const infix = INFIX.get(name);
    if (infix && args.length === 2) {
      this.operand(args[0]!, infix.prec, false);
      this.w.write(` ${infix.text} `);
      this.operand(args[1]!, infix.prec, true);
      return;
    }
    if (infix && args.length === 3) {
      this.term(args[2]!, false);
      this.w.write(" = ");
      this.operand(args[0]!, infix.prec, false);
      this.w.write(` ${infix.text} `);
      this.operand(args[1]!, infix.prec, true);
      return;
    }
    this.plainCall(operator, args);
  }

  /** An operand of a statement-level infix operator: in parentheses only where parsing needs them. */
  private operand(t: Term, prec: number, right: boolean): void {
    const inner = t.type === "call" ? callPrecedence(t.operator) : undefined;
    const needs =
      inner !== undefined && prec > 0 && (inner < prec || (right && inner === prec) || inner < 0);
    this.term(t, needs);
  }

  private inOperator(operands: Term[], parens: boolean): void {
    const w = this.w;
    if (parens) w.write("(");
    operands.forEach((t, k) => {
      if (k > 0) w.write(k === operands.length - 1 ? " in " : ", ");
      this.term(t, true);
    });
    if (parens) w.write(")");
  }

  private plainCall(operator: RefTerm, args: Term[]): void {
    this.ref(operator.terms);
    this.w.write("(");
    // a call's arguments go multi-line only when they span rows (opa fmt looks at the operator's
    // text, not at a line break after the parenthesis)
    this.iterable(args, Number.POSITIVE_INFINITY, this.callCloseRow(operator.loc), true);
    this.w.write(")");
  }

  private callCloseRow(operator: Location): number {
    const tokens = this.src.tokens;
    for (let i = this.src.indexAt(operator); i >= 0 && i < tokens.length; i++) {
      if (tokens[i]!.kind === "(") return this.src.closingRow(i);
    }
    return -1;
  }

  // ---- terms ----------------------------------------------------------------------------------

  /** `parens`: the term is an operand of another infix call, so infix calls are parenthesized. */
  private term(t: Term, parens: boolean): void {
    const w = this.w;
    w.reach(t.loc.row);
    switch (t.type) {
      case "null":
        w.write("null");
        return;
      case "boolean":
        w.write(String(t.value));
        return;
      case "number":
        w.write(t.value);
        return;
      case "string":
        w.write(this.stringText(t.loc, t.value));
        return;
      case "var":
        w.write(t.name);
        return;
      case "ref":
        this.ref(t.terms);
        return;
      case "array":
        w.write("[");
        this.iterable(t.items, t.loc.row, this.closeRowAt(t.loc), true);
        w.write("]");
        return;
      case "set":
        if (t.items.length === 0) {
          w.write("set()");
          return;
        }
        w.write("{");
        this.iterable(t.items, t.loc.row, this.closeRowAt(t.loc), true);
        w.write("}");
        return;
      case "object":
        w.write("{");
        this.iterable(t.items, t.loc.row, this.closeRowAt(t.loc), true);
        w.write("}");
        return;
      case "arraycomprehension":
        this.comprehension("[", "]", t.loc, undefined, t.term, t.body);
        return;
      case "setcomprehension":
        this.comprehension("{", "}", t.loc, undefined, t.term, t.body);
        return;
      case "objectcomprehension":
        this.comprehension("{", "}", t.loc, t.key, t.value, t.body);
        return;
      case "call": {
        const name = refText(t.operator.terms);
        if (name === MEMBER_2 || name === MEMBER_3) {
          // `k, v in xs` inside a list or call would read as two items: it keeps its parentheses
          this.inOperator(t.args, parens || name === MEMBER_3);
          return;
        }
        const infix = INFIX.get(name);
        if (!infix || infix.prec === 0 || t.args.length !== 2) {
          this.plainCall(t.operator, t.args);
          return;
        }
        if (parens) w.write("(");
        this.term(t.args[0]!, true);
        w.write(` ${infix.text} `);
        this.term(t.args[1]!, true);
        if (parens) w.write(")");
        return;
      }
    }
  }

  /** String literals keep the form they were written in (escapes, raw strings). */
  private stringText(loc: Location, value: string): string {
    const token = this.src.tokenAt(loc);
    if (token?.kind === "string") return this.src.source.slice(token.start, token.end);
    return JSON.stringify(value);
  }

  private ref(terms: Term[]): void {
    const [head, ...rest] = terms;
    if (head!.type === "var") {
      this.w.reach(head!.loc.row);
      this.w.write(head!.name);
    } else this.term(head!, false);
    this.segments(rest);
  }

  private segments(terms: Term[]): void {
    const w = this.w;
    for (const t of terms) {
      if (t.type === "string") {
        const quoted = this.src.tokenAt(t.loc)?.kind === "string";
        if (VAR_NAME.test(t.value) && !(KEYWORDS.has(t.value) && quoted)) w.write(`.${t.value}`);
        else w.write(`[${JSON.stringify(t.value)}]`);
      } else {
        w.write("[");
        this.term(t, false);
        w.write("]");
      }
    }
  }

  private closeRowAt(open: Location): number {
    const i = this.src.indexAt(open);
    return i < 0 ? -1 : this.src.closingRow(i);
  }

  /**
   * Elements written on one row stay on one line; when they span rows (or the first one is not on
   * the opening row) each row becomes a line of its own, with a trailing comma.
   */
  private iterable(
    elements: Element[],
    openRow: number,
    closeRow: number,
    parenUnion = false,
  ): void {
    const w = this.w;
    const rowOf = (e: Element) => (Array.isArray(e) ? e[0].loc.row : e.loc.row);
    const lines: Element[][] = [];
    elements.forEach((e, k) => {
      if (k === 0 || rowOf(e) > rowOf(elements[k - 1]!)) lines.push([]);
      lines[lines.length - 1]!.push(e);
    });
    const multiline = lines.length > 1 || (elements.length > 0 && rowOf(elements[0]!) > openRow);
    if (multiline) {
      w.endLine(true); // a comment after the opening bracket belongs to the first element
      w.up();
    }
    for (const line of lines) {
      if (multiline) {
        w.commentsBefore(rowOf(line[0]!));
        w.startLine();
      }
      line.forEach((e, k) => {
        if (k > 0) w.write(", ");
        this.element(e, parenUnion);
      });
      if (multiline) {
        w.write(",");
        w.endLine();
      }
    }
    if (multiline) {
      if (closeRow > 0) w.commentsBefore(closeRow);
      w.down();
      w.startLine();
      if (closeRow > 0) w.reach(closeRow);
    }
  }

  private element(e: Element, parenUnion: boolean): void {
    if (Array.isArray(e)) {
      this.unionInParens(e[0]);
      this.w.write(": ");
      this.unionInParens(e[1]);
      return;
    }
    if (parenUnion) this.unionInParens(e);
    else this.term(e, false);
  }

  /** `{a | b}` would read as a comprehension: a union inside braces or brackets keeps its parens. */
  private unionInParens(t: Term): void {
    this.term(t, isUnionCall(t));
  }

  private comprehension(
    open: string,
    close: string,
    loc: Location,
    key: Term | undefined,
    term: Term,
    body: Expr[],
  ): void {
    const w = this.w;
    w.write(open);
    const first = key ?? term;
    if (first.loc.row > loc.row) {
      w.endLine();
      w.startLine();
    }
    if (key) {
      this.unionInParens(key);
      w.write(": ");
    }
    this.unionInParens(term);
    w.write(" |");
    this.comprehensionBody(body, term.loc.row, this.closeRowAt(loc));
    w.write(close);
  }

  /** A body inside braces or brackets: on the same line (`; `-separated) or one expression a line. */
  private comprehensionBody(body: Expr[], termRow: number, closeRow: number): void {
    const w = this.w;
    const rows = new Set(body.map((e) => e.loc.row));
    if (body[0]!.loc.row > termRow || rows.size > 1) {
      w.endLine();
      w.up();
      this.body(body);
      if (closeRow > 0) w.commentsBefore(closeRow);
      w.down();
      w.startLine();
      return;
    }
    w.write(" ");
    body.forEach((e, k) => {
      if (k > 0) w.write("; ");
      this.expr(e);
    });
    if (closeRow > 0) w.commentsBefore(closeRow);
  }
}

// ---- helpers ----------------------------------------------------------------------------------

/** With `import rego.v1`, `future.keywords` imports are redundant and dropped, as opa fmt does. */
export function keptImports(imports: Import[]): Import[] {
  const regoV1 = imports.some((imp) => refText(imp.path.terms) === "rego.v1");
  if (!regoV1) return imports;
  return imports.filter((imp) => (imp.path.terms[0] as { name?: string }).name !== "future");
}

function before(a: Location, b: Location): number {
  return a.row - b.row || a.col - b.col;
}

function importKey(imp: Import): string[] {
  return imp.path.terms.map((t) =>
    t.type === "var" ? t.name : t.type === "string" ? t.value : "",
  );
}

/** OPA's import order: by path (segment by segment, shorter first), then by alias. */
function compareImports(a: Import, b: Import): number {
  const ka = importKey(a);
  const kb = importKey(b);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
  }
  if (ka.length !== kb.length) return ka.length - kb.length;
  const aa = a.alias ?? "";
  const ab = b.alias ?? "";
  return aa === ab ? 0 : aa < ab ? -1 : 1;
}

function oneLiner(rule: Rule): boolean {
  return rule.body.length <= 1 && !rule.default;
}

function isImplicit(head: RuleHead): boolean {
  const v = head.value;
  return v !== undefined && v.loc.row === head.loc.row && v.loc.col === head.loc.col;
}

function isSetTerm(e: Expr): boolean {
  return e.type === "term" && !e.negated && e.term.type === "set";
}

function isUnionCall(t: Term): boolean {
  return t.type === "call" && refText(t.operator.terms) === "or" && t.args.length === 2;
}

/** Precedence of an infix call (-1 for `in`), undefined for other calls. */
function callPrecedence(operator: RefTerm): number | undefined {
  const name = refText(operator.terms);
  if (name === MEMBER_2 || name === MEMBER_3) return -1;
  const infix = INFIX.get(name);
  return infix && infix.prec > 0 ? infix.prec : undefined;
}
