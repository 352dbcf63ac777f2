// Memoisation of planned rules per evaluation. Each slot holds (scope id, result); a slot counts
// only in the scope that wrote it. rt_memo_push opens a fresh scope (around `with` blocks) and
// rt_memo_pop returns to the enclosing one, whose entries written meanwhile were overwritten and
// are simply recomputed.
//   memoReset()            at the start of every evaluation (allocates the table on the heap)
//   memoGet(fn): Value     0 not memoised, 1 memoised as undefined, else the value
//   memoSet(fn, v), memoPush(), memoPop()
import { malloc } from "./alloc";
import { gh_memo_slots } from "./imports";

let table: usize = 0;
let slots: i32 = 0;
let scope: u32 = 0;
let nextScope: u32 = 0;
let stack: usize = 0; // linked list of saved scopes: {scope u32, next u32}

export function memoReset(): void {
  slots = gh_memo_slots();
  table = slots > 0 ? malloc(<usize>slots << 3) : 0;
  if (table != 0) memory.fill(table, 0, <usize>slots << 3);
  scope = ++nextScope;
  stack = 0;
}

export function memoGet(fn: i32): usize {
  if (table == 0 || fn < 0 || fn >= slots) return 0;
  const slot = table + (<usize>fn << 3);
  return load<u32>(slot) == scope ? <usize>load<u32>(slot, 4) : 0;
}

export function memoSet(fn: i32, v: usize): void {
  if (table == 0 || fn < 0 || fn >= slots) return;
  const slot = table + (<usize>fn << 3);
  store<u32>(slot, scope);
  store<u32>(slot, v == 0 ? 1 : <u32>v, 4);
}

export function memoPush(): void {
  const node = malloc(8);
  store<u32>(node, scope);
  store<u32>(node, <u32>stack, 4);
  stack = node;
  scope = ++nextScope;
}

export function memoPop(): void {
  if (stack == 0) return;
  scope = load<u32>(stack);
  stack = <usize>load<u32>(stack, 4);
}
