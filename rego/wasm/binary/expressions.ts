// Wasm code as a tree of expressions, and its encoding. The builder's methods mirror the folded
// text format (`block`, `if`, `i32.add`, ...): each returns an expression that knows its type, and
// functions, globals and labels are named until the module is written. Block types follow the
// children: an unnamed block has its last child's type, so it can be written as its children alone.
import { signedLeb, signedLeb32, unsignedLeb, type ByteWriter } from "./bytes.ts";

export const i32 = 0x7f;
export const i64 = 0x7e;
/** no value: the empty block type */
export const none = 0x40;
/** an expression that never completes (br, return, unreachable) */
const unreachableType = -1;

export type Expr =
  | { kind: "op"; type: number; operands: Expr[]; code: number[] }
  | { kind: "call"; type: number; callee: string; operands: Expr[] }
  | { kind: "global.get"; type: number; global: string }
  | { kind: "global.set"; type: number; global: string; value: Expr }
  | { kind: "block"; type: number; label: string | null; children: Expr[] }
  | { kind: "loop"; type: number; label: string; body: Expr }
  | { kind: "if"; type: number; condition: Expr; then: Expr; else?: Expr }
  | { kind: "br"; type: number; label: string; condition?: Expr };

function op(type: number, code: number[], ...operands: Expr[]): Expr {
  return { kind: "op", type, operands, code };
}

/** A memory access: `align` in bytes (a power of two), as the folded text format writes it. */
function memarg(opcode: number, offset: number, align: number): number[] {
  const log2 = Math.log2(align);
  if (!Number.isInteger(log2)) throw new RangeError(`alignment ${align} is not a power of two`);
  return [opcode, ...unsignedLeb(log2), ...unsignedLeb(offset)];
}

const isValue = (type: number) => type === i32 || type === i64;

export class ExpressionBuilder {
  /** every function a call was built for (the linker keeps these) */
  readonly called = new Set<string>();

  readonly local = {
    get: (index: number, type: number): Expr => op(type, [0x20, ...unsignedLeb(index)]),
    set: (index: number, value: Expr): Expr => op(none, [0x21, ...unsignedLeb(index)], value),
  };

  readonly global = {
    get: (global: string, type: number): Expr => ({ kind: "global.get", type, global }),
    set: (global: string, value: Expr): Expr => ({ kind: "global.set", type: none, global, value }),
  };

  readonly i32 = {
    const: (value: number): Expr => op(i32, [0x41, ...signedLeb32(value)]),
    eqz: (a: Expr): Expr => op(i32, [0x45], a),
    eq: (a: Expr, b: Expr): Expr => op(i32, [0x46], a, b),
    ne: (a: Expr, b: Expr): Expr => op(i32, [0x47], a, b),
    ge_u: (a: Expr, b: Expr): Expr => op(i32, [0x4f], a, b),
    add: (a: Expr, b: Expr): Expr => op(i32, [0x6a], a, b),
    sub: (a: Expr, b: Expr): Expr => op(i32, [0x6b], a, b),
    and: (a: Expr, b: Expr): Expr => op(i32, [0x71], a, b),
    load: (offset: number, align: number, ptr: Expr): Expr =>
      op(i32, memarg(0x28, offset, align), ptr),
    load8_u: (offset: number, align: number, ptr: Expr): Expr =>
      op(i32, memarg(0x2d, offset, align), ptr),
    store: (offset: number, align: number, ptr: Expr, value: Expr): Expr =>
      op(none, memarg(0x36, offset, align), ptr, value),
    store8: (offset: number, align: number, ptr: Expr, value: Expr): Expr =>
      op(none, memarg(0x3a, offset, align), ptr, value),
  };

  readonly i64 = {
    const: (value: bigint): Expr => op(i64, [0x42, ...signedLeb(BigInt.asIntN(64, value))]),
    lt_s: (a: Expr, b: Expr): Expr => op(i32, [0x53], a, b),
    sub: (a: Expr, b: Expr): Expr => op(i64, [0x7d], a, b),
    /** i64.extend_i32_u */
    extend_u: (a: Expr): Expr => op(i64, [0xad], a),
  };

  readonly memory = {
    copy: (dest: Expr, source: Expr, size: Expr): Expr =>
      op(none, [0xfc, 10, 0, 0], dest, source, size),
  };

  /** `type` defaults to the last child's; a named block never has the unreachable type (a br may end it). */
  block(label: string | null, children: Expr[], type?: number): Expr {
    const last = children.at(-1)?.type ?? none;
    const inferred = isValue(last) || (last === unreachableType && label === null) ? last : none;
    return { kind: "block", type: type ?? inferred, label, children };
  }

  loop(label: string, body: Expr): Expr {
    return { kind: "loop", type: body.type, label, body };
  }

  if(condition: Expr, ifTrue: Expr, ifFalse?: Expr): Expr {
    let type = none;
    if (ifFalse) {
      if (ifTrue.type === ifFalse.type) type = ifTrue.type;
      else if (ifTrue.type === unreachableType) type = ifFalse.type;
      else if (ifFalse.type === unreachableType) type = ifTrue.type;
    }
    return ifFalse
      ? { kind: "if", type, condition, then: ifTrue, else: ifFalse }
      : { kind: "if", type, condition, then: ifTrue };
  }

  /** `br` to the block or loop named `label`, or `br_if` with a condition. */
  br(label: string, condition?: Expr): Expr {
    return condition
      ? { kind: "br", type: none, label, condition }
      : { kind: "br", type: unreachableType, label };
  }

  call(callee: string, operands: Expr[], result: number): Expr {
    this.called.add(callee);
    return { kind: "call", type: result, callee, operands };
  }

  return(value?: Expr): Expr {
    return value ? op(unreachableType, [0x0f], value) : op(unreachableType, [0x0f]);
  }

  drop(value: Expr): Expr {
    return op(none, [0x1a], value);
  }

  /** `condition ? ifTrue : ifFalse`, both evaluated */
  select(condition: Expr, ifTrue: Expr, ifFalse: Expr): Expr {
    return op(ifTrue.type, [0x1b], ifTrue, ifFalse, condition);
  }

  nop(): Expr {
    return op(none, [0x01]);
  }

  unreachable(): Expr {
    return op(unreachableType, [0x00]);
  }
}

/** How names become indices when the module is written. */
export interface IndexSpace {
  functionIndex(name: string): number;
  globalIndex(name: string): number;
}

/** A function body: local declarations, the instructions of `body`, end. */
export function encodeBody(w: ByteWriter, vars: number[], body: Expr, space: IndexSpace): void {
  const groups: [number, number][] = [];
  for (const type of vars) {
    const last = groups.at(-1);
    if (last && last[1] === type) last[0]++;
    else groups.push([1, type]);
  }
  w.u32(groups.length);
  for (const [count, type] of groups) w.u32(count).byte(type);
  encode(w, body, space, []);
  w.byte(0x0b);
}

/** A constant expression (a global's initialiser): the instruction, end. */
export function encodeConstant(w: ByteWriter, init: Expr, space: IndexSpace): void {
  encode(w, init, space, []);
  w.byte(0x0b);
}

function blockType(type: number): number {
  return isValue(type) ? type : none;
}

/** After a structured instruction that never completes, `unreachable` lets any operand follow. */
function endStructured(w: ByteWriter, e: Expr): void {
  w.byte(0x0b);
  if (e.type === unreachableType) w.byte(0x00);
}

function encode(w: ByteWriter, e: Expr, space: IndexSpace, labels: (string | null)[]): void {
  switch (e.kind) {
    case "op":
      for (const operand of e.operands) encode(w, operand, space, labels);
      w.bytes(e.code);
      return;
    case "call":
      for (const operand of e.operands) encode(w, operand, space, labels);
      w.byte(0x10).u32(space.functionIndex(e.callee));
      return;
    case "global.get":
      w.byte(0x23).u32(space.globalIndex(e.global));
      return;
    case "global.set":
      encode(w, e.value, space, labels);
      w.byte(0x24).u32(space.globalIndex(e.global));
      return;
    case "block":
      // an unnamed block cannot be branched to: its children stand in for it
      if (e.label === null) {
        for (const child of e.children) encode(w, child, space, labels);
        return;
      }
      w.byte(0x02).byte(blockType(e.type));
      labels.push(e.label);
      for (const child of e.children) encode(w, child, space, labels);
      labels.pop();
      endStructured(w, e);
      return;
    case "loop":
      w.byte(0x03).byte(blockType(e.type));
      labels.push(e.label);
      encode(w, e.body, space, labels);
      labels.pop();
      endStructured(w, e);
      return;
    case "if":
      encode(w, e.condition, space, labels);
      w.byte(0x04).byte(blockType(e.type));
      labels.push(null);
      encode(w, e.then, space, labels);
      if (e.else) {
        w.byte(0x05);
        encode(w, e.else, space, labels);
      }
      labels.pop();
      endStructured(w, e);
      return;
    case "br": {
      const target = labels.lastIndexOf(e.label);
      if (target < 0) throw new Error(`br to ${e.label}, which does not enclose it`);
      if (e.condition) encode(w, e.condition, space, labels);
      w.byte(e.condition ? 0x0d : 0x0c).u32(labels.length - 1 - target);
      return;
    }
  }
}
