// Walks the instructions of a function body to find where it names functions (`call`,
// `return_call`, `ref.func`), so the linker can renumber them. It knows the immediates of the
// features the runtime is built with (MVP, sign extension, bulk memory, non-trapping float to int,
// reference types); any other opcode is an error, never skipped.
import { ByteReader } from "./bytes.ts";

/** A function index inside a body: the bytes [start, end) hold its LEB128 encoding. */
export interface FunctionReference {
  start: number;
  end: number;
  index: number;
}

const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const BR = 0x0c;
const BR_IF = 0x0d;
const BR_TABLE = 0x0e;
const CALL = 0x10;
const CALL_INDIRECT = 0x11;
const RETURN_CALL = 0x12;
const RETURN_CALL_INDIRECT = 0x13;
const SELECT_TYPED = 0x1c;
const REF_NULL = 0xd0;
const REF_FUNC = 0xd2;
const PREFIX_FC = 0xfc;

/** Opcodes without immediates: unreachable, nop, else, end, return, drop, select, numeric ops. */
function hasNoImmediate(op: number): boolean {
  return (
    op === 0x00 ||
    op === 0x01 ||
    op === 0x05 ||
    op === 0x0b ||
    op === 0x0f ||
    op === 0x1a ||
    op === 0x1b ||
    (op >= 0x45 && op <= 0xc4) ||
    op === 0xd1
  );
}

/** Function references in the instructions of reader's range (a body after its local declarations). */
export function functionReferences(reader: ByteReader): FunctionReference[] {
  const refs: FunctionReference[] = [];
  while (!reader.done) {
    const at = reader.pos;
    const op = reader.byte();
    if (hasNoImmediate(op)) continue;
    if (op === CALL || op === RETURN_CALL || op === REF_FUNC) {
      const start = reader.pos;
      const index = reader.u32();
      refs.push({ start, end: reader.pos, index });
    } else if (op === BLOCK || op === LOOP || op === IF) reader.skipSigned(33);
    else if (op === BR || op === BR_IF) reader.u32();
    else if (op === BR_TABLE) {
      const n = reader.u32();
      for (let i = 0; i <= n; i++) reader.u32();
    } else if (op === CALL_INDIRECT || op === RETURN_CALL_INDIRECT) {
      reader.u32();
      reader.u32();
    } else if (op === SELECT_TYPED) reader.take(reader.u32());
    else if (op >= 0x20 && op <= 0x26)
      reader.u32(); // locals, globals, table.get/set
    else if (op >= 0x28 && op <= 0x3e) {
      // memarg: alignment (bit 6: a memory index follows), offset
      if (reader.u32() & 0x40) reader.u32();
      reader.u32();
    } else if (op === 0x3f || op === 0x40)
      reader.u32(); // memory.size/grow
    else if (op === 0x41) reader.skipSigned(32);
    else if (op === 0x42) reader.skipSigned(64);
    else if (op === 0x43) reader.take(4);
    else if (op === 0x44) reader.take(8);
    else if (op === REF_NULL) reader.byte();
    else if (op === PREFIX_FC) skipPrefixed(reader, reader.u32(), at);
    else throw new Error(`unsupported opcode 0x${op.toString(16)} at byte ${at}`);
  }
  return refs;
}

function skipPrefixed(reader: ByteReader, sub: number, at: number): void {
  if (sub <= 7) return; // saturating float to int conversions
  const immediates: Record<number, number> = {
    8: 2, // memory.init data memory
    9: 1, // data.drop data
    10: 2, // memory.copy memory memory
    11: 1, // memory.fill memory
    12: 2, // table.init element table
    13: 1, // elem.drop element
    14: 2, // table.copy table table
    15: 1, // table.grow table
    16: 1, // table.size table
    17: 1, // table.fill table
  };
  const n = immediates[sub];
  if (n === undefined) throw new Error(`unsupported opcode 0xfc ${sub} at byte ${at}`);
  for (let i = 0; i < n; i++) reader.u32();
}
