// Bump allocator over the imported memory, starting at gh_heap_base().
// API:
//   malloc(size): usize          8-byte aligned block; grows memory; aborts `opa_malloc: failed`
//   grow(ptr, oldSize, newSize)  resize a block (in place when it is the last one), returns address
//   heapPtr(): usize / setHeapPtr(p)   read / reset the heap top (everything above p is reusable)
// AssemblyScript's managed allocations (`new`, string concatenation, Array, ...) also land here
// (rt/heap.ts), but the helpers in value.ts / buf.ts are faster.
// Every allocation charges the evaluation budget one unit per 8 bytes (fuel.ts): what a builtin
// builds (numbers.range, strings, collections growing) costs in proportion to its size.
import { gh_heap_base, opa_abort } from "./imports";
import { charge } from "./fuel";
// Managed allocations (`--use __new=gh_rt_new` ... in build.mjs) need these in every build.
import "./rt/heap";

let top: usize = 0;

function initialised(): usize {
  if (top == 0) top = (gh_heap_base() + 7) & ~(<usize>7);
  return top;
}

// Static, NUL-terminated ASCII (no allocation possible when the heap is exhausted).
const MALLOC_FAILED = memory.data<u8>([
  0x6f, 0x70, 0x61, 0x5f, 0x6d, 0x61, 0x6c, 0x6c, 0x6f, 0x63, 0x3a, 0x20, 0x66, 0x61, 0x69, 0x6c,
  0x65, 0x64, 0,
]); // "opa_malloc: failed"

// Memory grows at least by its current size: each memory.grow costs about a millisecond in V8 (it
// remaps the buffer), so growing page by page would make an allocating evaluation quadratic. Near
// the host's maximum it grows by what is needed only.
function ensureCapacity(end: usize): void {
  const limit = (<usize>memory.size()) << 16;
  if (end <= limit) return;
  const pages = <i32>((end - limit + 0xffff) >> 16);
  const doubling = memory.size() > pages ? memory.size() : pages;
  if (end > 0xffff0000 || (memory.grow(doubling) < 0 && memory.grow(pages) < 0)) {
    opa_abort(MALLOC_FAILED);
    unreachable();
  }
}

export function malloc(size: usize): usize {
  charge(<i64>(size >> 3));
  const ptr = initialised();
  const end = ptr + ((size + 7) & ~(<usize>7));
  if (end < ptr) {
    opa_abort(MALLOC_FAILED);
    unreachable();
  }
  ensureCapacity(end);
  top = end;
  return ptr;
}

/** Resize a block from `oldSize` to `newSize` bytes, keeping its content. */
export function grow(ptr: usize, oldSize: usize, newSize: usize): usize {
  const oldEnd = ptr + ((oldSize + 7) & ~(<usize>7));
  if (ptr != 0 && oldEnd == top) {
    if (newSize > oldSize) charge(<i64>((newSize - oldSize) >> 3));
    const end = ptr + ((newSize + 7) & ~(<usize>7));
    ensureCapacity(end);
    top = end;
    return ptr;
  }
  const fresh = malloc(newSize);
  if (ptr != 0 && oldSize > 0) memory.copy(fresh, ptr, oldSize < newSize ? oldSize : newSize);
  return fresh;
}

export function heapPtr(): usize {
  return initialised();
}

export function setHeapPtr(p: usize): void {
  top = p;
}
