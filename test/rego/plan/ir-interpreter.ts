// Test oracle: a small interpreter of the planner's IR (rego/plan/ir.ts) over JS values, with only
// the builtins the planner tests need. Not part of the toolchain.
import type { Block, Func, Local, Operand, Policy, Stmt } from "../../../rego/plan/ir.ts";
import {
  RObject,
  RSet,
  compare,
  equal,
  fromJSON,
  iterate,
  length,
  parseRegoValue,
  toJSON,
  type Value,
} from "./ir-values.ts";

/** A Rego runtime error; `message` reads `<code>: <text>`, `where` is `file:row:col` when known. */
export class IRRuntimeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly where?: string,
  ) {
    super(`${code}: ${message}`);
  }
}

type Builtin = (...args: Value[]) => Value | undefined;

const num = (v: Value): number => {
  if (typeof v !== "number")
    throw new IRRuntimeError("eval_type_error", "operand must be a number");
  return v;
};

const builtins: Record<string, Builtin> = {
  equal: (a, b) => equal(a, b),
  neq: (a, b) => !equal(a, b),
  lt: (a, b) => compare(a, b) < 0,
  lte: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  gte: (a, b) => compare(a, b) >= 0,
  plus: (a, b) => num(a) + num(b),
  minus: (a, b) => {
    if (a instanceof RSet && b instanceof RSet) {
      const out = new RSet();
      for (const x of a.sorted()) if (!b.has(x)) out.add(x);
      return out;
    }
    return num(a) - num(b);
  },
  mul: (a, b) => num(a) * num(b),
  div: (a, b) => (num(b) === 0 ? undefined : num(a) / num(b)),
  floor: (a) => Math.floor(num(a)),
  or: (a, b) => {
    const out = new RSet();
    for (const x of [...iterate(a), ...iterate(b)]) out.add(x[1]);
    return out;
  },
  split: (a, sep) => (a as string).split(sep as string),
  trim: (a, cut) => {
    const chars = [...(cut as string)];
    let out = a as string;
    while (out && chars.includes(out[0]!)) out = out.slice(1);
    while (out && chars.includes(out.at(-1)!)) out = out.slice(0, -1);
    return out;
  },
  startswith: (a, prefix) => (a as string).startsWith(prefix as string),
  format_int: (a, base) => Math.trunc(num(a)).toString(num(base)),
  "time.now_ns": () => 1_700_000_000_000_000_000,
  "opa.runtime": () => new RObject(),
  count: (a) => (typeof a === "string" ? [...a].length : length(a)),
  "internal.member_2": (x, xs) => iterate(xs).some(([, v]) => equal(v, x)),
  "internal.member_3": (k, x, xs) => iterate(xs).some(([key, v]) => equal(key, k) && equal(v, x)),
  "numbers.range": (a, b) => {
    const out: Value[] = [];
    for (
      let i = num(a);
      num(a) <= num(b) ? i <= num(b) : i >= num(b);
      i += num(a) <= num(b) ? 1 : -1
    )
      out.push(i);
    return out;
  },
  "object.union_n": (xs) => {
    if (!Array.isArray(xs)) return undefined;
    let out: Value = new RObject();
    for (const x of xs) out = merge(out, x, true) ?? out;
    return out;
  },
  "array.concat": (a, b) => (Array.isArray(a) && Array.isArray(b) ? [...a, ...b] : undefined),
  concat: (sep, xs) =>
    iterate(xs)
      .map(([, v]) => v as string)
      .join(sep as string),
  walk: (x) => {
    const out: Value[] = [];
    const visit = (path: Value[], v: Value): void => {
      out.push([path, v]);
      for (const [k, child] of iterate(v)) visit([...path, k], child);
    };
    visit([], x);
    return out;
  },
};

/** Builtin errors make the call undefined (OPA's default, non-strict mode). */
function callBuiltin(builtin: Builtin, args: Value[]): Value | undefined {
  try {
    return builtin(...args);
  } catch (e) {
    if (e instanceof IRRuntimeError && e.code === "eval_type_error") return undefined;
    throw e;
  }
}

/** Recursive merge of `b` onto `a` (objects only); undefined on a conflict of non-objects. */
function merge(a: Value, b: Value, overwrite = false): Value | undefined {
  if (a instanceof RObject && b instanceof RObject) {
    const out = new RObject();
    for (const [k, v] of a.sorted()) out.set(k, v);
    for (const [k, v] of b.sorted()) {
      const existing = out.get(k);
      if (existing === undefined) out.set(k, v);
      else {
        const m = merge(existing, v, overwrite);
        if (m === undefined) return undefined;
        out.set(k, m);
      }
    }
    return out;
  }
  return overwrite ? b : undefined;
}

function upsert(base: Value | undefined, path: string[], value: Value): Value {
  if (path.length === 0) return value;
  const out = new RObject();
  if (base instanceof RObject) for (const [k, v] of base.sorted()) out.set(k, v);
  out.set(path[0]!, upsert(out.get(path[0]!), path.slice(1), value));
  return out;
}

interface Frame {
  locals: Map<Local, Value>;
}

/** The result of running a block: completed, or left with `up` more enclosing blocks to leave. */
interface Flow {
  done: boolean;
  up: number;
}

export class IRInterpreter {
  private funcs: Map<string, Func>;
  private memo: Map<string, Value | undefined>[] = [new Map()];
  private results: Value[] = [];

  constructor(readonly policy: Policy) {
    this.funcs = new Map(policy.funcs.funcs.map((f) => [f.name, f]));
  }

  /** Evaluate a plan; returns its result set as JSON (a list of binding objects). */
  eval(plan: string | number, input?: unknown, data: unknown = {}): unknown[] {
    const p =
      typeof plan === "number"
        ? this.policy.plans.plans[plan]
        : this.policy.plans.plans.find((x) => x.name === plan);
    if (!p) throw new Error(`no plan ${plan}`);
    this.memo = [new Map()];
    this.results = [];
    const frame: Frame = { locals: new Map() };
    if (input !== undefined) frame.locals.set(0, fromJSON(input));
    frame.locals.set(1, fromJSON(data));
    for (const block of p.blocks) this.block(block, frame);
    return this.results.map(toJSON);
  }

  private str(index: number): string {
    const s = this.policy.static.strings[index];
    if (!s) throw new Error(`bad string index ${index}`);
    return s.value;
  }

  private operand(op: Operand, frame: Frame): Value | undefined {
    switch (op.type) {
      case "local":
        return frame.locals.get(op.value);
      case "bool":
        return op.value;
      case "string_index":
        return this.str(op.value);
    }
  }

  private block(block: Block, frame: Frame): Flow {
    for (const stmt of block.stmts) {
      const leave = this.stmt(stmt, frame);
      if (leave !== undefined) return { done: false, up: leave };
    }
    return { done: true, up: 0 };
  }

  /** Runs a nested block; returns what the enclosing statement must do (undefined = go on). */
  private nested(block: Block, frame: Frame): number | undefined {
    const flow = this.block(block, frame);
    return !flow.done && flow.up > 0 ? flow.up - 1 : undefined;
  }

  private call(func: Func, args: (Value | undefined)[]): Value | undefined {
    if (func.memoize) {
      const scope = this.memo[this.memo.length - 1]!;
      if (scope.has(func.name)) return scope.get(func.name);
    }
    const frame: Frame = { locals: new Map() };
    func.params.forEach((param, i) => {
      const arg = args[i];
      if (arg !== undefined) frame.locals.set(param, arg);
    });
    for (const block of func.blocks) this.block(block, frame);
    const result = frame.locals.get(func.return);
    if (func.memoize) this.memo[this.memo.length - 1]!.set(func.name, result);
    return result;
  }

  /** Runs one statement: undefined = continue; n = leave n + 1 enclosing blocks. */
  private stmt(s: Stmt, frame: Frame): number | undefined {
    const L = frame.locals;
    const val = (op: Operand): Value | undefined => this.operand(op, frame);
    const where =
      s.file !== undefined
        ? `${this.policy.static.files[s.file]?.value}:${s.row}:${s.col}`
        : undefined;
    const conflict = (message: string): never => {
      throw new IRRuntimeError("eval_conflict_error", message, where);
    };
    const UNDEFINED = 0;
    // Statements with a target write it even when undefined (as OPA's Wasm does), then stop.
    const assign = (target: Local, value: Value | undefined): number | undefined => {
      if (value === undefined) {
        L.delete(target);
        return UNDEFINED;
      }
      L.set(target, value);
      return undefined;
    };
    switch (s.type) {
      case "ArrayAppendStmt": {
        const v = val(s.value);
        if (v === undefined) return UNDEFINED;
        (L.get(s.array) as Value[]).push(v);
        return;
      }
      case "AssignIntStmt":
        L.set(s.target, s.value);
        return;
      case "AssignVarOnceStmt": {
        const v = val(s.source);
        if (v === undefined) return UNDEFINED;
        const current = L.get(s.target);
        if (current === undefined) L.set(s.target, v);
        else if (!equal(current, v))
          conflict(s.message ?? "complete rules must not produce multiple outputs");
        return;
      }
      case "AssignVarStmt": {
        const v = val(s.source);
        if (v === undefined) L.delete(s.target);
        else L.set(s.target, v);
        return;
      }
      case "BlockStmt":
        for (const block of s.blocks) {
          const leave = this.nested(block, frame);
          if (leave !== undefined) return leave;
        }
        return;
      case "BreakStmt":
        return s.index;
      case "CallStmt": {
        const args = s.args.map(val);
        const func = this.funcs.get(s.func);
        let result: Value | undefined;
        if (func) result = this.call(func, args);
        else {
          const builtin = builtins[s.func];
          if (!builtin) throw new Error(`builtin ${s.func} not in the test interpreter`);
          if (args.some((a) => a === undefined)) return assign(s.result, undefined);
          result = callBuiltin(builtin, args as Value[]);
        }
        return assign(s.result, result);
      }
      case "CallDynamicStmt":
        throw new Error("CallDynamicStmt is not used by the planner");
      case "DotStmt": {
        const source = val(s.source);
        const key = val(s.key);
        let out: Value | undefined;
        if (key !== undefined) {
          if (Array.isArray(source))
            out = typeof key === "number" && Number.isInteger(key) ? source[key] : undefined;
          else if (source instanceof RObject) out = source.get(key);
          else if (source instanceof RSet) out = source.has(key) ? key : undefined;
        }
        return assign(s.target, out);
      }
      case "EqualStmt":
      case "NotEqualStmt": {
        const a = val(s.a);
        const b = val(s.b);
        if (a === undefined || b === undefined) return UNDEFINED;
        return equal(a, b) === (s.type === "EqualStmt") ? undefined : UNDEFINED;
      }
      case "IsArrayStmt":
        return Array.isArray(val(s.source)) ? undefined : UNDEFINED;
      case "IsObjectStmt":
        return val(s.source) instanceof RObject ? undefined : UNDEFINED;
      case "IsSetStmt":
        return val(s.source) instanceof RSet ? undefined : UNDEFINED;
      case "IsDefinedStmt":
        return L.has(s.source) ? undefined : UNDEFINED;
      case "IsUndefinedStmt":
        return L.has(s.source) ? UNDEFINED : undefined;
      case "LenStmt": {
        const n = length(val(s.source) ?? null);
        if (n === undefined) return UNDEFINED;
        L.set(s.target, n);
        return;
      }
      case "MakeArrayStmt":
        L.set(s.target, []);
        return;
      case "MakeNullStmt":
        L.set(s.target, null);
        return;
      case "MakeNumberIntStmt":
        L.set(s.target, s.value);
        return;
      case "MakeNumberRefStmt":
        L.set(s.target, Number(this.str(s.index)));
        return;
      case "MakeConstStmt":
        L.set(s.target, parseRegoValue(this.policy.static.consts![s.index]!.value));
        return;
      case "MakeObjectStmt":
        L.set(s.target, new RObject());
        return;
      case "MakeSetStmt":
        L.set(s.target, new RSet());
        return;
      case "NopStmt":
        return;
      case "NotStmt": {
        const flow = this.block(s.block, frame);
        if (flow.done) return UNDEFINED;
        return flow.up > 0 ? flow.up - 1 : undefined;
      }
      case "ObjectInsertOnceStmt":
      case "ObjectInsertStmt": {
        const obj = L.get(s.object) as RObject;
        const key = val(s.key);
        const v = val(s.value);
        if (key === undefined || v === undefined) return UNDEFINED;
        const existing = obj.get(key);
        if (s.type === "ObjectInsertOnceStmt" && existing !== undefined && !equal(existing, v)) {
          conflict(s.message ?? "object keys must be unique");
        }
        obj.set(key, v);
        return;
      }
      case "ObjectMergeStmt": {
        return assign(s.target, merge(L.get(s.a) ?? null, L.get(s.b) ?? null));
      }
      case "ResetLocalStmt":
        L.delete(s.target);
        return;
      case "ResultSetAddStmt":
        this.results.push(L.get(s.value)!);
        return;
      case "ReturnLocalStmt":
        return;
      case "ScanStmt": {
        for (const [k, v] of iterate(L.get(s.source) ?? null)) {
          L.set(s.key, k);
          L.set(s.value, v);
          const leave = this.nested(s.block, frame);
          if (leave !== undefined) return leave;
        }
        return;
      }
      case "SetAddStmt": {
        const v = val(s.value);
        if (v === undefined) return UNDEFINED;
        (L.get(s.set) as RSet).add(v);
        return;
      }
      case "WithStmt": {
        const v = val(s.value);
        const saved = L.get(s.local);
        const replaced =
          v === undefined && s.path.length === 0
            ? undefined
            : upsert(
                saved,
                s.path.map((i) => this.str(i)),
                v ?? null,
              );
        if (replaced === undefined) L.delete(s.local);
        else L.set(s.local, replaced);
        this.memo.push(new Map());
        try {
          const flow = this.block(s.block, frame);
          if (flow.done) return;
          return flow.up > 0 ? flow.up - 1 : UNDEFINED;
        } finally {
          this.memo.pop();
          if (saved === undefined) L.delete(s.local);
          else L.set(s.local, saved);
        }
      }
      case "ErrorStmt":
        throw new IRRuntimeError(s.code, s.message, where);
    }
  }
}
