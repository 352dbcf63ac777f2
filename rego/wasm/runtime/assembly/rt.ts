// The code generator's runtime calls (docs/rego-runtime-abi.md, "Exports the code generator calls").
// All take and return value addresses (0 = undefined) unless stated.
import { Value, TAG_ARRAY, TAG_OBJECT, TAG_SET, TAG_STRING, tagOf, makeNull, makeBoolean, makeInt,
  numberSetInt, numberAsInt, numberToI64, stringData, stringLength, newArray, arrayAppend,
  arrayLength, arrayGet, newObject, objectInsert, objectGet, objectLength, objectKey, objectValue,
  objectCopy, newSet, setAdd, collectionLength } from "./value";
import { compare, equal } from "./compare";
import { numberFromText } from "./json";
import { memoGet, memoSet, memoPush, memoPop } from "./memo";

export function rt_null(): Value {
  return makeNull();
}

export function rt_boolean(b: i32): Value {
  return makeBoolean(b != 0);
}

export function rt_number_int(x: i64): Value {
  return makeInt(x);
}

/** A number from a string value holding a Rego number literal. */
export function rt_number_parse(s: Value): Value {
  if (tagOf(s) != TAG_STRING || stringLength(s) == 0) return 0;
  return numberFromText(stringData(s), stringLength(s));
}

export function rt_number_set_int(v: Value, x: i64): void {
  numberSetInt(v, x);
}

export function rt_type(v: Value): i32 {
  return <i32>tagOf(v);
}

export function rt_equal(a: Value, b: Value): i32 {
  return equal(a, b) ? 1 : 0;
}

export function rt_compare(a: Value, b: Value): i32 {
  return compare(a, b);
}

export function rt_array_new(capacity: i32): Value {
  return newArray(capacity);
}

export function rt_array_append(arr: Value, v: Value): void {
  arrayAppend(arr, v);
}

export function rt_object_new(): Value {
  return newObject();
}

export function rt_object_insert(obj: Value, k: Value, v: Value): void {
  objectInsert(obj, k, v);
}

/** 0 when inserted or the same value is present, 1 on conflict. */
export function rt_object_insert_once(obj: Value, k: Value, v: Value): i32 {
  const existing = objectGet(obj, k);
  if (existing == 0) {
    objectInsert(obj, k, v);
    return 0;
  }
  return equal(existing, v) ? 0 : 1;
}

export function rt_set_new(): Value {
  return newSet();
}

export function rt_set_add(set: Value, v: Value): void {
  setAdd(set, v);
}

export function rt_dot(src: Value, key: Value): Value {
  switch (tagOf(src)) {
    case TAG_OBJECT:
      return objectGet(src, key);
    case TAG_ARRAY: {
      if (!numberAsInt(key)) return 0;
      const i = numberToI64(key);
      return i >= 0 && i < <i64>arrayLength(src) ? arrayGet(src, <i32>i) : 0;
    }
    case TAG_SET:
      return setFind(src, key);
  }
  return 0;
}

/** The stored element of set equal to v, or 0. */
function setFind(set: Value, v: Value): Value {
  let lo = 0;
  let hi = arrayLength(set);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compare(arrayGet(set, mid), v);
    if (c == 0) return arrayGet(set, mid);
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

export function rt_length(v: Value): i32 {
  return collectionLength(v);
}

export function rt_iter_key(coll: Value, i: i32): Value {
  switch (tagOf(coll)) {
    case TAG_ARRAY:
      return makeInt(i);
    case TAG_OBJECT:
      return objectKey(coll, i);
    case TAG_SET:
      return arrayGet(coll, i);
  }
  return 0;
}

export function rt_iter_value(coll: Value, i: i32): Value {
  switch (tagOf(coll)) {
    case TAG_ARRAY:
    case TAG_SET:
      return arrayGet(coll, i);
    case TAG_OBJECT:
      return objectValue(coll, i);
  }
  return 0;
}

/** Recursive merge of objects a and b; 0 when a shared key holds non-objects on either side. */
export function mergeObjects(a: Value, b: Value): Value {
  if (a == 0) return b;
  if (b == 0) return a;
  if (tagOf(a) != TAG_OBJECT || tagOf(b) != TAG_OBJECT) return 0;
  const out = objectCopy(a);
  const n = objectLength(b);
  for (let i = 0; i < n; i++) {
    const k = objectKey(b, i);
    const bv = objectValue(b, i);
    const av = objectGet(out, k);
    if (av == 0) {
      objectInsert(out, k, bv);
      continue;
    }
    const merged = mergeObjects(av, bv);
    if (merged == 0) return 0;
    objectInsert(out, k, merged);
  }
  return out;
}

export function rt_object_merge(a: Value, b: Value): Value {
  return mergeObjects(a, b);
}

export function rt_object_upsert_copy(base: Value, key: Value, v: Value): Value {
  const out = tagOf(base) == TAG_OBJECT ? objectCopy(base) : newObject();
  objectInsert(out, key, v);
  return out;
}

export function rt_memo_get(fn: i32): Value {
  return memoGet(fn);
}

export function rt_memo_set(fn: i32, v: Value): void {
  memoSet(fn, v);
}

export function rt_memo_push(): void {
  memoPush();
}

export function rt_memo_pop(): void {
  memoPop();
}
