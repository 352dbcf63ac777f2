// Writes the linked module: the runtime's sections with what the builder added. Only the runtime
// functions that the kept exports and the generated code can reach are written; their bodies keep
// their bytes, with the function indices they name renumbered (binary/instructions.ts found them).
import { ByteWriter, unsignedLeb } from "./bytes.ts";
import { encodeBody, encodeConstant, none, type IndexSpace } from "./expressions.ts";
import type { AddedGlobal, DefinedFunction, ImportedFunction } from "./module-builder.ts";
import {
  EXTERNAL_FUNCTION,
  EXTERNAL_MEMORY,
  type Body,
  type DataSegment,
  type FunctionType,
  type RuntimeImage,
} from "./runtime-image.ts";

export const RUNTIME_FUNC = "runtime.func.";
export const RUNTIME_GLOBAL = "runtime.global.";

export function runtimeImportName(imp: { module: string; base: string }): string {
  return `runtime.import.${imp.module}.${imp.base}`;
}

export interface ModuleLayout {
  /** pages of the imported memory (no maximum: the host chooses it) */
  memoryPages: number;
  /** the policy's static data, after the runtime's */
  data: DataSegment;
  /** which of the runtime's exports the module keeps */
  keepExport(name: string): boolean;
}

export interface AddedContents {
  /** the imports left: the runtime's not defined by the builder, then the added ones */
  imports: ImportedFunction[];
  functions: DefinedFunction[];
  globals: AddedGlobal[];
  start: string | undefined;
  /** every function generated code calls */
  called: ReadonlySet<string>;
}

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

export function writeModule(
  image: RuntimeImage,
  added: AddedContents,
  layout: ModuleLayout,
): Uint8Array<ArrayBuffer> {
  const runtimeImports = image.functionImports.length;
  const { imports, functions } = added;
  const exports = image.exports.filter((e) => layout.keepExport(e.name));
  const kept = reachableRuntimeFunctions(image, exports, added.called);
  const space = indexSpace(image, added, kept);
  // the runtime's calls to an import go to its definition when the builder replaced it
  const runtimeFunctionIndex = (index: number) =>
    space.functionIndex(
      index < runtimeImports
        ? runtimeImportName(image.functionImports[index]!)
        : `${RUNTIME_FUNC}${index}`,
    );

  const types = new TypeTable(image.types);
  const importTypes = imports.map((imp) => types.index(imp.params, imp.result));
  const functionTypes = [
    ...kept.map((index) => image.functions[index - runtimeImports]!),
    ...functions.map((f) => types.index(f.params, f.result)),
  ];
  const segments = [...image.data, layout.data];

  const out = new ByteWriter().bytes(HEADER);
  section(out, 1, types.types, (w, t) =>
    w.byte(0x60).u32(t.params.length).bytes(t.params).u32(t.results.length).bytes(t.results),
  );
  const importSection = new ByteWriter().u32(1 + imports.length);
  importSection.name(image.memory.module).name(image.memory.base);
  importSection.byte(EXTERNAL_MEMORY).byte(0).u32(layout.memoryPages);
  imports.forEach((imp, i) => {
    importSection.name(imp.module).name(imp.base).byte(EXTERNAL_FUNCTION).u32(importTypes[i]!);
  });
  out.byte(2).sized(importSection.finish());
  section(out, 3, functionTypes, (w, type) => w.u32(type));
  section(out, 6, [...image.globals, ...added.globals], (w, g) => {
    if ("encoded" in g) w.bytes(g.encoded);
    else encodeConstant(w.byte(g.type).byte(g.mutable ? 1 : 0), g.init, space);
  });
  section(out, 7, exports, (w, e) => {
    const index = e.kind === EXTERNAL_FUNCTION ? runtimeFunctionIndex(e.index) : e.index;
    w.name(e.name).byte(e.kind).u32(index);
  });
  if (added.start !== undefined) {
    out.byte(8).sized(new ByteWriter().u32(space.functionIndex(added.start)).finish());
  }
  out.byte(12).sized(new ByteWriter().u32(segments.length).finish());
  const bodies = [...kept.map((index) => image.bodies[index - runtimeImports]!), ...functions];
  section(out, 10, bodies, (w, f) => {
    if ("bytes" in f) writeRenumbered(w, f, runtimeFunctionIndex);
    else {
      const body = new ByteWriter();
      encodeBody(body, f.vars, f.body, space);
      w.sized(body.finish());
    }
  });
  section(out, 11, segments, (w, s) => w.byte(0).byte(0x41).s32(s.offset).byte(0x0b).sized(s.data));
  return out.finish();
}

/** Indices of the runtime's defined functions that the module can call, in ascending order. */
function reachableRuntimeFunctions(
  image: RuntimeImage,
  exports: RuntimeImage["exports"],
  called: ReadonlySet<string>,
): number[] {
  const runtimeImports = image.functionImports.length;
  const kept = new Set<number>();
  const pending: number[] = [];
  const reach = (index: number) => {
    if (index < runtimeImports || kept.has(index)) return;
    kept.add(index);
    pending.push(index);
  };
  for (const e of exports) if (e.kind === EXTERNAL_FUNCTION) reach(e.index);
  for (const name of called)
    if (name.startsWith(RUNTIME_FUNC)) reach(Number(name.slice(RUNTIME_FUNC.length)));
  while (pending.length > 0) {
    const body = image.bodies[pending.pop()! - runtimeImports]!;
    for (const ref of body.references) reach(ref.index);
  }
  return [...kept].sort((a, b) => a - b);
}

/** Final indices: imports, then the runtime functions kept, then the added functions. */
function indexSpace(image: RuntimeImage, added: AddedContents, kept: number[]): IndexSpace {
  const functions = new Map<string, number>();
  added.imports.forEach((imp, i) => functions.set(imp.name, i));
  let next = added.imports.length;
  for (const index of kept) functions.set(`${RUNTIME_FUNC}${index}`, next++);
  for (const f of added.functions) functions.set(f.name, next++);
  const globals = new Map<string, number>();
  image.globals.forEach((_, i) => globals.set(`${RUNTIME_GLOBAL}${i}`, i));
  added.globals.forEach((g, i) => globals.set(g.name, image.globals.length + i));
  return {
    functionIndex(name) {
      const index = functions.get(name);
      if (index === undefined) throw new Error(`call of an undefined function ${name}`);
      return index;
    },
    globalIndex(name) {
      const index = globals.get(name);
      if (index === undefined) throw new Error(`use of an undefined global ${name}`);
      return index;
    },
  };
}

class TypeTable {
  readonly types: FunctionType[];
  private readonly indices = new Map<string, number>();

  constructor(types: FunctionType[]) {
    this.types = [...types];
    this.types.forEach((t, i) => this.indices.set(key(t), i));
  }

  index(params: number[], result: number): number {
    const type = { params, results: result === none ? [] : [result] };
    let index = this.indices.get(key(type));
    if (index === undefined) {
      index = this.types.push(type) - 1;
      this.indices.set(key(type), index);
    }
    return index;
  }
}

function key(type: FunctionType): string {
  return `${type.params.join(",")}:${type.results.join(",")}`;
}

function section<T>(
  out: ByteWriter,
  id: number,
  items: readonly T[],
  writeItem: (w: ByteWriter, item: T) => void,
): void {
  const w = new ByteWriter().u32(items.length);
  for (const item of items) writeItem(w, item);
  out.byte(id).sized(w.finish());
}

/** A runtime body with the function indices it names renumbered. */
function writeRenumbered(w: ByteWriter, body: Body, renumber: (index: number) => number): void {
  const indices = body.references.map((ref) => unsignedLeb(renumber(ref.index)));
  let size = body.bytes.length;
  body.references.forEach((ref, i) => (size += indices[i]!.length - (ref.end - ref.start)));
  w.u32(size);
  let at = 0;
  body.references.forEach((ref, i) => {
    w.bytes(body.bytes.subarray(at, ref.start)).bytes(indices[i]!);
    at = ref.end;
  });
  w.bytes(body.bytes.subarray(at));
}
