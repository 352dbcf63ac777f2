// OPA Wasm ABI 1.2 exports (see ../shared/docs/opa-wasm-abi.md §1).
import { malloc, heapPtr, setHeapPtr } from "./alloc";
import { gh_eval, gh_builtins_json, gh_entrypoints_json } from "./imports";
import { Value, TAG_OBJECT, TAG_ARRAY, TAG_STRING, tagOf, newSet, newObject, objectGet, objectInsert,
  objectIndexOf, objectRemoveAt, arrayLength, arrayGet } from "./value";
import { parseJson, dumpJson, dumpRego } from "./json";
import { bufNew, bufToCString } from "./buf";
import { fatal } from "./errors";
import { memoReset } from "./memo";
import { fuelStart, fuelStop, fuelIdle } from "./fuel";
import { readHostText } from "./host-text";

const OPA_ERR_OK: i32 = 0;
const OPA_ERR_INVALID_TYPE: i32 = 2;
const OPA_ERR_INVALID_PATH: i32 = 3;

export function opa_malloc(size: usize): usize {
  return malloc(size);
}

export function opa_free(addr: usize): void {}

export function opa_heap_ptr_get(): usize {
  return heapPtr();
}

// The host resets the heap before loading data or input: any evaluation it interrupted is over.
export function opa_heap_ptr_set(addr: usize): void {
  fuelIdle();
  setHeapPtr(addr);
}

// Unlike OPA's (0 on failure), these abort: a host that ignored the 0 would evaluate without
// its input or data (host-text.ts).
export function opa_json_parse(addr: usize, len: usize): Value {
  return readHostText(addr, len, false, "opa_json_parse: JSON text");
}

export function opa_value_parse(addr: usize, len: usize): Value {
  return readHostText(addr, len, true, "opa_value_parse: value text");
}

export function opa_json_dump(v: Value): usize {
  const b = bufNew(256);
  dumpJson(b, v);
  return bufToCString(b);
}

export function opa_value_dump(v: Value): usize {
  const b = bufNew(256);
  dumpRego(b, v);
  return bufToCString(b);
}

function cstrlen(p: usize): u32 {
  let q = p;
  while (load<u8>(q) != 0) q++;
  return <u32>(q - p);
}

export function builtins(): Value {
  const p = gh_builtins_json();
  return parseJson(p, cstrlen(p));
}

export function entrypoints(): Value {
  const p = gh_entrypoints_json();
  return parseJson(p, cstrlen(p));
}

/** Run entrypoint on input/data within the evaluation budget; returns the result set. */
function evaluate(entrypoint: i32, input: Value, data: Value): Value {
  memoReset();
  const rs = newSet();
  fuelStart();
  gh_eval(entrypoint, input, data, rs);
  fuelStop();
  return rs;
}

export function opa_eval(
  reserved: i32, entrypoint: i32, data: Value, input: usize, inputLen: usize, heapPtrAt: usize, format: i32,
): usize {
  if (reserved != 0) fatal("invalid reserved argument");
  if (heapPtrAt != 0) setHeapPtr(heapPtrAt);
  fuelIdle();
  const inputValue: Value = inputLen == 0 ? 0 : readHostText(input, inputLen, true, "input");
  const rs = evaluate(entrypoint, inputValue, data);
  return format != 0 ? opa_value_dump(rs) : opa_json_dump(rs);
}

// ---- legacy context API: ctx = {input +0, data +4, result +8, entrypoint +12} ----

export function opa_eval_ctx_new(): usize {
  const ctx = malloc(16);
  memory.fill(ctx, 0, 16);
  return ctx;
}

export function opa_eval_ctx_set_input(ctx: usize, v: Value): void {
  store<u32>(ctx, <u32>v);
}

export function opa_eval_ctx_set_data(ctx: usize, v: Value): void {
  store<u32>(ctx, <u32>v, 4);
}

export function opa_eval_ctx_set_entrypoint(ctx: usize, entrypoint: i32): void {
  store<i32>(ctx, entrypoint, 12);
}

export function opa_eval_ctx_get_result(ctx: usize): Value {
  return <usize>load<u32>(ctx, 8);
}

export function eval(ctx: usize): i32 {
  const rs = evaluate(load<i32>(ctx, 12), <usize>load<u32>(ctx), <usize>load<u32>(ctx, 4));
  store<u32>(ctx, <u32>rs, 8);
  return 0;
}

// ---- data patching (mutates `base` in place, as OPA does) ----

function validPath(path: Value): bool {
  if (tagOf(path) != TAG_ARRAY || arrayLength(path) == 0) return false;
  for (let i = 0; i < arrayLength(path); i++) {
    if (tagOf(arrayGet(path, i)) != TAG_STRING) return false;
  }
  return true;
}

export function opa_value_add_path(base: Value, path: Value, v: Value): i32 {
  if (!validPath(path)) return OPA_ERR_INVALID_PATH;
  if (tagOf(base) != TAG_OBJECT) return OPA_ERR_INVALID_TYPE;
  let cur = base;
  const last = arrayLength(path) - 1;
  for (let i = 0; i < last; i++) {
    const key = arrayGet(path, i);
    let child = objectGet(cur, key);
    if (child == 0) {
      child = newObject();
      objectInsert(cur, key, child);
    } else if (tagOf(child) != TAG_OBJECT) {
      return OPA_ERR_INVALID_TYPE;
    }
    cur = child;
  }
  objectInsert(cur, arrayGet(path, last), v);
  return OPA_ERR_OK;
}

export function opa_value_remove_path(base: Value, path: Value): i32 {
  if (!validPath(path)) return OPA_ERR_INVALID_PATH;
  let cur = base;
  const last = arrayLength(path) - 1;
  for (let i = 0; i < last; i++) {
    if (tagOf(cur) != TAG_OBJECT) return OPA_ERR_INVALID_PATH;
    cur = objectGet(cur, arrayGet(path, i));
  }
  if (tagOf(cur) != TAG_OBJECT) return OPA_ERR_INVALID_PATH;
  const at = objectIndexOf(cur, arrayGet(path, last));
  if (at < 0) return OPA_ERR_INVALID_PATH;
  objectRemoveAt(cur, at);
  return OPA_ERR_OK;
}
