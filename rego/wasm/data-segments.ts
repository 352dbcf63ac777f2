// Reading and rewriting a binaryen module's linear memory and data segments.
// binaryen.js 132 has no addDataSegment: setMemory replaces the memory and all its segments, so the
// runtime's segments are read back and passed in again. Its typings name the readers
// getNumMemorySegments/getMemorySegmentInfo, while the methods are getNumDataSegments /
// getDataSegmentInfo at run time: hence this typed wrapper.
import binaryen from "binaryen";

export interface DataSegment {
  offset: number;
  data: Uint8Array;
}

interface DataSegmentReaders {
  getNumDataSegments(): number;
  getDataSegmentByIndex(index: number): number;
  getDataSegmentInfo(segment: number): {
    offset: number | null;
    data: ArrayBuffer;
    passive: boolean;
  };
}

export function readDataSegments(module: binaryen.Module): DataSegment[] {
  const readers = module as unknown as DataSegmentReaders;
  const out: DataSegment[] = [];
  for (let i = 0; i < readers.getNumDataSegments(); i++) {
    const info = readers.getDataSegmentInfo(readers.getDataSegmentByIndex(i));
    if (info.passive || info.offset === null) {
      throw new Error(
        "the Wasm runtime has a passive data segment; only active segments are supported",
      );
    }
    out.push({ offset: info.offset, data: new Uint8Array(info.data) });
  }
  return out;
}

/** Highest end address of the given segments. */
export function dataEnd(segments: DataSegment[]): number {
  return segments.reduce((end, s) => Math.max(end, s.offset + s.data.length), 0);
}

/**
 * First address the runtime does not use statically. AssemblyScript lays out static data (the
 * segments, plus zero-filled `memory.data` areas that get no segment), then a shadow stack that
 * grows down from a mutable i32 global initialised to its top (__heap_base). Any i32 global whose
 * constant initialiser points above the segments and inside the runtime's initial memory is taken
 * as such a reservation, so policy data never lands in the runtime's stack or scratch areas.
 */
export function runtimeStaticEnd(module: binaryen.Module, segments: DataSegment[]): number {
  const data = dataEnd(segments);
  const initialBytes = module.hasMemory()
    ? module.getMemoryInfo(memoryName(module)).initial * 65536
    : 0;
  let end = data;
  for (let i = 0; i < module.getNumGlobals(); i++) {
    const global = binaryen.getGlobalInfo(module.getGlobalByIndex(i));
    if (global.type !== binaryen.i32 || global.module || !global.init) continue;
    if (binaryen.getExpressionId(global.init) !== binaryen.ConstId) continue;
    const value = (binaryen.getExpressionInfo(global.init) as binaryen.ConstInfo).value as number;
    if (value > end && value <= initialBytes) end = value;
  }
  return end;
}

/** Internal name of the module's memory (exported as `memory`, else binaryen's default "0"). */
export function memoryName(module: binaryen.Module): string {
  const ref = module.getExport("memory");
  if (ref) {
    const info = binaryen.getExportInfo(ref);
    if (info.kind === binaryen.ExternalMemory) return info.value;
  }
  return "0";
}

/**
 * Replace the memory by an import `env.memory` of `initialPages` pages with no maximum (a host
 * memory created without a maximum cannot satisfy an import that declares one), holding
 * `segments`, and export it as `memory`.
 */
export function setImportedMemory(
  module: binaryen.Module,
  initialPages: number,
  segments: DataSegment[],
): void {
  const name = memoryName(module);
  if (module.getExport("memory")) module.removeExport("memory");
  module.setMemory(
    initialPages,
    -1,
    "memory",
    segments.map((s) => ({ offset: module.i32.const(s.offset), data: s.data, passive: false })),
    false,
    false,
    name,
  );
  module.addMemoryImport(name, "env", "memory");
}
