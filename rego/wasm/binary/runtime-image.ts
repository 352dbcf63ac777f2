// The prebuilt runtime (runtime.wasm) as the linker needs it: its sections decoded once per
// process, each function body kept as bytes with the places where it names a function. Only what
// the runtime's build produces is accepted (imported memory, active data segments, no tables or
// start function); anything else is an error naming the section, so a changed runtime build cannot
// be linked wrongly.
import { ByteReader } from "./bytes.ts";
import { functionReferences, type FunctionReference } from "./instructions.ts";

export interface FunctionType {
  params: number[];
  results: number[];
}

export interface FunctionImport {
  module: string;
  base: string;
  type: number;
}

export interface Global {
  /** value type, mutability and init expression, as encoded in the global section */
  encoded: Uint8Array;
  type: number;
  /** the value of an `i32.const` initialiser */
  i32Init?: number;
}

export interface Export {
  name: string;
  kind: number;
  index: number;
}

export interface Body {
  /** the body as encoded in the code section (local declarations, instructions, end) */
  bytes: Uint8Array;
  /** function indices in `bytes`, in order */
  references: FunctionReference[];
}

export interface DataSegment {
  offset: number;
  data: Uint8Array;
}

export interface RuntimeImage {
  types: FunctionType[];
  /** function imports: function index i < functionImports.length is functionImports[i] */
  functionImports: FunctionImport[];
  memory: { module: string; base: string; initialPages: number };
  /** type index of each defined function */
  functions: number[];
  globals: Global[];
  exports: Export[];
  exportsByName: Map<string, Export>;
  bodies: Body[];
  data: DataSegment[];
  /** first address the runtime does not use statically (see staticEnd) */
  staticEnd: number;
}

export const EXTERNAL_FUNCTION = 0;
export const EXTERNAL_MEMORY = 2;
export const EXTERNAL_GLOBAL = 3;
const FUNC_TYPE = 0x60;
const PAGE_SIZE = 65536;

type Decoded = Omit<RuntimeImage, "staticEnd" | "exportsByName">;

const images = new WeakMap<Uint8Array, RuntimeImage>();

/** The image of `wasm`, decoded on first use of this array. */
export function runtimeImage(wasm: Uint8Array): RuntimeImage {
  let image = images.get(wasm);
  if (!image) {
    try {
      image = decode(wasm);
    } catch (e) {
      throw new Error(`cannot link against the Wasm runtime: ${(e as Error).message}`);
    }
    images.set(wasm, image);
  }
  return image;
}

function decode(wasm: Uint8Array): RuntimeImage {
  const r = new ByteReader(wasm);
  const header = r.take(8);
  const expected = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (!expected.every((b, i) => header[i] === b)) throw new Error("not a Wasm 1.0 binary");
  const image: Decoded = {
    types: [],
    functionImports: [],
    memory: { module: "", base: "", initialPages: -1 },
    functions: [],
    globals: [],
    exports: [],
    bodies: [],
    data: [],
  };
  while (!r.done) {
    const id = r.byte();
    const size = r.u32();
    const s = new ByteReader(wasm, r.pos, r.pos + size);
    r.take(size);
    // custom sections (names) are dropped; the data count is written again by the linker
    if (id === 0 || id === 12) continue;
    const count = s.u32();
    for (let i = 0; i < count; i++) {
      switch (id) {
        case 1:
          image.types.push(readType(s));
          break;
        case 2:
          readImport(s, image);
          break;
        case 3:
          image.functions.push(s.u32());
          break;
        case 6:
          image.globals.push(readGlobal(s));
          break;
        case 7:
          image.exports.push({ name: s.name(), kind: s.byte(), index: s.u32() });
          break;
        case 10:
          image.bodies.push(readBody(s));
          break;
        case 11:
          image.data.push(readDataSegment(s));
          break;
        default:
          throw new Error(`unsupported section ${id}`);
      }
    }
    if (!s.done) throw new Error(`section ${id} has trailing bytes`);
  }
  if (image.memory.initialPages < 0) throw new Error("the runtime does not import its memory");
  if (image.bodies.length !== image.functions.length)
    throw new Error("function and code sections disagree");
  const exportsByName = new Map(image.exports.map((e) => [e.name, e]));
  return { ...image, exportsByName, staticEnd: staticEnd(image) };
}

function readType(s: ByteReader): FunctionType {
  if (s.byte() !== FUNC_TYPE) throw new Error("a type that is not a function type");
  const params = Array.from(s.take(s.u32()));
  const results = Array.from(s.take(s.u32()));
  return { params, results };
}

function readImport(s: ByteReader, image: Decoded): void {
  const module = s.name();
  const base = s.name();
  const kind = s.byte();
  if (kind === EXTERNAL_FUNCTION) {
    image.functionImports.push({ module, base, type: s.u32() });
  } else if (kind === EXTERNAL_MEMORY) {
    const flags = s.u32();
    if (flags > 1) throw new Error("a shared or 64-bit memory");
    const initialPages = s.u32();
    if (flags === 1) s.u32(); // maximum: the linked module declares none
    image.memory = { module, base, initialPages };
  } else throw new Error(`an import of kind ${kind} (${module}.${base})`);
}

function readGlobal(s: ByteReader): Global {
  const start = s.pos;
  const type = s.byte();
  s.byte(); // mutability
  const op = s.byte();
  let i32Init: number | undefined;
  if (op === 0x41) i32Init = s.s32();
  else if (op === 0x42) s.skipSigned(64);
  else if (op === 0x43) s.take(4);
  else if (op === 0x44) s.take(8);
  else throw new Error(`a global initialised by opcode 0x${op.toString(16)}`);
  if (s.byte() !== 0x0b) throw new Error("a global initialiser of more than one instruction");
  const global: Global = { encoded: s.bytes.subarray(start, s.pos), type };
  if (i32Init !== undefined) global.i32Init = i32Init;
  return global;
}

function readBody(s: ByteReader): Body {
  const size = s.u32();
  const start = s.pos;
  const bytes = s.take(size);
  const r = new ByteReader(s.bytes, start, start + size);
  const groups = r.u32();
  for (let i = 0; i < groups; i++) {
    r.u32();
    r.byte();
  }
  const references = functionReferences(r).map((ref) => ({
    start: ref.start - start,
    end: ref.end - start,
    index: ref.index,
  }));
  return { bytes, references };
}

function readDataSegment(s: ByteReader): DataSegment {
  const flags = s.u32();
  if (flags !== 0) throw new Error("a passive data segment or one for another memory");
  if (s.byte() !== 0x41) throw new Error("a data segment whose offset is not an i32.const");
  const offset = s.s32();
  if (s.byte() !== 0x0b) throw new Error("a data segment offset of more than one instruction");
  return { offset, data: s.take(s.u32()) };
}

/**
 * First address the runtime does not use statically. AssemblyScript lays out static data (the
 * segments, plus zero-filled `memory.data` areas that get no segment), then a shadow stack that
 * grows down from a mutable i32 global initialised to its top (__heap_base). Any i32 global whose
 * constant initialiser points above the segments and inside the runtime's initial memory is taken
 * as such a reservation, so policy data never lands in the runtime's stack or scratch areas.
 */
function staticEnd(image: Decoded): number {
  const dataEnd = image.data.reduce((end, s) => Math.max(end, s.offset + s.data.length), 0);
  const initialBytes = image.memory.initialPages * PAGE_SIZE;
  let end = dataEnd;
  for (const g of image.globals) {
    const value = g.i32Init;
    if (value !== undefined && value > end && value <= initialBytes) end = value;
  }
  return end;
}
