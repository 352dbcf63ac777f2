// Recursive-descent parser for Rego v1 (OPA 1.x syntax). Grammar decisions, precedence and error
// wording follow OPA's parser so that policies and messages behave the same.
//
// Failure handling: an error is recorded in `issues` and the BAIL sentinel is thrown to unwind to
// the nearest point that can backtrack (ambiguous forms such as `p if {...}`, `{a | b}`,
// `k, v in xs`) or recover (the next top-level statement).
import type {
  ArrayTerm,
  BooleanTerm,
  CallExpr,
  CallTerm,
  Expr,
  Import,
  Location,
  Module,
  ObjectTerm,
  RefTerm,
  Rule,
  RuleHead,
  SetTerm,
  StringTerm,
  Term,
  VarTerm,
  With,
} from "./ast.ts";
import type { RegoIssue } from "../errors.ts";
import { isKeyword, lex, tokenName, type Comment, type Token, type TokenKind } from "./lexer.ts";
import { readAnnotations, type Statement } from "./annotations.ts";

const BAIL = { bail: true } as const;

const MAX_DEPTH = 400;
const MAX_ERRORS = 20;
const MAX_BACKTRACKS = 2000;

/** Infix operators inside terms: precedence (higher binds tighter) and builtin name. */
const BINARY: ReadonlyMap<TokenKind, { prec: number; name: string }> = new Map([
  ["==", { prec: 1, name: "equal" }],
  ["!=", { prec: 1, name: "neq" }],
  ["<", { prec: 1, name: "lt" }],
  ["<=", { prec: 1, name: "lte" }],
  [">", { prec: 1, name: "gt" }],
  [">=", { prec: 1, name: "gte" }],
  ["|", { prec: 2, name: "or" }],
  ["&", { prec: 3, name: "and" }],
  ["+", { prec: 4, name: "plus" }],
  ["-", { prec: 4, name: "minus" }],
  ["*", { prec: 5, name: "mul" }],
  ["/", { prec: 5, name: "div" }],
  ["%", { prec: 5, name: "rem" }],
] as [TokenKind, { prec: number; name: string }][]);

const ROOT_DOCUMENTS = new Set(["data", "input"]);
const FUTURE_KEYWORDS = ["contains", "every", "if", "in"];
const MEMBER_2 = "internal.member_2";
const MEMBER_3 = "internal.member_3";

export interface ParserOptions {
  /**
   * Also read the rule forms of Rego v0: a body without `if` and `p[x] { ... }` for a partial set
   * (as `rego.parse_module` does in OPA, whose parser keeps them apart from the v1 checks).
   */
  v0RuleForms?: boolean;
}

interface Mark {
  i: number;
  issues: number;
  depth: number;
}

export class Parser {
  private readonly toks: Token[];
  readonly comments: Comment[];
  private i = 0;
  private depth = 0;
  private backtracks = 0;
  readonly issues: RegoIssue[] = [];

  constructor(
    source: string,
    private readonly file: string,
    private readonly options: ParserOptions = {},
  ) {
    const { tokens, comments } = lex(source);
    this.toks = tokens;
    this.comments = comments;
  }

  // ---- entry points ---------------------------------------------------------------------------

  module(): Module | undefined {
    const imports: Import[] = [];
    const rules: Rule[] = [];
    const statements: Statement[] = [];
    let pkg: RefTerm | undefined;
    let count = 0;
    while (this.kind() !== "eof" && this.issues.length < MAX_ERRORS) {
      const start = this.tok;
      try {
        if (start.kind === "package") {
          const path = this.packageDecl();
          if (count > 0) this.report(start, "unexpected package");
          else pkg = path;
          statements.push({ kind: "package", loc: path.loc });
        } else {
          if (count === 0) this.report(start, "package expected");
          if (start.kind === "import") {
            const imp = this.importDecl();
            imports.push(imp);
            statements.push({ kind: "import", loc: imp.loc });
          } else {
            for (const rule of this.rules()) {
              rules.push(rule);
              statements.push({ kind: "rule", loc: rule.loc, rule });
            }
          }
        }
      } catch (e) {
        if (e !== BAIL) throw e;
        this.recover();
      }
      count++;
    }
    if (count === 0) this.report(this.tok, "empty module");
    if (this.issues.length > 0 || !pkg) return undefined;
    const { annotations, issues } = readAnnotations(
      this.comments,
      statements,
      this.file,
      refTermsOf,
    );
    this.issues.push(...issues);
    return {
      file: this.file,
      package: pkg,
      imports,
      rules,
      regoVersion: 1,
      ...(annotations.length > 0 ? { annotations } : {}),
    };
  }

  query(): Expr[] | undefined {
    try {
      if (this.kind() === "eof") this.fail(this.tok, "empty query");
      return this.body("eof");
    } catch (e) {
      if (e !== BAIL) throw e;
      return undefined;
    }
  }

  term(): Term | undefined {
    try {
      const t = this.infix(false);
      if (this.kind() !== "eof") this.unexpected("expected end of term");
      return t;
    } catch (e) {
      if (e !== BAIL) throw e;
      return undefined;
    }
  }

  // ---- token helpers --------------------------------------------------------------------------

  private get tok(): Token {
    return this.toks[this.i]!;
  }

  /** The current token's kind (a call, so TypeScript does not narrow it across advances). */
  private kind(): TokenKind {
    return this.toks[this.i]!.kind;
  }

  private peek(): Token {
    return this.toks[Math.min(this.i + 1, this.toks.length - 1)]!;
  }

  private advance(): Token {
    const t = this.toks[this.i]!;
    if (t.kind !== "eof") this.i++;
    return t;
  }

  private loc(t: Token): Location {
    return { file: this.file, row: t.row, col: t.col };
  }

  private mark(): Mark {
    return { i: this.i, issues: this.issues.length, depth: this.depth };
  }

  private reset(m: Mark): void {
    this.i = m.i;
    this.issues.length = m.issues;
    this.depth = m.depth;
  }

  /** Whether one more backtracking attempt is allowed (bounds the work on pathological input). */
  private mayBacktrack(): boolean {
    return ++this.backtracks <= MAX_BACKTRACKS;
  }

  private report(t: Token | Location, message: string): void {
    const location = "kind" in t ? this.loc(t) : t;
    this.issues.push({ code: "rego_parse_error", message, location });
  }

  private fail(t: Token | Location, message: string): never {
    this.report(t, message);
    throw BAIL;
  }

  /** `unexpected <token> token: <expected>` at the current token, as OPA words it. */
  private unexpected(expected: string): never {
    const t = this.tok;
    if (t.kind === "illegal") this.fail(t, t.text);
    const what = isKeyword(t.kind) ? "keyword" : "token";
    this.fail(t, `unexpected ${tokenName(t.kind)} ${what}${expected ? `: ${expected}` : ""}`);
  }

  private expect(kind: TokenKind, expected: string): Token {
    if (this.kind() !== kind) this.unexpected(expected);
    return this.advance();
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(this.tok, "max parsing recursion depth exceeded");
  }

  /** Skips to the next line that starts (in column 1) with something that can begin a statement. */
  private recover(): void {
    this.depth = 0;
    this.advance();
    for (;;) {
      const t = this.tok;
      if (t.kind === "eof") return;
      if (t.nlBefore && t.col === 1) {
        if (
          t.kind === "ident" ||
          t.kind === "default" ||
          t.kind === "import" ||
          t.kind === "package"
        )
          return;
      }
      this.advance();
    }
  }

  // ---- package and imports --------------------------------------------------------------------

  private packageDecl(): RefTerm {
    const kw = this.advance();
    if (this.kind() !== "ident") this.unexpected("expected package path");
    const term = this.primary();
    const path: Term[] = [];
    if (term.type === "var" || (term.type === "ref" && term.terms.length === 1)) {
      const head = term.type === "var" ? term : (term.terms[0] as VarTerm);
      path.push(varTerm("data", head.loc), stringTerm(head.name, head.loc));
    } else if (term.type === "ref") {
      const head = term.terms[0]!;
      if (head.type !== "var") this.fail(head.loc, `unexpected ${head.type} token: expecting var`);
      path.push(varTerm("data", head.loc), stringTerm(head.name, head.loc));
      for (const seg of term.terms.slice(1)) {
        if (seg.type !== "string")
          this.fail(seg.loc, `unexpected ${seg.type} token: expecting string`);
        path.push(seg);
      }
    } else {
      this.fail(term.loc, `unexpected ${term.type} token: expected package path`);
    }
    return { type: "ref", terms: path, loc: this.loc(kw) };
  }

  private importDecl(): Import {
    const kw = this.advance();
    if (this.kind() !== "ident") this.unexpected("expected import path");
    const term = this.primary();
    let path: RefTerm;
    if (term.type === "var") path = { type: "ref", terms: [term], loc: term.loc };
    else if (term.type === "ref") {
      for (const seg of term.terms.slice(1)) {
        if (seg.type !== "string")
          this.fail(seg.loc, `unexpected ${seg.type} token: expecting string`);
      }
      path = term;
    } else this.fail(term.loc, `unexpected ${term.type} token: expected import path`);

    const root = (path.terms[0] as VarTerm).name;
    if (!ROOT_DOCUMENTS.has(root) && root !== "future" && root !== "rego") {
      this.fail(
        path.loc,
        `unexpected import path, must begin with one of: {data, future, input, rego}, got: ${root}`,
      );
    }
    const imp: Import = { loc: this.loc(kw), path };
    if (this.kind() === "as") {
      this.advance();
      if (this.kind() !== "ident") this.unexpected("expected var");
      imp.alias = this.advance().text;
    }
    const segs = path.terms.slice(1) as StringTerm[];
    if (root === "future") {
      if (segs[0]?.value !== "keywords")
        this.fail(path.loc, "invalid import, must be `future.keywords`");
      if (imp.alias !== undefined) this.fail(path.loc, "`future` imports cannot be aliased");
      if (segs.length === 2 && !FUTURE_KEYWORDS.includes(segs[1]!.value)) {
        this.fail(path.loc, `unexpected keyword, must be one of [${FUTURE_KEYWORDS.join(" ")}]`);
      }
    } else if (root === "rego") {
      if (segs.length !== 1 || segs[0]!.value !== "v1") {
        this.fail(path.loc, `invalid import \`${refText(path.terms)}\`, must be \`rego.v1\``);
      }
    } else if (imp.alias === undefined && segs.length > 0) {
      const last = segs[segs.length - 1]!;
      if (isKeyword(last.value as TokenKind)) {
        this.fail(
          last.loc,
          `unexpected import path, must not end with a keyword, got: ${last.value} (hint: import a different path or use an alias)`,
        );
      }
    }
    return imp;
  }

  // ---- rules ----------------------------------------------------------------------------------

  private rules(): Rule[] {
    const start = this.tok;
    const ruleLoc = this.loc(start);
    const isDefault = start.kind === "default";
    if (isDefault) this.advance();
    if (this.kind() !== "ident") {
      if (this.kind() === "contains")
        this.fail(this.tok, "contains keyword cannot be used for rule name");
      this.unexpected(isDefault ? "expected rule head" : "expected rule");
    }
    const head = this.head();
    const name = refText(head.ref);

    if (isDefault) {
      this.checkDefault(head, ruleLoc, name);
      return [{ loc: ruleLoc, default: true, head, body: [] }];
    }

    const hasIf = this.kind() === "if";
    const isFunction = head.args !== undefined;
    let generatedValue = false;
    if (!head.contains && head.value === undefined) {
      if (!isFunction && head.ref.length === 2 && !hasIf) {
        // v0 partial set `p[x] { ... }`: report it, then read it as `p contains x` to carry on
        if (!this.options.v0RuleForms) {
          this.report(ruleLoc, "`contains` keyword is required for partial set rules");
        }
        head.key = head.ref.pop();
        head.contains = true;
      } else {
        head.value = booleanTerm(true, head.loc);
        generatedValue = true;
      }
    }

    let body: Expr[];
    let hasBody = true;
    if (hasIf) {
      this.advance();
      body = this.ifBody();
    } else if (this.kind() === "{") {
      if (!this.options.v0RuleForms) {
        this.report(
          ruleLoc,
          `\`if\` keyword is required before ${isFunction ? "function" : "rule"} body`,
        );
      }
      body = this.braceBody();
    } else {
      hasBody = false;
      body = [];
      if (generatedValue && !isFunction) {
        if (head.ref.length === 1) this.fail(ruleLoc, "var cannot be used for rule name");
        this.fail(ruleLoc, "rule must have value assignment and/or body declaration");
      }
    }

    const rule: Rule = { loc: ruleLoc, default: false, head, body };
    if (!hasBody) return [rule];

    if (this.kind() === "else") {
      if (head.ref.length > 1 && !head.ref.slice(1).every(isGround)) {
        this.fail(this.tok, "else keyword cannot be used on rules with variables in head");
      }
      if (head.contains) this.fail(this.tok, "else keyword cannot be used on multi-value rules");
      rule.else = this.elseChain(head);
    }

    // `p if { a } { b }` defines p twice, once per body
    const out = [rule];
    while (this.kind() === "{") {
      if (rule.else) this.fail(this.tok, "expected else keyword");
      const loc = this.loc(this.tok);
      const extra = this.braceBody();
      out.push({ loc, default: false, head: { ...structuredClone(head), loc }, body: extra });
    }
    return out;
  }

  private head(): RuleHead {
    const nameTok = this.tok;
    const loc = this.loc(nameTok);
    const name = varTerm(this.advance().text, loc);
    let target: Term = name;
    const next = this.tok;
    if (!next.wsBefore && (next.kind === "." || next.kind === "[" || next.kind === "("))
      target = this.ref(name);

    const head: RuleHead = { loc, ref: [name], assign: false, contains: false };
    if (target.type === "ref") {
      if (target.terms[0]!.type !== "var")
        this.fail(target.loc, `invalid rule head: ${refText(target.terms)}`);
      head.ref = target.terms;
    } else if (target.type === "call") {
      head.ref = target.operator.terms;
      head.args = target.args;
    } else if (target.type !== "var") {
      this.fail(target.loc, `${target.type} cannot be used for rule name`);
    }

    switch (this.kind()) {
      case "contains":
        if (head.args) {
          this.unexpected(
            `the contains keyword can only be used with multi-value rule definitions (e.g., ${refText(head.ref)} contains <VALUE> { ... })`,
          );
        }
        this.advance();
        head.key = this.infix(true);
        head.contains = true;
        break;
      case "=":
      case ":=":
        head.assign = this.advance().kind === ":=";
        head.value = this.infix(true);
        break;
    }
    return head;
  }

  private checkDefault(head: RuleHead, ruleLoc: Location, name: string): void {
    if (head.value === undefined || head.contains) {
      this.fail(ruleLoc, `illegal default rule (must have a value)`);
    }
    const bad = findNonConstant(head.value);
    if (bad) this.fail(ruleLoc, `illegal default rule (value cannot contain ${bad})`);
    const seen = new Set<string>();
    for (const arg of head.args ?? []) {
      if (arg.type !== "var")
        this.fail(ruleLoc, `illegal default rule (arguments cannot contain ${arg.type})`);
      if (arg.name !== "_" && seen.has(arg.name)) {
        this.fail(ruleLoc, `illegal default rule (arguments cannot be repeated ${arg.name})`);
      }
      seen.add(arg.name);
    }
    if (this.kind() === "if" || this.kind() === "{") {
      this.unexpected(`default rules cannot have a body (e.g., default ${name} := <VALUE>)`);
    }
  }

  /** After `if`: a single expression, or `{ body }`. */
  private ifBody(): Expr[] {
    const m = this.mark();
    try {
      const expr = this.literal();
      // `p if { x }` would read as a set literal: that is a body instead
      if (!(expr.type === "term" && expr.term.type === "set")) return [expr];
    } catch (e) {
      if (e !== BAIL) throw e;
    }
    this.reset(m);
    if (this.kind() === "{") return this.braceBody();
    if (this.kind() === "eof") this.unexpected("rule body expected");
    return [this.literal()]; // fails again, reporting the expression's error
  }

  private braceBody(): Expr[] {
    this.advance();
    const body = this.body("}");
    this.advance();
    return body;
  }

  private elseChain(head: RuleHead): Rule {
    const first = this.elseRule(head);
    let last = first;
    while (this.kind() === "else") {
      const next = this.elseRule(head);
      last.else = next;
      last = next;
    }
    return first;
  }

  private elseRule(head: RuleHead): Rule {
    const elseTok = this.advance();
    const loc = this.loc(elseTok);
    const elseHead: RuleHead = { ...structuredClone(head), loc, assign: false };
    switch (this.kind()) {
      case "{":
      case "if":
        elseHead.value = booleanTerm(true, loc);
        break;
      case "=":
      case ":=":
        elseHead.assign = this.advance().kind === ":=";
        elseHead.value = this.infix(true);
        break;
      default:
        this.unexpected("expected else value term or rule body");
    }
    let body: Expr[] = [];
    if (this.kind() === "if") {
      this.advance();
      if (this.kind() === "{") body = this.braceBody();
      else if (this.kind() === "eof") this.unexpected("rule body expected");
      else body = [this.literal()];
    } else if (this.kind() === "{") {
      if (!this.options.v0RuleForms) {
        const what = head.args !== undefined ? "function" : "rule";
        this.report(loc, `\`if\` keyword is required before ${what} body`);
      }
      body = this.braceBody();
    }
    return { loc, default: false, head: elseHead, body };
  }

  // ---- bodies and expressions -----------------------------------------------------------------

  /** Expressions separated by `;` or newlines, up to (not including) `end`. */
  private body(end: TokenKind): Expr[] {
    if (this.kind() === end) this.fail(this.tok, "found empty body");
    const exprs: Expr[] = [];
    for (;;) {
      exprs.push(this.literal());
      const t = this.tok;
      if (t.kind === ";") {
        this.advance();
        continue;
      }
      if (t.kind === end) return exprs;
      if (!t.nlBefore) this.unexpected(`expected \\n or ; or ${tokenName(end)}`);
    }
  }

  private literal(): Expr {
    this.enter(); // bodies nest through `every` and comprehensions
    try {
      return this.literalUnguarded();
    } finally {
      this.depth--;
    }
  }

  private literalUnguarded(): Expr {
    const start = this.tok;
    const loc = this.loc(start);
    let negated = false;
    if (start.kind === "not") {
      this.advance();
      negated = true;
    }
    let expr: Expr;
    if (this.kind() === "some") {
      if (negated) this.unexpected("illegal negation of 'some'");
      expr = this.some(loc);
    } else if (this.kind() === "every") {
      if (negated) this.unexpected("illegal negation of 'every'");
      expr = this.every(loc);
    } else {
      expr = this.expression(loc, negated);
    }
    if (this.kind() === "with") expr.with = this.withs();
    return expr;
  }

  private expression(loc: Location, negated: boolean): Expr {
    const lhs = this.infix(true);
    const t = this.tok;
    if (t.kind === ":=" || t.kind === "=") {
      this.advance();
      const rhs = this.infix(true);
      const name = t.kind === ":=" ? "assign" : "eq";
      const operator = opRef(name, this.loc(t));
      return {
        type: "call",
        loc,
        negated,
        with: [],
        operator,
        args: [lhs, rhs],
      } satisfies CallExpr;
    }
    if (lhs.type === "call") {
      return { type: "call", loc, negated, with: [], operator: lhs.operator, args: lhs.args };
    }
    return { type: "term", loc, negated, with: [], term: lhs };
  }

  private withs(): With[] {
    const out: With[] = [];
    while (this.kind() === "with") {
      const loc = this.loc(this.advance());
      if (this.kind() !== "ident") this.unexpected("expected ident");
      const target = this.primary();
      let ref: RefTerm;
      if (target.type === "var") ref = { type: "ref", terms: [target], loc: target.loc };
      else if (target.type === "ref") ref = target;
      else this.fail(target.loc, "expected with target path");
      this.expect("as", "expected as keyword");
      out.push({ loc, target: ref, value: this.infix(true) });
    }
    return out;
  }

  private some(loc: Location): Expr {
    this.advance();
    const m = this.mark();
    let term: Term | undefined;
    try {
      term = this.infix(true);
    } catch (e) {
      if (e !== BAIL) throw e;
    }
    if (term?.type === "call") {
      const op = opName(term.operator);
      if (op === MEMBER_2) {
        return {
          type: "somein",
          loc,
          negated: false,
          with: [],
          value: term.args[0]!,
          collection: term.args[1]!,
        };
      }
      if (op === MEMBER_3) {
        const [key, value, collection] = term.args as [Term, Term, Term];
        return { type: "somein", loc, negated: false, with: [], key, value, collection };
      }
      this.unexpected("expected `x in xs` or `x, y in xs` expression");
    }
    this.reset(m);
    const vars: VarTerm[] = [];
    for (;;) {
      if (this.kind() !== "ident") this.unexpected("expected var");
      const t = this.advance();
      vars.push(varTerm(t.text, this.loc(t)));
      if (this.kind() !== ",") break;
      this.advance();
    }
    return { type: "some", loc, negated: false, with: [], vars };
  }

  private every(loc: Location): Expr {
    this.advance();
    const term = this.infix(true);
    const op = term.type === "call" ? opName(term.operator) : "";
    if (term.type !== "call" || (op !== MEMBER_2 && op !== MEMBER_3)) {
      this.unexpected("expected `x[, y] in xs { ... }` expression");
    }
    const args = term.args;
    const [key, value, domain] = op === MEMBER_3 ? args : [undefined, args[0]!, args[1]!];
    if (key && key.type !== "var") this.unexpected("expected key to be a variable");
    if (value!.type !== "var") this.unexpected("expected value to be a variable");
    if (this.kind() !== "{") this.unexpected("missing body");
    const body = this.braceBody();
    const expr: Expr = {
      type: "every",
      loc,
      negated: false,
      with: [],
      value: value!,
      domain: domain!,
      body,
    };
    if (key) expr.key = key;
    return expr;
  }

  // ---- terms ----------------------------------------------------------------------------------

  /**
   * A term with infix operators. `in` binds loosest; with `keyVal`, `k, v in xs` is accepted
   * (not inside lists, where the comma separates items). `first` continues from a term the
   * caller already parsed.
   */
  private infix(keyVal: boolean, first?: Term): Term {
    let lhs = this.binary(first ?? this.primary(), 1);
    for (;;) {
      if (keyVal && this.kind() === ",") {
        const m = this.mark();
        try {
          this.advance();
          const mhs = this.binary(this.primary(), 1);
          if (this.kind() === "in") {
            const inTok = this.advance();
            const rhs = this.binary(this.primary(), 1);
            lhs = callTerm(opRef(MEMBER_3, this.loc(inTok)), [lhs, mhs, rhs], lhs.loc);
            continue;
          }
        } catch (e) {
          if (e !== BAIL) throw e;
        }
        this.reset(m);
      }
      if (this.kind() !== "in") return lhs;
      const inTok = this.advance();
      const rhs = this.binary(this.primary(), 1);
      lhs = callTerm(opRef(MEMBER_2, this.loc(inTok)), [lhs, rhs], lhs.loc);
    }
  }

  /** Precedence climbing over the binary operators, all left-associative. */
  private binary(lhs: Term, minPrec: number): Term {
    for (;;) {
      const opTok = this.tok;
      const op = BINARY.get(opTok.kind);
      if (!op || op.prec < minPrec) return lhs;
      this.advance();
      let rhs = this.primary();
      for (;;) {
        const next = BINARY.get(this.kind());
        if (!next || next.prec <= op.prec) break;
        rhs = this.binary(rhs, op.prec + 1);
      }
      lhs = callTerm(opRef(op.name, this.loc(opTok)), [lhs, rhs], lhs.loc);
    }
  }

  /** A single term, including the ref/call segments written directly after it. */
  private primary(): Term {
    this.enter();
    try {
      const t = this.tok;
      const loc = this.loc(t);
      let term: Term;
      switch (t.kind) {
        case "null":
          this.advance();
          term = { type: "null", loc };
          break;
        case "true":
        case "false":
          this.advance();
          term = booleanTerm(t.kind === "true", loc);
          break;
        case "number":
        case "-":
        case ".":
          term = this.number();
          break;
        case "string":
          this.advance();
          term = stringTerm(t.text, loc);
          break;
        case "ident":
        case "contains": // a keyword only in rule heads: `contains(s, x)` is the builtin
          this.advance();
          term = varTerm(t.text, loc);
          break;
        case "[":
          term = this.array();
          break;
        case "{":
          term = this.setOrObject();
          break;
        case "(":
          this.advance();
          term = this.infix(true);
          if (this.kind() !== ")") this.fail(this.tok, "non-terminated expression");
          this.advance();
          break;
        default:
          this.unexpected("expected term");
      }
      return this.finishTerm(term);
    } finally {
      this.depth--;
    }
  }

  private finishTerm(head: Term): Term {
    const t = this.tok;
    if (!t.wsBefore && (t.kind === "." || t.kind === "[" || t.kind === "(")) return this.ref(head);
    if (head.type === "var" && ROOT_DOCUMENTS.has(head.name))
      return { type: "ref", terms: [head], loc: head.loc };
    return head;
  }

  private number(): Term {
    const first = this.tok;
    let text = "";
    if (first.kind === "-") {
      this.advance();
      text = "-";
    }
    if (this.kind() === "." && this.peek().kind === "number" && !this.peek().wsBefore) {
      this.advance();
      text += "0.";
    }
    const t = this.tok;
    if (t.kind !== "number") this.unexpected("expected number");
    this.advance();
    const digits = t.text;
    if (!text.endsWith(".") && digits.length > 1 && digits[0] === "0") {
      const c = digits[1];
      if (c !== "." && !((c === "e" || c === "E") && digits.length > 2)) {
        this.fail(t, "unexpected number token: expected number without leading zero");
      }
    }
    if (exponentTooBig(digits)) this.fail(t, "number too big");
    return { type: "number", value: text + digits, loc: this.loc(first) };
  }

  private ref(head: Term): Term {
    switch (head.type) {
      case "var":
      case "array":
      case "object":
      case "set":
      case "arraycomprehension":
      case "setcomprehension":
      case "objectcomprehension":
      case "call":
        break;
      default:
        this.fail(head.loc, `illegal ref (head cannot be ${head.type})`);
    }
    const terms: Term[] = [head];
    for (;;) {
      const t = this.tok;
      if (t.wsBefore) break;
      if (t.kind === ".") {
        const dot = this.advance();
        const seg = this.tok;
        if (seg.wsBefore) {
          const after = { file: this.file, row: dot.row, col: dot.col + 1 };
          this.fail(after, "unexpected whitespace token: expected ident");
        }
        if (!(seg.kind === "ident" || isKeyword(seg.kind))) this.unexpected("expected ident");
        this.advance();
        terms.push(stringTerm(seg.text, this.loc(seg)));
      } else if (t.kind === "[") {
        this.advance();
        terms.push(this.infix(true));
        this.expect("]", "expected ]");
      } else if (t.kind === "(") {
        const call = this.call(terms, head.loc);
        const after = this.tok;
        if (!after.wsBefore && (after.kind === "." || after.kind === "[")) return this.ref(call);
        return call;
      } else break;
    }
    return { type: "ref", terms, loc: head.loc };
  }

  private call(operatorTerms: Term[], loc: Location): Term {
    if (operatorTerms[0]!.type !== "var")
      this.fail(this.tok, "unexpected ( token: illegal call operator");
    const operator: RefTerm = { type: "ref", terms: operatorTerms, loc };
    this.advance();
    const args = this.termList(")");
    if (
      args.length === 0 &&
      operatorTerms.length === 1 &&
      (operatorTerms[0] as VarTerm).name === "set"
    ) {
      return { type: "set", items: [], loc } satisfies SetTerm;
    }
    return callTerm(operator, args, loc);
  }

  /** Comma-separated terms up to and including `end` (a trailing comma is allowed). */
  private termList(end: TokenKind, items: Term[] = []): Term[] {
    if (this.kind() === end) {
      this.advance();
      return items;
    }
    for (;;) {
      items.push(this.infix(false));
      const t = this.tok;
      if (t.kind === end) {
        this.advance();
        return items;
      }
      if (t.kind !== ",") this.unexpected(`expected "," or "${end}"`);
      this.advance();
      if (this.kind() === end) {
        this.advance();
        return items;
      }
    }
  }

  /**
   * `[head | body]` is a comprehension unless its body does not parse and the failure is at a
   * comma (`[a | b, c]`), in which case `|` is the `or` operator, as OPA resolves it.
   */
  private comprehensionBody(end: TokenKind): Expr[] | undefined {
    const m = this.mark();
    try {
      this.advance(); // |
      const body = this.body(end);
      this.advance();
      return body;
    } catch (e) {
      if (e !== BAIL) throw e;
      if (this.kind() !== "," || !this.mayBacktrack()) throw e;
      this.reset(m);
      return undefined;
    }
  }

  private array(): Term {
    const loc = this.loc(this.advance());
    if (this.kind() === "]") {
      this.advance();
      return { type: "array", items: [], loc };
    }
    let head = this.primary();
    if (this.kind() === "|") {
      const body = this.comprehensionBody("]");
      if (body) return { type: "arraycomprehension", term: head, body, loc };
    }
    if (this.kind() !== "]" && this.kind() !== ",") head = this.infix(false, head);
    const items = [head];
    if (this.kind() === ",") {
      this.advance();
      this.termList("]", items);
    } else this.expect("]", `expected "," or "]"`);
    return { type: "array", items, loc } satisfies ArrayTerm;
  }

  private setOrObject(): Term {
    const loc = this.loc(this.advance());
    if (this.kind() === "}") {
      this.advance();
      return { type: "object", items: [], loc };
    }
    let head = this.primary();
    if (this.kind() === "|") {
      const body = this.comprehensionBody("}");
      if (body) return { type: "setcomprehension", term: head, body, loc };
    }
    if (this.kind() !== ":" && this.kind() !== "}" && this.kind() !== ",")
      head = this.infix(false, head);
    switch (this.kind()) {
      case ":":
        return this.object(head, loc);
      case "}":
        this.advance();
        return { type: "set", items: [head], loc };
      case ",":
        this.advance();
        return { type: "set", items: this.termList("}", [head]), loc };
      default:
        this.unexpected("non-terminated set");
    }
  }

  private object(key: Term, loc: Location): Term {
    this.advance(); // :
    let value = this.primary();
    if (this.kind() === "|") {
      const body = this.comprehensionBody("}");
      if (body) return { type: "objectcomprehension", key, value, body, loc };
    }
    if (this.kind() !== "}" && this.kind() !== ",") value = this.infix(false, value);
    const items: [Term, Term][] = [[key, value]];
    for (;;) {
      const t = this.tok;
      if (t.kind === "}") {
        this.advance();
        return { type: "object", items, loc } satisfies ObjectTerm;
      }
      if (t.kind !== ",")
        this.unexpected(items.length === 1 ? "non-terminated object" : `expected "," or "}"`);
      this.advance();
      if (this.kind() === "}") continue;
      const k = this.infix(false);
      this.expect(":", `expected ":"`);
      items.push([k, this.infix(false)]);
    }
  }
}

// ---- node helpers -------------------------------------------------------------------------------

function varTerm(name: string, loc: Location): VarTerm {
  return { type: "var", name, loc };
}

function stringTerm(value: string, loc: Location): StringTerm {
  return { type: "string", value, loc };
}

function booleanTerm(value: boolean, loc: Location): BooleanTerm {
  return { type: "boolean", value, loc };
}

/** The ref naming an operator: `plus` => [var plus], `internal.member_2` => [var internal, "member_2"]. */
function opRef(name: string, loc: Location): RefTerm {
  const parts = name.split(".");
  const terms: Term[] = [varTerm(parts[0]!, loc)];
  for (const p of parts.slice(1)) terms.push(stringTerm(p, loc));
  return { type: "ref", terms, loc };
}

function callTerm(operator: RefTerm, args: Term[], loc: Location): CallTerm {
  return { type: "call", operator, args, loc };
}

function opName(ref: RefTerm): string {
  return refText(ref.terms);
}

/** Source-like text of a ref, for messages: `a.b[x]["c-d"]`. */
export function refText(terms: Term[]): string {
  let out = "";
  terms.forEach((t, i) => {
    if (i === 0) out += t.type === "var" ? t.name : `<${t.type}>`;
    else if (t.type === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.value)) out += `.${t.value}`;
    else if (t.type === "string") out += `[${JSON.stringify(t.value)}]`;
    else if (t.type === "var") out += `[${t.name}]`;
    else if (t.type === "number") out += `[${t.value}]`;
    else out += `[<${t.type}>]`;
  });
  return out;
}

export function isGround(t: Term): boolean {
  switch (t.type) {
    case "var":
    case "ref":
    case "call":
    case "arraycomprehension":
    case "setcomprehension":
    case "objectcomprehension":
      return false;
    case "array":
    case "set":
      return t.items.every(isGround);
    case "object":
      return t.items.every(([k, v]) => isGround(k) && isGround(v));
    default:
      return true;
  }
}

/** The first var/ref/call found outside comprehensions, for default rule values. */
function findNonConstant(t: Term): string | undefined {
  switch (t.type) {
    case "var":
    case "ref":
    case "call":
      return t.type;
    case "array":
    case "set":
      for (const item of t.items) {
        const bad = findNonConstant(item);
        if (bad) return bad;
      }
      return undefined;
    case "object":
      for (const [k, v] of t.items) {
        const bad = findNonConstant(k) ?? findNonConstant(v);
        if (bad) return bad;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** OPA rejects numbers whose binary exponent exceeds 1e5 (about 30,000 decimal digits). */
function exponentTooBig(text: string): boolean {
  const e = text.search(/[eE]/);
  if (e < 0) return text.length > 30000;
  const exp = Number(text.slice(e + 1));
  return !Number.isFinite(exp) || Math.abs(exp + e) > 30000;
}

/** The terms of a ref written alone (`input.x`, `schema["y"]`), or undefined if the text is not one. */
function refTermsOf(text: string): Term[] | undefined {
  const parser = new Parser(text, "<ref>");
  const term = parser.term();
  if (parser.issues.length > 0 || !term) return undefined;
  if (term.type === "var") return [term];
  return term.type === "ref" && term.terms[0]!.type === "var" ? term.terms : undefined;
}
