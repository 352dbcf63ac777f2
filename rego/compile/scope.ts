// Name resolution and local renaming (OPA's ResolveRefs + RewriteLocalVars), on the syntax AST.
// - Rule names of the package and imports become full refs (`allow` => data.authz.allow), unless a
//   local declaration (`:=`, `some`, function args, `every`) shadows them.
// - Each distinct local gets a name unique in its rule: the first variable called `x` keeps `x`,
//   later distinct ones (shadowing in comprehensions, else branches) get generated names.
// - A var in a comprehension or `every` body is the enclosing body's var when that body uses the
//   same name at its top level (OPA's closure semantics); otherwise it is local to the nested body.
// - `some x` declarations are dropped; `:=` stays a call to `assign` with its left side renamed.
import type {
  CallExpr,
  EveryExpr,
  Expr,
  Location,
  RefTerm,
  Rule,
  SomeInExpr,
  Term,
  VarTerm,
  With,
} from "../syntax/ast.ts";
import { lookupBuiltin } from "../builtins/registry.ts";
import type { IssueList } from "./issues.ts";
import { dottedName, isRootDocument, refTerm, ROOT_DOCUMENTS, varTerm } from "./terms.ts";

type Occurrence = "seen" | "assigned" | "declared" | "arg";

interface Scope {
  names: Map<string, string>;
  occurrence: Map<string, Occurrence>;
  /** names used at this body's top level and not declared in it */
  free: Set<string>;
  /** names declared (`:=`, `some`) anywhere at this body's top level */
  declared: Set<string>;
  someDecls: { name: string; unique: string; loc: Location }[];
}

export interface ScopeEnv {
  /** rule and import names visible in the module => the ref they stand for */
  globals: ReadonlyMap<string, Term[]>;
  fresh: () => string;
  issues: IssueList;
  /** generated or renamed local => the name the user wrote (`_` for wildcards) */
  displayNames: Map<string, string>;
}

export interface ScopedRule {
  args?: Term[];
  keyTerms: Term[];
  key?: Term;
  value?: Term;
  body: Expr[];
  else?: ScopedRule;
  loc: Location;
}

export class LocalScoper {
  private stack: Scope[] = [];
  private readonly claimed = new Set<string>();
  private readonly uses = new Map<string, number>();
  /** user-visible vars of the outermost body, in order of first appearance */
  readonly outerVars: string[] = [];

  constructor(private readonly env: ScopeEnv) {}

  scopeRule(rule: Rule, keyTerms: Term[]): ScopedRule {
    const argScope = this.newScope([]);
    this.stack = [argScope];
    const args = rule.head.args?.map((a) => this.argPattern(a));
    const argEntries = new Map(argScope.names);
    this.stack = [];
    return this.scopeBranch(rule, keyTerms, args, argEntries);
  }

  private scopeBranch(
    rule: Rule,
    keyTerms: Term[],
    args: Term[] | undefined,
    argEntries: Map<string, string>,
  ): ScopedRule {
    const scope = this.newScope(rule.body);
    for (const [name, unique] of argEntries) {
      scope.names.set(name, unique);
      scope.occurrence.set(name, "arg");
    }
    this.stack = [scope];
    const body = this.body(rule.body);
    const scoped: ScopedRule = {
      loc: rule.loc,
      keyTerms: keyTerms.map((t) => this.term(t)),
      body,
      ...(args ? { args } : {}),
      ...(rule.head.key ? { key: this.term(rule.head.key) } : {}),
      ...(rule.head.value ? { value: this.term(rule.head.value) } : {}),
    };
    this.stack = [];
    if (rule.else) scoped.else = this.scopeBranch(rule.else, [], args, argEntries);
    return scoped;
  }

  scopeQuery(body: Expr[]): Expr[] {
    this.stack = [this.newScope(body)];
    const out = this.body(body);
    this.stack = [];
    return out;
  }

  // --- scopes -------------------------------------------------------------------------------

  private newScope(body: Expr[]): Scope {
    const declared = declaredNames(body);
    const free = new Set([...topLevelNames(body)].filter((n) => !declared.has(n)));
    return { names: new Map(), occurrence: new Map(), free, declared, someDecls: [] };
  }

  private get top(): Scope {
    return this.stack[this.stack.length - 1]!;
  }

  private claim(name: string): string {
    if (!this.claimed.has(name)) {
      this.claimed.add(name);
      return name;
    }
    const unique = this.env.fresh();
    this.claimed.add(unique);
    this.env.displayNames.set(unique, name);
    return unique;
  }

  private insert(scope: Scope, name: string, occurrence: Occurrence): string {
    const unique = this.claim(name);
    scope.names.set(name, unique);
    scope.occurrence.set(name, occurrence);
    if (scope === this.stack[0] && unique === name) this.outerVars.push(name);
    return unique;
  }

  private wildcard(loc: Location): VarTerm {
    const name = this.env.fresh();
    this.claimed.add(name);
    this.env.displayNames.set(name, "_");
    return varTerm(name, loc);
  }

  private findLocal(name: string): string | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const unique = this.stack[i]!.names.get(name);
      if (unique !== undefined) {
        this.uses.set(unique, (this.uses.get(unique) ?? 0) + 1);
        return unique;
      }
    }
    return undefined;
  }

  private declaredInChain(name: string): boolean {
    return this.stack.some((s) => s.declared.has(name) || s.occurrence.get(name) === "arg");
  }

  private declare(v: VarTerm, occurrence: Occurrence): VarTerm {
    if (v.name === "_") return this.wildcard(v.loc);
    const previous = this.top.occurrence.get(v.name);
    if (previous) {
      const message =
        previous === "seen"
          ? `var ${v.name} referenced above`
          : previous === "assigned"
            ? `var ${v.name} assigned above`
            : previous === "declared"
              ? `var ${v.name} declared above`
              : `arg ${v.name} redeclared`;
      this.env.issues.add("rego_compile_error", v.loc, message);
      return varTerm(this.top.names.get(v.name) ?? v.name, v.loc);
    }
    return varTerm(this.insert(this.top, v.name, occurrence), v.loc);
  }

  // --- terms --------------------------------------------------------------------------------

  private resolveVar(v: VarTerm): Term {
    if (v.name === "_") return this.wildcard(v.loc);
    if (ROOT_DOCUMENTS.has(v.name)) return refTerm([v], v.loc);
    const local = this.findLocal(v.name);
    if (local !== undefined) return varTerm(local, v.loc);
    if (!this.declaredInChain(v.name)) {
      const global = this.env.globals.get(v.name);
      if (global) return refTerm(relocate(global, v.loc), v.loc);
    }
    const owner = this.declaredInChain(v.name)
      ? this.top
      : (this.stack.find((s) => s.free.has(v.name)) ?? this.top);
    return varTerm(this.insert(owner, v.name, "seen"), v.loc);
  }

  term(t: Term): Term {
    switch (t.type) {
      case "var":
        return this.resolveVar(t);
      case "ref":
        return this.ref(t);
      case "array":
        return { ...t, items: t.items.map((i) => this.term(i)) };
      case "set":
        return { ...t, items: t.items.map((i) => this.term(i)) };
      case "object":
        return {
          ...t,
          items: t.items.map(([k, v]) => [this.term(k), this.term(v)] as [Term, Term]),
        };
      case "call":
        return { ...t, operator: this.operator(t.operator), args: t.args.map((a) => this.term(a)) };
      case "arraycomprehension":
      case "setcomprehension": {
        this.stack.push(this.newScope(t.body));
        const body = this.body(t.body);
        const term = this.term(t.term);
        this.stack.pop();
        return { ...t, body, term };
      }
      case "objectcomprehension": {
        this.stack.push(this.newScope(t.body));
        const body = this.body(t.body);
        const key = this.term(t.key);
        const value = this.term(t.value);
        this.stack.pop();
        return { ...t, body, key, value };
      }
      default:
        return t;
    }
  }

  private ref(t: RefTerm): RefTerm {
    const [head, ...rest] = t.terms;
    const operands = rest.map((x) => (x.type === "string" ? x : this.term(x)));
    if (head?.type === "var") {
      const resolved = this.resolveVar(head);
      const terms =
        resolved.type === "ref" ? [...resolved.terms, ...operands] : [resolved, ...operands];
      return { ...t, terms };
    }
    return { ...t, terms: [this.term(head!), ...operands] };
  }

  /** Call operators and `with` targets: only rule/import names are resolved, locals are not. */
  private operator(op: RefTerm): RefTerm {
    const head = op.terms[0];
    if (head?.type !== "var") return op;
    const global = this.env.globals.get(head.name);
    if (!global || this.findLocal(head.name) !== undefined) return op;
    return { ...op, terms: [...relocate(global, head.loc), ...op.terms.slice(1)] };
  }

  // --- bodies and expressions ---------------------------------------------------------------

  private body(exprs: Expr[]): Expr[] {
    const scope = this.top;
    const out: Expr[] = [];
    for (const e of exprs) {
      const scoped = this.expr(e);
      if (scoped) out.push(scoped);
    }
    for (const decl of scope.someDecls) {
      if ((this.uses.get(decl.unique) ?? 0) === 0) {
        this.env.issues.add("rego_compile_error", decl.loc, `declared var ${decl.name} unused`);
      }
    }
    return out;
  }

  private expr(e: Expr): Expr | undefined {
    switch (e.type) {
      case "some":
        for (const v of e.vars) {
          const declared = this.declare(v, "declared");
          this.top.someDecls.push({ name: v.name, unique: declared.name, loc: e.loc });
        }
        return undefined;
      case "somein":
        return this.someIn(e);
      case "every":
        return this.every(e);
      case "call":
        if (isAssignOperator(e.operator)) return this.assign(e);
        return {
          ...e,
          args: e.args.map((a) => this.term(a)),
          operator: this.operator(e.operator),
          with: this.withs(e.with),
        };
      case "term":
        return { ...e, term: this.term(e.term), with: this.withs(e.with) };
    }
  }

  private someIn(e: SomeInExpr): SomeInExpr {
    const collection = this.term(e.collection);
    const key = e.key ? this.pattern(e.key, "declared") : undefined;
    const value = this.pattern(e.value, "declared");
    return { ...e, collection, value, with: this.withs(e.with), ...(key ? { key } : {}) };
  }

  private every(e: EveryExpr): EveryExpr {
    const domain = this.term(e.domain);
    this.stack.push(this.newScope(e.body));
    const key = e.key ? this.pattern(e.key, "declared") : undefined;
    const value = this.pattern(e.value, "declared");
    const body = this.body(e.body);
    this.stack.pop();
    return { ...e, domain, value, body, with: this.withs(e.with), ...(key ? { key } : {}) };
  }

  private assign(e: CallExpr): Expr {
    if (e.negated) {
      this.env.issues.add(
        "rego_compile_error",
        e.loc,
        "cannot assign vars inside negated expression",
      );
      return e;
    }
    const [lhs, rhs] = e.args;
    if (!lhs || !rhs || e.args.length !== 2) return e;
    const value = this.term(rhs);
    const withs = this.withs(e.with);
    return { ...e, args: [this.assignTarget(lhs), value], with: withs };
  }

  private assignTarget(t: Term): Term {
    switch (t.type) {
      case "var":
        if (ROOT_DOCUMENTS.has(t.name)) return this.shadowError(t, "variables");
        return this.declare(t, "assigned");
      case "array":
        return { ...t, items: t.items.map((i) => this.assignTarget(i)) };
      case "object":
        return {
          ...t,
          items: t.items.map(([k, v]) => [this.term(k), this.assignTarget(v)] as [Term, Term]),
        };
      case "ref":
        if (isRootDocument(t)) return this.shadowError(t, "variables");
        this.env.issues.add("rego_compile_error", t.loc, "cannot assign to ref");
        return t;
      default:
        this.env.issues.add("rego_compile_error", t.loc, `cannot assign to ${t.type}`);
        return t;
    }
  }

  private shadowError(t: Term, what: "variables" | "args"): Term {
    const name =
      t.type === "var"
        ? t.name
        : t.type === "ref" && t.terms[0]?.type === "var"
          ? t.terms[0].name
          : "?";
    this.env.issues.add(
      "rego_compile_error",
      t.loc,
      `${what} must not shadow ${name} (use a different variable name)`,
    );
    return t;
  }

  /** Vars in `some ... in` and `every` patterns are declared; other terms are read. */
  private pattern(t: Term, occurrence: Occurrence): Term {
    switch (t.type) {
      case "var":
        return this.declare(t, occurrence);
      case "array":
        return { ...t, items: t.items.map((i) => this.pattern(i, occurrence)) };
      case "object":
        return {
          ...t,
          items: t.items.map(
            ([k, v]) => [this.term(k), this.pattern(v, occurrence)] as [Term, Term],
          ),
        };
      default:
        return this.term(t);
    }
  }

  private argPattern(t: Term): Term {
    switch (t.type) {
      case "var": {
        if (t.name === "_") return this.wildcard(t.loc);
        if (ROOT_DOCUMENTS.has(t.name)) return this.shadowError(t, "args");
        const existing = this.top.names.get(t.name);
        if (existing !== undefined) return varTerm(existing, t.loc);
        return varTerm(this.insert(this.top, t.name, "arg"), t.loc);
      }
      case "ref":
        if (isRootDocument(t)) return this.shadowError(t, "args");
        this.env.issues.add("rego_compile_error", t.loc, "rule arguments cannot contain refs");
        return t;
      case "call":
        this.env.issues.add("rego_compile_error", t.loc, "rule arguments cannot contain calls");
        return t;
      case "array":
        return { ...t, items: t.items.map((i) => this.argPattern(i)) };
      case "object":
        return { ...t, items: t.items.map(([k, v]) => [k, this.argPattern(v)] as [Term, Term]) };
      default:
        return t;
    }
  }

  private withs(withs: With[]): With[] {
    return withs.map((w) => ({
      ...w,
      target: this.operator(w.target),
      value: this.withValue(w.value),
    }));
  }

  /** A `with` value may name a builtin (`with count as my_count`): keep such names as refs. */
  private withValue(t: Term): Term {
    const ref = t.type === "var" ? refTerm([t], t.loc) : t.type === "ref" ? t : undefined;
    const head = ref?.terms[0];
    if (ref && head?.type === "var" && !ROOT_DOCUMENTS.has(head.name)) {
      const isLocal =
        this.stack.some((s) => s.names.has(head.name)) || this.declaredInChain(head.name);
      const name = dottedName(ref);
      if (!isLocal && !this.env.globals.has(head.name) && name && lookupBuiltin(name)) return ref;
    }
    return this.term(t);
  }
}

function isAssignOperator(op: RefTerm): boolean {
  return op.terms.length === 1 && op.terms[0]?.type === "var" && op.terms[0].name === "assign";
}

function relocate(terms: Term[], loc: Location): Term[] {
  return terms.map((t) => ({ ...t, loc }));
}

// --- pre-scans of a body's top level ------------------------------------------------------------

function topLevelNames(body: Expr[]): Set<string> {
  const names = new Set<string>();
  const visit = (t: Term): void => {
    switch (t.type) {
      case "var":
        if (t.name !== "_") names.add(t.name);
        return;
      case "ref":
        t.terms.forEach(visit);
        return;
      case "array":
      case "set":
        t.items.forEach(visit);
        return;
      case "object":
        t.items.forEach(([k, v]) => (visit(k), visit(v)));
        return;
      case "call":
        t.args.forEach(visit);
        return;
      default:
        return;
    }
  };
  for (const e of body) {
    for (const w of e.with) visit(w.value);
    switch (e.type) {
      case "term":
        visit(e.term);
        break;
      case "call":
        e.args.forEach(visit);
        break;
      case "some":
        e.vars.forEach(visit);
        break;
      case "somein":
        if (e.key) visit(e.key);
        visit(e.value);
        visit(e.collection);
        break;
      case "every":
        visit(e.domain);
        break;
    }
  }
  return names;
}

function declaredNames(body: Expr[]): Set<string> {
  const names = new Set<string>();
  const patternVars = (t: Term): void => {
    if (t.type === "var" && t.name !== "_") names.add(t.name);
    else if (t.type === "array") t.items.forEach(patternVars);
    else if (t.type === "object") t.items.forEach(([, v]) => patternVars(v));
  };
  for (const e of body) {
    if (e.type === "call" && isAssignOperator(e.operator) && e.args[0]) patternVars(e.args[0]);
    else if (e.type === "some") e.vars.forEach(patternVars);
    else if (e.type === "somein") {
      if (e.key) patternVars(e.key);
      patternVars(e.value);
    }
  }
  return names;
}
