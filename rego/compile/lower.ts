// Lowering scoped syntax expressions to the compiler's output expressions:
// calls nested in terms are lifted into their own CallExprs (in evaluation order), refs get
// var/scalar operands and a data/input/local head, `some x in xs` becomes unification with an
// iterating ref, `:=` becomes `eq`, `not`/`with` wrap what was lifted out of their expression,
// and call targets are resolved to builtins or user functions with their arity checked.
import type * as S from "../syntax/ast.ts";
import type { Location, RefTerm, Term, VarTerm } from "../syntax/ast.ts";
import { lookupBuiltin } from "../builtins/registry.ts";
import type { CallExpr, Expr, NotExpr, WithModifier } from "./types.ts";
import type { IssueList } from "./issues.ts";
import type { GroupInfo } from "./tree.ts";
import { pathKey } from "./tree.ts";
import {
  dottedName,
  isScalar,
  needsEvaluation,
  pathText,
  refTerm,
  stringPath,
  termText,
  varTerm,
} from "./terms.ts";

type Target = CallExpr["target"];

export interface LowerEnv {
  fresh: () => string;
  issues: IssueList;
  groups: ReadonlyMap<string, Pick<GroupInfo, "path" | "kind" | "arity">>;
  /** generated locals that hold lifted values (reported as "expression is unsafe") */
  temps: Set<string>;
  /** locals bound only inside a NotExpr (its lifted values) */
  notLocals: WeakMap<NotExpr, Set<string>>;
}

export class Lowerer {
  /** open NotExprs collecting the temporaries created inside them */
  private collectors: Set<string>[] = [];

  constructor(private readonly env: LowerEnv) {}

  body(exprs: S.Expr[]): Expr[] {
    return exprs.flatMap((e) => this.expr(e));
  }

  /** `x = term` lifted into `out`, returning the local */
  bindTemp(term: Term, out: Expr[]): VarTerm {
    const v = this.temp(term.loc);
    this.pushCall(out, { kind: "eq" }, [v, this.term(term, out)], term.loc);
    return v;
  }

  private temp(loc: Location): VarTerm {
    const name = this.env.fresh();
    this.env.temps.add(name);
    for (const c of this.collectors) c.add(name);
    return varTerm(name, loc);
  }

  private expr(e: S.Expr): Expr[] {
    const before: Expr[] = [];
    const withs = e.with.map((w) => this.withModifier(w, before)).filter((w) => w !== undefined);
    const locals = new Set<string>();
    if (e.negated) this.collectors.push(locals);
    const inner: Expr[] = [];
    this.core(e, inner);
    if (e.negated) this.collectors.pop();
    let result = inner;
    if (withs.length > 0 && inner.length > 0)
      result = [{ type: "with", loc: e.loc, withs, body: inner }];
    if (e.negated) {
      const not: NotExpr = { type: "not", loc: e.loc, body: result };
      this.env.notLocals.set(not, locals);
      result = [not];
    }
    return [...before, ...result];
  }

  private core(e: S.Expr, out: Expr[]): void {
    switch (e.type) {
      case "term":
        if (e.term.type === "call") this.callStatement(e.term.operator, e.term.args, e.loc, out);
        else out.push({ type: "term", loc: e.loc, term: this.term(e.term, out) });
        return;
      case "call":
        this.callStatement(e.operator, e.args, e.loc, out);
        return;
      case "somein":
        this.someIn(e, out);
        return;
      case "every":
        this.every(e, out);
        return;
      case "some":
        return; // removed by scoping
    }
  }

  private callStatement(operator: RefTerm, args: Term[], loc: Location, out: Expr[]): void {
    if (isUnification(operator)) {
      if (args.length !== 2) {
        this.env.issues.add(
          "rego_type_error",
          loc,
          `${termText(operator)}: arity mismatch (have ${args.length} arguments, want 2)`,
        );
        return;
      }
      const lhs = this.term(args[0]!, out);
      const rhs = this.term(args[1]!, out);
      this.pushCall(out, { kind: "eq" }, [lhs, rhs], loc);
      return;
    }
    if (dottedName(operator) === "print") {
      this.printStatement(args, loc, out);
      return;
    }
    const lowered = args.map((a) => this.term(a, out));
    const target = this.resolveTarget(operator, args.length, false, loc);
    if (target) this.pushCall(out, target, lowered, loc);
  }

  /**
   * `print(a, b)` as OPA compiles it: `internal.print([{v | v = a}, {w | w = b}])`, each argument
   * the set of its values, so an undefined one is an empty set and the statement still holds.
   */
  private printStatement(args: Term[], loc: Location, out: Expr[]): void {
    const operands: Term[] = args.map((arg) => {
      const value = varTerm(this.env.fresh(), arg.loc);
      this.env.temps.add(value.name); // the argument's own unsafe vars are what gets reported
      const bind: S.CallExpr = {
        type: "call",
        loc: arg.loc,
        negated: false,
        with: [],
        operator: refTerm([varTerm("eq", arg.loc)], arg.loc),
        args: [value, arg],
      };
      return { type: "setcomprehension", loc: arg.loc, term: value, body: [bind] };
    });
    const array = this.term({ type: "array", loc, items: operands }, out);
    this.pushCall(out, { kind: "builtin", name: "internal.print" }, [array], loc);
  }

  private pushCall(out: Expr[], target: Target, args: Term[], loc: Location): void {
    out.push({ type: "call", loc, target, args });
  }

  private someIn(e: S.SomeInExpr, out: Expr[]): void {
    const key = e.key ?? this.temp(e.loc);
    const c = e.collection;
    const ref: RefTerm =
      c.type === "ref"
        ? { ...c, terms: [...c.terms, key] }
        : { type: "ref", loc: c.loc, terms: [c, key] };
    this.pushCall(out, { kind: "eq" }, [this.term(e.value, out), this.term(ref, out)], e.loc);
  }

  private every(e: S.EveryExpr, out: Expr[]): void {
    const domain = e.domain.type === "var" ? e.domain : this.bindTemp(e.domain, out);
    out.push({
      type: "every",
      loc: e.loc,
      value: e.value,
      domain,
      body: this.body(e.body),
      ...(e.key ? { key: e.key } : {}),
    });
  }

  /** A term without calls; nested calls, refs and composites in ref positions are lifted into `out`. */
  term(t: Term, out: Expr[]): Term {
    switch (t.type) {
      case "call": {
        const args = t.args.map((a) => this.term(a, out));
        const target = this.resolveTarget(t.operator, t.args.length, true, t.loc);
        const result = this.temp(t.loc);
        if (target) this.pushCall(out, target, [...args, result], t.loc);
        return result;
      }
      case "ref":
        return this.ref(t, out);
      case "array":
        return { ...t, items: t.items.map((i) => this.term(i, out)) };
      case "set":
        return { ...t, items: t.items.map((i) => this.term(i, out)) };
      case "object":
        return {
          ...t,
          items: t.items.map(([k, v]) => [this.term(k, out), this.term(v, out)] as [Term, Term]),
        };
      case "arraycomprehension":
      case "setcomprehension": {
        const body = this.comprehensionBody(t.body);
        return { ...t, term: this.headTerm(t.term, body), body: body as unknown as S.Expr[] };
      }
      case "objectcomprehension": {
        const body = this.comprehensionBody(t.body);
        const key = this.headTerm(t.key, body);
        const value = this.headTerm(t.value, body);
        return { ...t, key, value, body: body as unknown as S.Expr[] };
      }
      default:
        return t;
    }
  }

  private comprehensionBody(exprs: S.Expr[]): Expr[] {
    const saved = this.collectors;
    this.collectors = []; // temporaries inside a comprehension belong to it, not to an outer `not`
    const body = this.body(exprs);
    this.collectors = saved;
    return body;
  }

  /** Rule and comprehension heads hold only vars and constants: anything else is bound in `body`. */
  headTerm(t: Term, body: Expr[]): Term {
    if (!needsEvaluation(t)) return t;
    const saved = this.collectors;
    this.collectors = [];
    const v = this.bindTemp(t, body);
    this.collectors = saved;
    return v;
  }

  private ref(t: RefTerm, out: Expr[]): Term {
    const [head, ...rest] = t.terms;
    let newHead: Term = head!;
    if (head!.type !== "var") {
      const lowered = this.term(head!, out);
      newHead = lowered.type === "var" ? lowered : this.bindLowered(lowered, out);
    }
    const operands = rest.map((op) => {
      if (isScalar(op) || op.type === "var") return op;
      const lowered = this.term(op, out);
      return lowered.type === "var" || isScalar(lowered) ? lowered : this.bindLowered(lowered, out);
    });
    return { ...t, terms: [newHead, ...operands] };
  }

  private bindLowered(lowered: Term, out: Expr[]): VarTerm {
    const v = this.temp(lowered.loc);
    this.pushCall(out, { kind: "eq" }, [v, lowered], lowered.loc);
    return v;
  }

  private resolveTarget(
    operator: RefTerm,
    argc: number,
    inTerm: boolean,
    loc: Location,
  ): Target | undefined {
    const head = operator.terms[0];
    if (head?.type === "var" && head.name === "data") {
      const path = stringPath(operator);
      const group = path && this.env.groups.get(pathKey(path));
      if (!path || !group || group.kind !== "function") {
        this.env.issues.add("rego_type_error", loc, `undefined function ${termText(operator)}`);
        return undefined;
      }
      if (!arityFits(group.arity, argc, inTerm)) {
        const noun = argc === 1 ? "argument" : "arguments";
        this.env.issues.add(
          "rego_type_error",
          loc,
          `function ${pathText(path)} has arity ${group.arity}, got ${argc} ${noun}`,
        );
        return undefined;
      }
      return { kind: "function", path: ["data", ...path] };
    }
    const name = dottedName(operator);
    const spec = name ? lookupBuiltin(name) : undefined;
    if (!name || !spec) {
      this.env.issues.add("rego_type_error", loc, `undefined function ${termText(operator)}`);
      return undefined;
    }
    if (!arityFits(spec.arity, argc, inTerm)) {
      this.env.issues.add(
        "rego_type_error",
        loc,
        `${name}: arity mismatch (have ${argc} argument${argc === 1 ? "" : "s"}, want ${spec.arity}${inTerm ? "" : ` or ${spec.arity + 1} with an output`})`,
      );
      return undefined;
    }
    return { kind: "builtin", name };
  }

  private withModifier(w: S.With, before: Expr[]): WithModifier | undefined {
    const target = this.withTarget(w);
    if (!target) return undefined;
    if (target.kind === "builtin" || target.kind === "function") {
      const fn = this.functionValue(w.value);
      if (fn) return { loc: w.loc, target, value: w.value, valueFunction: fn };
    }
    const value = needsEvaluation(w.value)
      ? this.bindTemp(w.value, before)
      : this.term(w.value, before);
    return { loc: w.loc, target, value };
  }

  private withTarget(w: S.With): WithModifier["target"] | undefined {
    const ref = w.target;
    const head = ref.terms[0];
    const path = stringPath(ref);
    if (head?.type === "var" && head.name === "input" && path) return { kind: "input", path };
    if (head?.type === "var" && head.name === "data" && path) {
      const exact = this.env.groups.get(pathKey(path));
      if (exact?.kind === "function") return { kind: "function", path: ["data", ...path] };
      for (let i = 1; i < path.length; i++) {
        const prefix = this.env.groups.get(pathKey(path.slice(0, i)));
        if (prefix) {
          this.env.issues.add(
            "rego_compile_error",
            ref.loc,
            "with keyword cannot partially replace virtual document(s)",
          );
          return undefined;
        }
      }
      return { kind: "data", path };
    }
    const name = dottedName(ref);
    const spec = name ? lookupBuiltin(name) : undefined;
    if (name && spec) {
      if (name.startsWith("internal.")) {
        this.env.issues.add(
          "rego_compile_error",
          ref.loc,
          `with keyword replacing built-in function: replacement of internal function "${name}" invalid`,
        );
        return undefined;
      }
      if (spec.relation) {
        this.env.issues.add(
          "rego_compile_error",
          ref.loc,
          "with keyword replacing built-in function: target must not be a relation",
        );
        return undefined;
      }
      return { kind: "builtin", name };
    }
    this.env.issues.add(
      "rego_type_error",
      ref.loc,
      "with keyword target must reference existing input, data, or a function",
    );
    return undefined;
  }

  private functionValue(value: Term): WithModifier["valueFunction"] | undefined {
    if (value.type !== "ref") return undefined;
    const head = value.terms[0];
    if (head?.type === "var" && head.name === "data") {
      const path = stringPath(value);
      const group = path && this.env.groups.get(pathKey(path));
      return path && group?.kind === "function"
        ? { kind: "function", path: ["data", ...path] }
        : undefined;
    }
    const name = dottedName(value);
    return name && lookupBuiltin(name) ? { kind: "builtin", name } : undefined;
  }
}

function isUnification(op: RefTerm): boolean {
  const name = dottedName(op);
  return name === "eq" || name === "assign";
}

function arityFits(arity: number, argc: number, inTerm: boolean): boolean {
  return inTerm ? argc === arity : argc === arity || argc === arity + 1;
}
