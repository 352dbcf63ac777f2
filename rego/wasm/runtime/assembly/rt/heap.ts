// Managed AssemblyScript allocations (`new`, String, Array, string concatenation, number
// toString ...) on the runtime's bump heap (alloc.ts), so such objects live until the next
// opa_heap_ptr_set like any value. build.mjs compiles with `--runtime stub` (no shadow stack, no
// GC) and aliases the stub's entry points to these: `--use __new=gh_rt_new` etc. Nothing is freed.
import { malloc, grow } from "../alloc";

// Block header: u32 payload size at -4 (BLOCK.mmInfo). Object header (OBJECT): mmInfo, gcInfo,
// gcInfo2, rtId, rtSize: 20 bytes before the payload.
const OBJECT_HEADER: usize = 20;

// @ts-ignore: decorator
@unsafe @global
export function gh_rt_alloc(size: usize): usize {
  const p = malloc(size + 4);
  store<u32>(p, <u32>size);
  return p + 4;
}

// @ts-ignore: decorator
@unsafe @global
export function gh_rt_realloc(ptr: usize, size: usize): usize {
  const old = <usize>load<u32>(ptr - 4);
  const p = grow(ptr - 4, old + 4, size + 4);
  store<u32>(p, <u32>size);
  return p + 4;
}

// @ts-ignore: decorator
@unsafe @global
export function gh_rt_free(ptr: usize): void {}

// @ts-ignore: decorator
@unsafe @global
export function gh_rt_new(size: usize, id: u32): usize {
  const p = malloc(OBJECT_HEADER + size);
  store<u32>(p, <u32>(size + 16));
  store<u32>(p, 0, 4);
  store<u32>(p, 0, 8);
  store<u32>(p, id, 12);
  store<u32>(p, <u32>size, 16);
  return p + OBJECT_HEADER;
}

// @ts-ignore: decorator
@unsafe @global
export function gh_rt_renew(oldPtr: usize, size: usize): usize {
  const oldSize = <usize>load<u32>(oldPtr - 4);
  const p = grow(oldPtr - OBJECT_HEADER, OBJECT_HEADER + oldSize, OBJECT_HEADER + size);
  store<u32>(p, <u32>(size + 16));
  store<u32>(p, <u32>size, 16);
  return p + OBJECT_HEADER;
}
