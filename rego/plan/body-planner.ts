// Lowers rule bodies, expressions and terms to IR statements, in continuation-passing style:
// each planning step emits its statements and then plans "the rest" (the continuation) at the
// point where its results are available, e.g. inside a ScanStmt's block for iteration. The set of
// bound vars is tracked along the way (a var is bound only while its continuation is planned).
import { lookupBuiltin } from "../builtins/registry.ts";
import type { CallExpr, EveryExpr, Expr, WithExpr, WithModifier } from "../compile/types.ts";
import type { Location, RefTerm, Term, VarTerm } from "../syntax/ast.ts";
import { builtinMockKey, functionMockKey, type Mock, type PlanContext } from "./context.ts";
import { groundCompositeText } from "./const-terms.ts";
import { planDataRef } from "./data-refs.ts";
import type { Block, Local, Operand, Stmt } from "./ir.ts";
import { findNode, overlapsRules } from "./rule-tree.ts";
import { PlanError, type PlanShared } from "./shared.ts";

export type Cont = () => void;
export type ValueCont = (value: Operand) => void;

export const INPUT: Local = 0;
export const DATA: Local = 1;
export const FALSE: Operand = { type: "bool", value: false };
export const TRUE: Operand = { type: "bool", value: true };
export const local = (value: Local): Operand => ({ type: "local", value });

/** Name of the synthetic var standing for an already planned local (never a user name). */
const localVarName = (l: Local): string => `\u0000${l}`;

export function stripRoot(path: string[], root: string): string[] {
  return path[0] === root ? path.slice(1) : path;
}

export class BodyPlanner {
  private stmts: Stmt[] = [];
  private nextLocal: number;
  private locals = new Map<string, Local>();
  private bound = new Set<string>();
  private loc: Location | undefined;

  constructor(
    readonly shared: PlanShared,
    public ctx: PlanContext,
    /** locals holding the value mocks of `ctx` (params in Funcs) */
    public slotLocals: Local[],
    firstFreeLocal: number,
  ) {
    this.nextLocal = firstFreeLocal;
  }

  // ---- statements, blocks, locals

  newLocal(): Local {
    return this.nextLocal++;
  }

  setLocation(loc: Location | undefined): void {
    this.loc = loc;
  }

  emit(stmt: Stmt): void {
    this.stmts.push(this.loc ? { ...stmt, ...this.shared.statics.position(this.loc) } : stmt);
  }

  /** In coverage builds: the current location's line counts as evaluated from here on. */
  cover(): void {
    if (this.shared.coverage && this.loc) this.emit({ type: "CoverStmt" });
  }

  block(fill: Cont): Block {
    const outer = this.stmts;
    this.stmts = [];
    try {
      fill();
      return { stmts: this.stmts };
    } finally {
      this.stmts = outer;
    }
  }

  /** A BlockStmt of alternatives: each block's failure only ends that block. */
  emitBlocks(...fills: Cont[]): void {
    this.emit({ type: "BlockStmt", blocks: fills.map((fill) => this.block(fill)) });
  }

  emitFail(): void {
    this.emit({ type: "EqualStmt", a: TRUE, b: FALSE });
  }

  str(value: string): Operand {
    return { type: "string_index", value: this.shared.statics.stringIndex(value) };
  }

  toLocal(op: Operand): Local {
    if (op.type === "local") return op.value;
    const l = this.newLocal();
    this.emit({ type: "AssignVarStmt", target: l, source: op });
    return l;
  }

  number(text: string): Local {
    const target = this.newLocal();
    const n = Number(text);
    if (/^-?\d+$/.test(text) && Number.isSafeInteger(n)) {
      this.emit({ type: "MakeNumberIntStmt", target, value: n });
    } else {
      this.emit({
        type: "MakeNumberRefStmt",
        target,
        index: this.shared.statics.stringIndex(text),
      });
    }
    return target;
  }

  intLocal(value: number): Local {
    return this.number(String(value));
  }

  // ---- vars

  /** Forget every var (a new rule body: names are only unique within one rule). */
  resetScope(): void {
    this.locals.clear();
    this.bound.clear();
  }

  localOfVar(name: string): Local {
    let l = this.locals.get(name);
    if (l === undefined) {
      l = this.newLocal();
      this.locals.set(name, l);
    }
    return l;
  }

  isBound(name: string): boolean {
    return name === "input" || name === "data" || this.bound.has(name);
  }

  isUnboundVar(t: Term): t is VarTerm {
    return t.type === "var" && !this.isBound(t.name);
  }

  /** Plan `k` with `name` bound (its local already holds the value). */
  withBound(name: string, k: Cont): void {
    if (this.bound.has(name)) return k();
    this.bound.add(name);
    try {
      k();
    } finally {
      this.bound.delete(name);
    }
  }

  bindVar(name: string, value: Operand, k: Cont): void {
    const target = this.localOfVar(name);
    if (value.type !== "local" || value.value !== target)
      this.emit({ type: "AssignVarStmt", target, source: value });
    this.withBound(name, k);
  }

  /** A var term standing for a planned local, for unifying patterns against it. */
  localTerm(l: Local, loc: Location): VarTerm {
    const name = localVarName(l);
    this.locals.set(name, l);
    this.bound.add(name);
    return { type: "var", name, loc };
  }

  // ---- bodies and expressions

  planBody(exprs: Expr[], k: Cont, from = 0): void {
    if (from === exprs.length) return k();
    this.planExpr(exprs[from]!, () => this.planBody(exprs, k, from + 1));
  }

  private planExpr(e: Expr, k: Cont): void {
    const outer = this.loc;
    this.loc = e.loc;
    this.cover();
    const next = (): void => {
      const inner = this.loc;
      this.loc = outer;
      k();
      this.loc = inner;
    };
    switch (e.type) {
      case "term":
        return this.planTerm(e.term, (v) => {
          this.emit({ type: "NotEqualStmt", a: v, b: FALSE });
          next();
        });
      case "call":
        return this.planCall(e, next);
      case "not":
        this.emit({ type: "NotStmt", block: this.block(() => this.planBody(e.body, () => {})) });
        return next();
      case "with":
        return this.planWith(e, next);
      case "every":
        return this.planEvery(e, next);
    }
  }

  private planCall(e: CallExpr, k: Cont): void {
    const target = e.target;
    if (target.kind === "eq") return this.unify(e.args[0]!, e.args[1]!, k);
    let callee: Mock;
    let arity: number;
    let mock: Mock | undefined;
    if (target.kind === "builtin") {
      callee = { kind: "builtin", name: target.name };
      arity = lookupBuiltin(target.name)?.arity ?? e.args.length;
      mock = this.ctx.mocks.get(builtinMockKey(target.name));
    } else {
      const path = stripRoot(target.path, "data");
      const group = findNode(this.shared.tree, path)?.group;
      if (!group || group.kind !== "function")
        throw new PlanError(`${path.join(".")} is not a function`);
      callee = { kind: "function", path };
      arity = group.arity;
      mock = this.ctx.mocks.get(functionMockKey(path));
    }
    const output = e.args[arity];
    this.planTerms(e.args.slice(0, arity), (args) =>
      this.callResolved(mock ?? callee, mock !== undefined, args, (result, relation) => {
        const finish = (value: Local): void => {
          if (output) return this.unify(output, this.localTerm(value, e.loc), k);
          this.emit({ type: "NotEqualStmt", a: local(value), b: FALSE });
          k();
        };
        if (!relation) return finish(result);
        const key = this.newLocal();
        const value = this.newLocal();
        this.emit({
          type: "ScanStmt",
          source: result,
          key,
          value,
          block: this.block(() => finish(value)),
        });
      }),
    );
  }

  /** Call a builtin, a user function or a mocked value; `k` gets the (defined) result. */
  private callResolved(
    callee: Mock,
    isReplacement: boolean,
    args: Operand[],
    k: (result: Local, relation: boolean) => void,
  ): void {
    if (callee.kind === "value") return k(this.slotLocals[callee.slot]!, false);
    const result = this.newLocal();
    if (callee.kind === "builtin") {
      const spec = lookupBuiltin(callee.name);
      this.shared.statics.useBuiltin(callee.name, spec?.arity ?? args.length);
      this.emit({ type: "CallStmt", func: callee.name, args, result });
      return k(result, spec?.relation === true);
    }
    const group = findNode(this.shared.tree, callee.path)?.group;
    if (!group) throw new PlanError(`undefined function ${callee.path.join(".")}`);
    const ctx = isReplacement ? this.shared.contexts.withoutMocks(this.ctx) : this.ctx;
    const slots = isReplacement ? [] : this.slotLocals;
    const func = this.shared.funcs.ensure(group, ctx);
    this.emit({
      type: "CallStmt",
      func,
      args: [local(INPUT), local(DATA), ...args, ...slots.map(local)],
      result,
    });
    k(result, false);
  }

  /** Call the Func of a rule group (no args) in the current context. */
  callRule(func: string, result: Local): void {
    this.emit({
      type: "CallStmt",
      func,
      args: [local(INPUT), local(DATA), ...this.slotLocals.map(local)],
      result,
    });
  }

  private planWith(e: WithExpr, k: Cont): void {
    const values: (Operand | undefined)[] = new Array(e.withs.length).fill(undefined);
    const planValues = (i: number): void => {
      if (i === e.withs.length) return this.planWithBody(e, values, k);
      const m = e.withs[i]!;
      if (m.valueFunction) return planValues(i + 1);
      this.planTerm(m.value, (v) => {
        values[i] = v;
        planValues(i + 1);
      });
    };
    planValues(0);
  }

  private planWithBody(e: WithExpr, values: (Operand | undefined)[], k: Cont): void {
    const outerCtx = this.ctx;
    const outerSlots = this.slotLocals;
    const mocks: [string, Mock][] = [];
    const overrides: string[][] = [];
    const newSlots: Local[] = [];
    const withs: { local: Local; path: number[]; value: Operand }[] = [];
    e.withs.forEach((m: WithModifier, i) => {
      const target = m.target;
      const value = values[i];
      if (target.kind === "input" || target.kind === "data") {
        const path = target.path; // without the root: `with input.x` => ["x"]
        const doc = target.kind === "input" ? INPUT : DATA;
        withs.push({
          local: doc,
          path: path.map((s) => this.shared.statics.stringIndex(s)),
          value: value!,
        });
        if (target.kind === "data" && overlapsRules(this.shared.tree, path)) overrides.push(path);
        return;
      }
      const key =
        target.kind === "builtin"
          ? builtinMockKey(target.name)
          : functionMockKey(stripRoot(target.path, "data"));
      let mock: Mock;
      if (m.valueFunction?.kind === "builtin")
        mock = { kind: "builtin", name: m.valueFunction.name };
      else if (m.valueFunction)
        mock = { kind: "function", path: stripRoot(m.valueFunction.path, "data") };
      else {
        mock = { kind: "value", slot: outerSlots.length + newSlots.length };
        newSlots.push(this.toLocal(value!));
      }
      mocks.push([key, mock]);
    });
    const innerCtx = this.shared.contexts.derive(
      outerCtx,
      mocks,
      overrides,
      outerSlots.length + newSlots.length,
    );
    const innerSlots = [...outerSlots, ...newSlots];
    // Save the documents replaced, to restore them for the rest of the body (planned inside).
    const saved = [...new Set(withs.map((w) => w.local))].map((doc) => {
      const copy = this.newLocal();
      this.emit({ type: "AssignVarStmt", target: copy, source: local(doc) });
      return { doc, copy };
    });
    const enter = (ctx: PlanContext, slots: Local[]): void => {
      this.ctx = ctx;
      this.slotLocals = slots;
    };
    const restoreThen = (i: number): void => {
      if (i === saved.length) return k();
      const { doc, copy } = saved[i]!;
      this.emit({
        type: "WithStmt",
        local: doc,
        path: [],
        value: local(copy),
        block: this.block(() => restoreThen(i + 1)),
      });
    };
    const nest = (i: number): void => {
      if (i === withs.length) {
        return this.planBody(e.body, () => {
          enter(outerCtx, outerSlots);
          restoreThen(0);
          enter(innerCtx, innerSlots);
        });
      }
      const w = withs[i]!;
      this.emit({
        type: "WithStmt",
        local: w.local,
        path: w.path,
        value: w.value,
        block: this.block(() => nest(i + 1)),
      });
    };
    enter(innerCtx, innerSlots);
    try {
      nest(0);
    } finally {
      enter(outerCtx, outerSlots);
    }
  }

  private planEvery(e: EveryExpr, k: Cont): void {
    this.planTerm(e.domain, (domain) => {
      const source = this.toLocal(domain);
      this.requireCollection(source);
      const anyFailed = this.newLocal();
      const passed = this.newLocal();
      const key = this.newLocal();
      const value = this.newLocal();
      this.emit({ type: "ResetLocalStmt", target: anyFailed });
      const body = this.block(() => {
        this.emit({ type: "ResetLocalStmt", target: passed });
        this.emitBlocks(() => {
          const bindValue = (): void =>
            this.unify(e.value, this.localTerm(value, e.loc), () =>
              this.planBody(e.body, () =>
                this.emit({ type: "AssignVarStmt", target: passed, source: TRUE }),
              ),
            );
          if (e.key) this.unify(e.key, this.localTerm(key, e.loc), bindValue);
          else bindValue();
        });
        this.emit({ type: "IsUndefinedStmt", source: passed });
        this.emit({ type: "AssignVarStmt", target: anyFailed, source: TRUE });
      });
      this.emit({ type: "ScanStmt", source, key, value, block: body });
      this.emit({ type: "IsUndefinedStmt", source: anyFailed });
      k();
    });
  }

  /** Undefined unless `source` is an array, object or set (`every` over anything else is undefined). */
  private requireCollection(source: Local): void {
    const ok = this.newLocal();
    this.emit({ type: "ResetLocalStmt", target: ok });
    const typeChecks = ["IsArrayStmt", "IsObjectStmt", "IsSetStmt"] as const;
    this.emitBlocks(
      ...typeChecks.map((type) => () => {
        this.emit({ type, source: local(source) });
        this.emit({ type: "AssignVarStmt", target: ok, source: TRUE });
      }),
    );
    this.emit({ type: "IsDefinedStmt", source: ok });
  }

  // ---- terms

  planTerms(terms: Term[], k: (values: Operand[]) => void): void {
    const values: Operand[] = [];
    const step = (i: number): void => {
      if (i === terms.length) return k([...values]);
      this.planTerm(terms[i]!, (v) => {
        values.push(v);
        step(i + 1);
        values.pop();
      });
    };
    step(0);
  }

  planTerm(t: Term, k: ValueCont): void {
    const constText = groundCompositeText(t);
    if (constText !== undefined) {
      const target = this.newLocal();
      this.emit({
        type: "MakeConstStmt",
        target,
        index: this.shared.statics.constIndex(constText),
      });
      return k(local(target));
    }
    switch (t.type) {
      case "null": {
        const target = this.newLocal();
        this.emit({ type: "MakeNullStmt", target });
        return k(local(target));
      }
      case "boolean":
        return k({ type: "bool", value: t.value });
      case "number":
        return k(local(this.number(t.value)));
      case "string":
        return k(this.str(t.value));
      case "var":
        if (t.name === "input") {
          this.emit({ type: "IsDefinedStmt", source: INPUT });
          return k(local(INPUT));
        }
        if (t.name === "data") return planDataRef(this, [], k);
        if (!this.bound.has(t.name))
          throw new PlanError(`var ${t.name} is unsafe at ${t.loc.file}:${t.loc.row}:${t.loc.col}`);
        return k(local(this.localOfVar(t.name)));
      case "ref":
        return this.planRef(t, k);
      case "array":
        return this.planTerms(t.items, (items) => {
          const target = this.newLocal();
          this.emit({ type: "MakeArrayStmt", target, capacity: items.length });
          for (const value of items) this.emit({ type: "ArrayAppendStmt", array: target, value });
          k(local(target));
        });
      case "set":
        return this.planTerms(t.items, (items) => {
          const target = this.newLocal();
          this.emit({ type: "MakeSetStmt", target });
          for (const value of items) this.emit({ type: "SetAddStmt", set: target, value });
          k(local(target));
        });
      case "object":
        return this.planTerms(t.items.flat(), (flat) => {
          const target = this.newLocal();
          this.emit({ type: "MakeObjectStmt", target });
          for (let i = 0; i < flat.length; i += 2) {
            this.emit({
              type: "ObjectInsertStmt",
              object: target,
              key: flat[i]!,
              value: flat[i + 1]!,
            });
          }
          k(local(target));
        });
      case "arraycomprehension": {
        const target = this.newLocal();
        this.emit({ type: "MakeArrayStmt", target, capacity: 0 });
        this.emitBlocks(() =>
          this.planBody(compiledBody(t.body), () =>
            this.planTerm(t.term, (value) =>
              this.emit({ type: "ArrayAppendStmt", array: target, value }),
            ),
          ),
        );
        return k(local(target));
      }
      case "setcomprehension": {
        const target = this.newLocal();
        this.emit({ type: "MakeSetStmt", target });
        this.emitBlocks(() =>
          this.planBody(compiledBody(t.body), () =>
            this.planTerm(t.term, (value) => this.emit({ type: "SetAddStmt", set: target, value })),
          ),
        );
        return k(local(target));
      }
      case "objectcomprehension": {
        const target = this.newLocal();
        this.emit({ type: "MakeObjectStmt", target });
        this.emitBlocks(() =>
          this.planBody(compiledBody(t.body), () =>
            this.planTerms([t.key, t.value], ([key, value]) =>
              this.emit({ type: "ObjectInsertOnceStmt", object: target, key: key!, value: value! }),
            ),
          ),
        );
        return k(local(target));
      }
      case "call":
        throw new PlanError(
          `call terms must be lifted by the compiler (${t.loc.file}:${t.loc.row}:${t.loc.col})`,
        );
    }
  }

  private planRef(ref: RefTerm, k: ValueCont): void {
    const head = ref.terms[0]!;
    const ops = ref.terms.slice(1);
    if (head.type === "var" && head.name === "data") return planDataRef(this, ops, k);
    this.planTerm(head, (value) => this.planRefOps(this.toLocal(value), ops, k));
  }

  /**
   * Dot into `source` per ground operand; scan it per unbound var operand (binding the var).
   * `inBaseData`: a number literal also finds the object key of its text, as data paths do
   * (`data.x[2]` reads {"2": ...}).
   */
  planRefOps(source: Local, ops: Term[], k: ValueCont, from = 0, inBaseData = false): void {
    if (from === ops.length) return k(local(source));
    const op = ops[from]!;
    const target = this.newLocal();
    if (this.isUnboundVar(op)) {
      const key = this.localOfVar(op.name);
      const block = this.block(() =>
        this.withBound(op.name, () => this.planRefOps(target, ops, k, from + 1, inBaseData)),
      );
      this.emit({ type: "ScanStmt", source, key, value: target, block });
      return;
    }
    if (inBaseData && op.type === "number") {
      const text = op.value;
      this.emit({ type: "ResetLocalStmt", target });
      this.emitBlocks(
        () =>
          this.emit({
            type: "DotStmt",
            source: local(source),
            key: local(this.number(text)),
            target,
          }),
        () => {
          this.emit({ type: "IsUndefinedStmt", source: target });
          this.emit({ type: "DotStmt", source: local(source), key: this.str(text), target });
        },
      );
      this.emit({ type: "IsDefinedStmt", source: target });
      return this.planRefOps(target, ops, k, from + 1, inBaseData);
    }
    this.planTerm(op, (key) => {
      this.emit({ type: "DotStmt", source: local(source), key, target });
      this.planRefOps(target, ops, k, from + 1, inBaseData);
    });
  }

  // ---- unification

  /** Whether `t` is an array/object pattern that binds vars (must be destructured). */
  private isPattern(t: Term): boolean {
    if (t.type === "array") return t.items.some((x) => this.isUnboundVar(x) || this.isPattern(x));
    if (t.type === "object")
      return t.items.some(([, v]) => this.isUnboundVar(v) || this.isPattern(v));
    return false;
  }

  unify(a: Term, b: Term, k: Cont): void {
    if (this.isUnboundVar(a)) {
      if (this.isUnboundVar(b))
        throw new PlanError(`cannot unify two unbound vars ${a.name} and ${b.name}`);
      return this.planTerm(b, (v) => this.bindVar(a.name, v, k));
    }
    if (this.isUnboundVar(b)) return this.unify(b, a, k);
    if (a.type === "array" && b.type === "array" && (this.isPattern(a) || this.isPattern(b))) {
      if (a.items.length !== b.items.length) return this.emitFail();
      return this.unifyPairs(
        a.items.map((x, i) => [x, b.items[i]!]),
        k,
      );
    }
    if (a.type === "object" && b.type === "object" && (this.isPattern(a) || this.isPattern(b))) {
      const bByKey = new Map(b.items.map(([key, v]) => [scalarKey(key), v]));
      if (
        a.items.length !== b.items.length ||
        a.items.some(([key]) => !bByKey.has(scalarKey(key)))
      ) {
        return this.emitFail();
      }
      return this.unifyPairs(
        a.items.map(([key, v]) => [v, bByKey.get(scalarKey(key))!]),
        k,
      );
    }
    if (this.isPattern(a)) return this.destructure(a, b, k);
    if (this.isPattern(b)) return this.destructure(b, a, k);
    this.planTerm(a, (va) =>
      this.planTerm(b, (vb) => {
        this.emit({ type: "EqualStmt", a: va, b: vb });
        k();
      }),
    );
  }

  private unifyPairs(pairs: [Term, Term][], k: Cont, from = 0): void {
    if (from === pairs.length) return k();
    const [a, b] = pairs[from]!;
    this.unify(a, b, () => this.unifyPairs(pairs, k, from + 1));
  }

  /** Match an array/object pattern against the value of `other`. */
  private destructure(pattern: Term, other: Term, k: Cont): void {
    this.planTerm(other, (v) => {
      const source = this.toLocal(v);
      const items: [Term, Term][] =
        pattern.type === "array"
          ? pattern.items.map((x, i) => [{ type: "number", value: String(i), loc: x.loc }, x])
          : pattern.type === "object"
            ? pattern.items
            : [];
      this.emit(
        pattern.type === "array"
          ? { type: "IsArrayStmt", source: local(source) }
          : { type: "IsObjectStmt", source: local(source) },
      );
      const length = this.newLocal();
      this.emit({ type: "LenStmt", source: local(source), target: length });
      this.emit({ type: "EqualStmt", a: local(length), b: local(this.intLocal(items.length)) });
      const step = (i: number): void => {
        if (i === items.length) return k();
        const [keyTerm, valueTerm] = items[i]!;
        this.planTerm(keyTerm, (key) => {
          const target = this.newLocal();
          this.emit({ type: "DotStmt", source: local(source), key, target });
          this.unify(valueTerm, this.localTerm(target, valueTerm.loc), () => step(i + 1));
        });
      };
      step(0);
    });
  }
}

/** Comprehension bodies inside compiled terms hold the compiler's expressions (types.ts), not the parser's. */
function compiledBody(body: unknown): Expr[] {
  return body as Expr[];
}

function scalarKey(t: Term): string {
  switch (t.type) {
    case "string":
    case "number":
      return `${t.type}:${t.value}`;
    case "boolean":
      return `boolean:${t.value}`;
    case "null":
      return "null";
    default:
      throw new PlanError(
        `object pattern keys must be scalars (${t.loc.file}:${t.loc.row}:${t.loc.col})`,
      );
  }
}
