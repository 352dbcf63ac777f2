// Lowers the policy IR (rego/plan/ir.ts) to Wasm functions in the module being linked, which
// already holds the runtime (binary/module-builder.ts). Every IR local is an i32 Wasm local holding a value address (0 = undefined).
// An IR Block is a Wasm `block`; a statement that is undefined branches out of the innermost one.
import type { Block, Func, Local, Operand, Plan, Policy, Stmt } from "../plan/ir.ts";
import { lookupBuiltin } from "../builtins/registry.ts";
import { i32, none, type Expr } from "./binary/expressions.ts";
import type { ModuleBuilder } from "./binary/module-builder.ts";
import { setBuiltinLocation } from "./builtin-errors.ts";
import { builtinExportName, type RuntimeBinding } from "./runtime-binding.ts";
import type { StaticData } from "./static-data.ts";
import { installConsts, type PolicyConsts } from "./consts.ts";
import { layoutCoverage, type CoverageLayout, type CoverageTable } from "./coverage.ts";
import { HostValueText } from "./host-value-text.ts";
import { Metering, staticCost } from "./metering.ts";

const TYPE_ARRAY = 5;
const TYPE_OBJECT = 6;
const TYPE_SET = 7;
const MAX_HOST_ARGS = 4;
const DEFAULT_VAR_CONFLICT = "complete rules must not produce multiple outputs";
const DEFAULT_KEY_CONFLICT = "object keys must be unique";

export interface CodegenInput {
  module: ModuleBuilder;
  runtime: RuntimeBinding;
  data: StaticData;
  ir: Policy;
  /** host builtin name => id (its index in static.builtin_funcs) */
  hostBuiltinIds: ReadonlyMap<string, number>;
  /** charge the evaluation budget at function entries and loop iterations (metering.ts) */
  meter: boolean;
}

export interface CodegenOutput {
  /** body of gh_eval(entrypoint, input, data, resultSet) -> void */
  evalBody: Expr;
  memoSlots: number;
  /** present when the IR holds CoverStmts (a coverage build) */
  coverage?: CoverageTable;
}

type Callee =
  | { kind: "func"; name: string; arity: number }
  | { kind: "native"; name: string; arity: number; result: number }
  | { kind: "host"; id: number; arity: number; regoValues: boolean };

export function generatePolicyCode(input: CodegenInput): CodegenOutput {
  return new Codegen(input).run();
}

class Codegen {
  readonly m: ModuleBuilder;
  readonly stringAddrs: number[];
  readonly consts: PolicyConsts;
  readonly coverage: CoverageLayout | undefined;
  readonly metering: Metering | undefined;
  readonly hostValueText: HostValueText;
  readonly funcEntries = new Map<string, { name: string; arity: number }>();
  private memoSlots = 0;
  private abortName: string | undefined;

  constructor(readonly input: CodegenInput) {
    this.m = input.module;
    this.stringAddrs = input.ir.static.strings.map((s) => input.data.addStringValue(s.value));
    const { module, runtime, data, ir } = input;
    this.consts = installConsts(module, runtime, data, ir.static.consts ?? [], (message) =>
      this.abort(message),
    );
    this.coverage = layoutCoverage(ir, data);
    this.metering = input.meter ? new Metering(module, runtime) : undefined;
    this.hostValueText = new HostValueText(module, runtime, (message) => this.abort(message));
  }

  /** The budget charge of `cost` statements, or nothing in unmetered builds. */
  charge(cost: number): Expr[] {
    return this.metering ? [this.metering.charge(cost)] : [];
  }

  run(): CodegenOutput {
    const funcs = this.input.ir.funcs.funcs;
    funcs.forEach((f, i) => {
      if (this.funcEntries.has(f.name)) throw new Error(`duplicate IR function ${f.name}`);
      this.funcEntries.set(f.name, { name: `gh.func.${i}.${f.name}`, arity: f.params.length });
    });
    funcs.forEach((f) => this.emitFunc(f));
    const planNames = this.input.ir.plans.plans.map((p, i) => this.emitPlan(p, i));
    const output: CodegenOutput = {
      evalBody: this.evalBody(planNames),
      memoSlots: this.memoSlots,
    };
    if (this.coverage) {
      const { address, lines } = this.coverage;
      output.coverage = { address, lines };
    }
    return output;
  }

  /** `call opa_abort(msg); unreachable` with a NUL-terminated ASCII message. */
  abort(message: string): Expr {
    this.abortName ??= this.input.runtime.ensureImport("env", "opa_abort", [i32], none);
    const addr = this.input.data.addCString(message, true);
    return this.m.block(null, [
      this.m.call(this.abortName, [this.m.i32.const(addr)], none),
      this.m.unreachable(),
    ]);
  }

  /** `<file>:<row>:<col>: <code>: <message>`, without the location prefix when the IR has none. */
  runtimeError(stmt: Stmt, code: string, message: string): Expr {
    const files = this.input.ir.static.files;
    const located = stmt.file !== undefined && stmt.row !== undefined;
    const prefix = located
      ? `${files[stmt.file!]?.value ?? "<unknown>"}:${stmt.row}:${stmt.col ?? 0}: `
      : "";
    return this.abort(`${prefix}${code}: ${message}`);
  }

  /** Address of `<file>:<row>: ` for errors a builtin raises at `stmt`, 0 when unknown. */
  builtinLocation(stmt: Stmt): number {
    const file = stmt.file === undefined ? undefined : this.input.ir.static.files[stmt.file]?.value;
    if (file === undefined || stmt.row === undefined) return 0;
    return this.input.data.addCString(`${file}:${stmt.row}: `, true);
  }

  callee(name: string): Callee {
    const func = this.funcEntries.get(name);
    if (func) return { kind: "func", name: func.name, arity: func.arity };
    const spec = lookupBuiltin(name);
    if (spec?.placement === "native") {
      const fn = this.input.runtime.exported(builtinExportName(name));
      if (!fn) throw new Error(`the Wasm runtime does not implement the native builtin ${name}`);
      return { kind: "native", name: fn.name, arity: fn.params.length, result: fn.result };
    }
    const id = this.input.hostBuiltinIds.get(name);
    if (id !== undefined) {
      const arity = spec?.arity ?? this.input.ir.static.builtin_funcs[id]!.arity;
      if (arity > MAX_HOST_ARGS) throw new Error(`too many built-in call arguments: "${name}"`);
      return { kind: "host", id, arity, regoValues: spec?.regoValues ?? false };
    }
    throw new Error(
      `undefined function: "${name}" (neither an IR function nor a builtin in static.builtin_funcs)`,
    );
  }

  hostDispatcher(arity: number): string {
    const params = Array.from({ length: arity + 2 }, () => i32);
    return this.input.runtime.ensureImport("env", `opa_builtin${arity}`, params, i32);
  }

  private emitFunc(f: Func): void {
    const entry = this.funcEntries.get(f.name)!;
    const lowering = new FunctionLowering(this, f.params, 0, true);
    const body = this.m.block(
      null,
      [
        ...this.charge(1 + staticCost(f.blocks)),
        ...f.blocks.map((b) => lowering.block(b)),
        lowering.get(f.return),
      ],
      i32,
    );
    const params = f.params.map(() => i32);
    // The memo table is keyed by function only: rules (input, data) qualify, functions with
    // arguments never do.
    if (!f.memoize || f.params.length !== 2) {
      this.m.addFunction(entry.name, params, i32, lowering.vars(), body);
      return;
    }
    // Memoised rules: the entry consults the memo table of the current `with` scope first.
    const inner = `${entry.name}.uncached`;
    this.m.addFunction(inner, params, i32, lowering.vars(), body);
    const slot = this.memoSlots++;
    const args = f.params.map((_, i) => this.m.local.get(i, i32));
    const cached = f.params.length;
    const rt = this.input.runtime;
    const m = this.m;
    const wrapper = m.block(
      null,
      [
        m.local.set(cached, rt.call("rt_memo_get", [m.i32.const(slot)])),
        m.if(
          m.local.get(cached, i32),
          m.return(
            m.select(
              m.i32.eq(m.local.get(cached, i32), m.i32.const(1)),
              m.i32.const(0),
              m.local.get(cached, i32),
            ),
          ),
        ),
        m.local.set(cached, m.call(inner, args, i32)),
        rt.callForEffect("rt_memo_set", [m.i32.const(slot), m.local.get(cached, i32)]),
        m.local.get(cached, i32),
      ],
      i32,
    );
    this.m.addFunction(entry.name, params, i32, [i32], wrapper);
  }

  private emitPlan(p: Plan, index: number): string {
    const name = `gh.plan.${index}.${p.name}`;
    // Plan locals 0 and 1 are input and data; the result set is an extra parameter.
    const lowering = new FunctionLowering(this, [0, 1], 1, false);
    const body = this.m.block(null, [
      ...this.charge(1 + staticCost(p.blocks)),
      ...p.blocks.map((b) => lowering.block(b)),
    ]);
    const params = [i32, i32, i32];
    this.m.addFunction(name, params, none, lowering.vars(), body);
    return name;
  }

  private evalBody(planNames: string[]): Expr {
    const m = this.m;
    const arg = (i: number) => m.local.get(i, i32);
    const dispatch = planNames.map((name, i) =>
      m.if(
        m.i32.eq(arg(0), m.i32.const(i)),
        m.block(null, [m.call(name, [arg(1), arg(2), arg(3)], none), m.return()]),
      ),
    );
    return m.block(null, [
      setBuiltinLocation(m, 0),
      ...dispatch,
      this.abort("internal: illegal entrypoint id"),
    ]);
  }
}

/** A Wasm label an IR break can target, or a `with` scope whose effects must be undone on the way out. */
type Frame = { kind: "block"; label: string } | { kind: "with"; cleanup: () => Expr[] };

class FunctionLowering {
  private readonly m: ModuleBuilder;
  private readonly locals = new Map<Local, number>();
  private readonly frames: Frame[] = [];
  private nextIndex: number;
  private readonly firstVar: number;
  private labels = 0;
  /** Wasm index of the plan's result set parameter (plans only). */
  private readonly resultSet: number | undefined;

  constructor(
    private readonly g: Codegen,
    params: Local[],
    hiddenParams: number,
    private readonly returnsValue: boolean,
  ) {
    this.m = g.m;
    params.forEach((l, i) => this.locals.set(l, i));
    this.resultSet = hiddenParams > 0 ? params.length : undefined;
    this.nextIndex = params.length + hiddenParams;
    this.firstVar = this.nextIndex;
  }

  vars(): number[] {
    return Array.from({ length: this.nextIndex - this.firstVar }, () => i32);
  }

  get(l: Local): Expr {
    return this.m.local.get(this.index(l), i32);
  }

  set(l: Local, value: Expr): Expr {
    return this.m.local.set(this.index(l), value);
  }

  block(b: Block): Expr {
    return this.labelled((label) =>
      this.m.block(
        label,
        b.stmts.map((s) => this.stmt(s)),
      ),
    );
  }

  private index(l: Local): number {
    let i = this.locals.get(l);
    if (i === undefined) {
      i = this.temp();
      this.locals.set(l, i);
    }
    return i;
  }

  private temp(): number {
    return this.nextIndex++;
  }

  private labelled(build: (label: string) => Expr): Expr {
    const label = `b${this.labels++}`;
    this.frames.push({ kind: "block", label });
    try {
      return build(label);
    } finally {
      this.frames.pop();
    }
  }

  /** Leave `index + 1` IR blocks, undoing every `with` scope crossed. */
  private breakOut(index: number, condition?: Expr): Expr {
    const cleanup: Expr[] = [];
    let remaining = index;
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const frame = this.frames[i]!;
      if (frame.kind === "with") {
        cleanup.push(...frame.cleanup());
        continue;
      }
      if (remaining-- > 0) continue;
      if (cleanup.length === 0) return this.m.br(frame.label, condition);
      const leave = this.m.block(null, [...cleanup, this.m.br(frame.label)]);
      return condition === undefined ? leave : this.m.if(condition, leave);
    }
    throw new Error(`BreakStmt index ${index} leaves more blocks than enclose it`);
  }

  /** The statement is undefined when `cond` is non-zero. */
  private undefinedIf(cond: Expr): Expr {
    return this.breakOut(0, cond);
  }

  private undefinedIfZero(value: Expr): Expr {
    return this.undefinedIf(this.m.i32.eqz(value));
  }

  /** `target = value`, undefined when the value is 0. */
  private assignDefined(target: Local, value: Expr): Expr {
    return this.m.block(null, [this.set(target, value), this.undefinedIfZero(this.get(target))]);
  }

  private operand(op: Operand): Expr {
    switch (op.type) {
      case "local":
        return this.get(op.value);
      case "bool":
        return this.rt("rt_boolean", [this.m.i32.const(op.value ? 1 : 0)]);
      case "string_index": {
        const addr = this.g.stringAddrs[op.value];
        if (addr === undefined) throw new Error(`string index ${op.value} out of range`);
        return this.m.i32.const(addr);
      }
    }
  }

  private rt(name: string, args: Expr[]): Expr {
    return this.g.input.runtime.call(name, args);
  }

  private rtEffect(name: string, args: Expr[]): Expr {
    return this.g.input.runtime.callForEffect(name, args);
  }

  private i64(value: number): Expr {
    if (!Number.isSafeInteger(value)) throw new Error(`integer ${value} is not exact`);
    return this.m.i64.const(BigInt(value));
  }

  private typeIs(source: Operand, tag: number): Expr {
    return this.undefinedIf(
      this.m.i32.ne(this.rt("rt_type", [this.operand(source)]), this.m.i32.const(tag)),
    );
  }

  private stmt(s: Stmt): Expr {
    const m = this.m;
    switch (s.type) {
      case "ArrayAppendStmt":
        return this.rtEffect("rt_array_append", [this.get(s.array), this.operand(s.value)]);
      case "AssignIntStmt":
        return this.rtEffect("rt_number_set_int", [this.get(s.target), this.i64(s.value)]);
      case "AssignVarOnceStmt": {
        const source = this.temp();
        const src = () => m.local.get(source, i32);
        return m.block(null, [
          m.local.set(source, this.operand(s.source)),
          m.if(
            m.i32.eqz(this.get(s.target)),
            this.set(s.target, src()),
            m.if(
              m.i32.eqz(this.rt("rt_equal", [this.get(s.target), src()])),
              this.g.runtimeError(s, "eval_conflict_error", s.message ?? DEFAULT_VAR_CONFLICT),
            ),
          ),
        ]);
      }
      case "AssignVarStmt":
        return this.set(s.target, this.operand(s.source));
      case "BlockStmt":
        return m.block(
          null,
          s.blocks.map((b) => this.block(b)),
        );
      case "BreakStmt":
        return this.breakOut(s.index);
      case "CallStmt":
        return this.call(
          s,
          s.args.map((a) => this.operand(a)),
        );
      case "CallDynamicStmt":
        return this.callDynamic(s);
      case "DotStmt":
        return this.assignDefined(
          s.target,
          this.rt("rt_dot", [this.operand(s.source), this.operand(s.key)]),
        );
      case "EqualStmt":
        return this.undefinedIfZero(this.rt("rt_equal", [this.operand(s.a), this.operand(s.b)]));
      case "NotEqualStmt":
        return this.undefinedIf(this.rt("rt_equal", [this.operand(s.a), this.operand(s.b)]));
      case "IsArrayStmt":
        return this.typeIs(s.source, TYPE_ARRAY);
      case "IsObjectStmt":
        return this.typeIs(s.source, TYPE_OBJECT);
      case "IsSetStmt":
        return this.typeIs(s.source, TYPE_SET);
      case "IsDefinedStmt":
        return this.undefinedIfZero(this.get(s.source));
      case "IsUndefinedStmt":
        return this.undefinedIf(this.get(s.source));
      case "LenStmt":
        return this.set(
          s.target,
          this.rt("rt_number_int", [
            m.i64.extend_u(this.rt("rt_length", [this.operand(s.source)])),
          ]),
        );
      case "MakeArrayStmt":
        return this.set(s.target, this.rt("rt_array_new", [m.i32.const(s.capacity)]));
      case "MakeNullStmt":
        return this.set(s.target, this.rt("rt_null", []));
      case "MakeNumberIntStmt":
        return this.set(s.target, this.rt("rt_number_int", [this.i64(s.value)]));
      case "MakeNumberRefStmt":
        return this.set(
          s.target,
          this.rt("rt_number_parse", [this.operand({ type: "string_index", value: s.index })]),
        );
      case "MakeConstStmt": {
        const global = this.g.consts.globals[s.index];
        if (global === undefined) throw new Error(`MakeConstStmt: no static.consts[${s.index}]`);
        return this.set(s.target, m.global.get(global, i32));
      }
      case "MakeObjectStmt":
        return this.set(s.target, this.rt("rt_object_new", []));
      case "MakeSetStmt":
        return this.set(s.target, this.rt("rt_set_new", []));
      case "NopStmt":
        return m.nop();
      case "NotStmt":
        return this.not(s.block);
      case "ObjectInsertOnceStmt":
        return m.if(
          this.rt("rt_object_insert_once", [
            this.get(s.object),
            this.operand(s.key),
            this.operand(s.value),
          ]),
          this.g.runtimeError(s, "eval_conflict_error", s.message ?? DEFAULT_KEY_CONFLICT),
        );
      case "ObjectInsertStmt":
        return this.rtEffect("rt_object_insert", [
          this.get(s.object),
          this.operand(s.key),
          this.operand(s.value),
        ]);
      case "ObjectMergeStmt":
        return this.assignDefined(
          s.target,
          this.rt("rt_object_merge", [this.get(s.a), this.get(s.b)]),
        );
      case "ResetLocalStmt":
        return this.set(s.target, m.i32.const(0));
      case "ResultSetAddStmt":
        if (this.resultSet === undefined) throw new Error("ResultSetAddStmt outside a plan");
        return this.rtEffect("rt_set_add", [m.local.get(this.resultSet, i32), this.get(s.value)]);
      case "ReturnLocalStmt":
        return this.returnLocal(s.source);
      case "ScanStmt":
        return this.scan(s.source, s.key, s.value, s.block);
      case "SetAddStmt":
        return this.rtEffect("rt_set_add", [this.get(s.set), this.operand(s.value)]);
      case "WithStmt":
        return this.with(s.local, s.path, s.value, s.block);
      case "ErrorStmt":
        return this.g.runtimeError(s, s.code, s.message);
      case "CoverStmt": {
        const coverage = this.g.coverage!; // laid out for every CoverStmt of the IR
        return m.i32.store8(0, 1, m.i32.const(coverage.addressOf(s)), m.i32.const(1));
      }
      default: {
        const unknown: never = s;
        throw new Error(`unsupported IR statement ${(unknown as Stmt).type}`);
      }
    }
  }

  private call(s: Extract<Stmt, { type: "CallStmt" }>, args: Expr[]): Expr {
    const m = this.m;
    const callee = this.g.callee(s.func);
    if (args.length !== callee.arity) {
      throw new Error(`call of ${s.func} with ${args.length} arguments, it takes ${callee.arity}`);
    }
    switch (callee.kind) {
      case "func":
        return this.assignDefined(s.result, m.call(callee.name, args, i32));
      case "native":
        return m.block(null, [
          setBuiltinLocation(m, this.g.builtinLocation(s)),
          this.assignDefined(s.result, m.call(callee.name, args, callee.result)),
        ]);
      case "host": {
        const dispatcher = this.g.hostDispatcher(args.length);
        const text = callee.regoValues ? this.g.hostValueText : undefined;
        const call = m.call(
          dispatcher,
          [m.i32.const(callee.id), m.i32.const(0), ...args.map((a) => text?.argument(a) ?? a)],
          i32,
        );
        return this.assignDefined(s.result, text ? text.result(call) : call);
      }
    }
  }

  // Resolved at compile time against the IR functions' paths: each candidate whose constant
  // segments match is tried in turn, comparing the local segments at run time. No match: the
  // statement is undefined (the planner's following block does the plain data lookup).
  private callDynamic(s: Extract<Stmt, { type: "CallDynamicStmt" }>): Expr {
    const m = this.m;
    const strings = this.g.input.ir.static.strings;
    const candidates = this.g.input.ir.funcs.funcs.filter(
      (f) =>
        f.path.length === s.path.length &&
        s.path.every(
          (op, i) => op.type !== "string_index" || strings[op.value]?.value === f.path[i],
        ) &&
        f.params.length === s.args.length,
    );
    const done = `d${this.labels++}`;
    const tries = candidates.map((f) => {
      const checks = s.path.flatMap((op, i) =>
        op.type === "local"
          ? [
              this.rt("rt_equal", [
                this.get(op.value),
                m.i32.const(this.g.input.data.addStringValue(f.path[i]!)),
              ]),
            ]
          : [],
      );
      const entry = this.g.funcEntries.get(f.name)!;
      const invoke = m.block(null, [
        this.set(
          s.result,
          m.call(
            entry.name,
            s.args.map((a) => this.get(a)),
            i32,
          ),
        ),
        m.br(done),
      ]);
      return checks.length === 0
        ? invoke
        : m.if(
            checks.reduce((acc, c) => m.i32.and(acc, c)),
            invoke,
          );
    });
    return m.block(null, [
      m.block(done, [...tries, this.set(s.result, m.i32.const(0))]),
      this.undefinedIfZero(this.get(s.result)),
    ]);
  }

  private returnLocal(source: Local): Expr {
    const cleanup = [...this.frames]
      .reverse()
      .flatMap((f) => (f.kind === "with" ? f.cleanup() : []));
    // Plans have no return value; a return there only ends the plan.
    const value = this.returnsValue ? this.get(source) : undefined;
    return this.m.block(null, [...cleanup, this.m.return(value)]);
  }

  private not(block: Block): Expr {
    const m = this.m;
    const completed = this.temp();
    return m.block(null, [
      m.local.set(completed, m.i32.const(0)),
      this.labelled((label) =>
        m.block(label, [
          ...block.stmts.map((s) => this.stmt(s)),
          m.local.set(completed, m.i32.const(1)),
        ]),
      ),
      this.undefinedIf(m.local.get(completed, i32)),
    ]);
  }

  private scan(source: Local, key: Local, value: Local, body: Block): Expr {
    const m = this.m;
    const i = this.temp();
    const n = this.temp();
    const exit = `s${this.labels++}`;
    const loop = `l${this.labels++}`;
    const src = this.get(source);
    return m.block(exit, [
      m.local.set(i, m.i32.const(0)),
      m.local.set(n, this.rt("rt_length", [src])),
      m.loop(
        loop,
        m.block(null, [
          m.br(exit, m.i32.ge_u(m.local.get(i, i32), m.local.get(n, i32))),
          this.set(key, this.rt("rt_iter_key", [this.get(source), m.local.get(i, i32)])),
          this.set(value, this.rt("rt_iter_value", [this.get(source), m.local.get(i, i32)])),
          m.local.set(i, m.i32.add(m.local.get(i, i32), m.i32.const(1))),
          ...this.g.charge(1 + staticCost([body])),
          this.block(body),
          m.br(loop),
        ]),
      ),
    ]);
  }

  private with(local: Local, path: number[], value: Operand, block: Block): Expr {
    const m = this.m;
    const saved = this.temp();
    const completed = this.temp();
    const replacement = path.length === 0 ? this.operand(value) : this.upsert(local, path, value);
    const cleanup = () => [
      this.rtEffect("rt_memo_pop", []),
      this.set(local, m.local.get(saved, i32)),
    ];
    const enter = [
      m.local.set(saved, this.get(local)),
      this.set(local, replacement),
      this.rtEffect("rt_memo_push", []),
      m.local.set(completed, m.i32.const(0)),
    ];
    this.frames.push({ kind: "with", cleanup });
    let inner: Expr;
    try {
      inner = this.labelled((label) =>
        m.block(label, [
          ...block.stmts.map((s) => this.stmt(s)),
          m.local.set(completed, m.i32.const(1)),
        ]),
      );
    } finally {
      this.frames.pop();
    }
    return m.block(null, [
      ...enter,
      inner,
      ...cleanup(),
      this.undefinedIfZero(m.local.get(completed, i32)),
    ]);
  }

  /** A copy of `local` with `value` at `path`, copying each object on the way (never mutating data). */
  private upsert(local: Local, path: number[], value: Operand): Expr {
    const m = this.m;
    const key = (i: number) => this.operand({ type: "string_index", value: path[i]! });
    const nodes = path.map(() => this.temp());
    const steps: Expr[] = [m.local.set(nodes[0]!, this.get(local))];
    for (let i = 1; i < path.length; i++) {
      steps.push(
        m.local.set(nodes[i]!, this.rt("rt_dot", [m.local.get(nodes[i - 1]!, i32), key(i - 1)])),
      );
    }
    let result = this.operand(value);
    for (let i = path.length - 1; i >= 0; i--) {
      result = this.rt("rt_object_upsert_copy", [m.local.get(nodes[i]!, i32), key(i), result]);
    }
    return m.block(null, [...steps, result], i32);
  }
}
