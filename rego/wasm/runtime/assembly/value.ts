// The value model. Every value is the address (usize) of a record in linear memory; 0 = undefined.
// Tags (u32 at +0, OPA's numbering): 1 null, 2 boolean, 3 number, 4 string, 5 array, 6 object, 7 set.
//
// Layouts (all but the string layout are private to the runtime; use the functions below):
//   boolean  +4 u32 0/1                      (static singletons: makeBoolean never allocates)
//   number   +4 u32 kind (0 int, 1 float, 2 big integer)  +8 i64 or f64 (big: nearest f64)
//            big integers (beyond i64) also keep their decimal text: +16 address, +20 length
//   string   +4 u32 byte length  +8 address of the UTF-8 bytes   (FIXED: the linker emits these)
//   array    +4 u32 length  +8 u32 capacity  +12 address of i32[capacity] element addresses
//   set      like array, elements kept sorted by compare() and unique
//   object   +4 u32 length  +8 u32 capacity  +12 address of (key, value) i32 pairs sorted by key
//
// API (Value = usize):
//   tagOf(v): u32                       0 for undefined
//   makeNull(), makeBoolean(b: bool), makeInt(x: i64), makeFloat(x: f64), makeNumber(x: f64)
//     (makeNumber stores integral values in i64 range as ints)
//   booleanValue(v): bool
//   numberIsInt(v): bool, numberInt(v): i64 (int numbers only), numberFloat(v): f64 (any number)
//   makeBigInt(text, len, approx), numberIsBig(v), numberBigText(v) / numberBigLength(v):
//     integers beyond i64 keep their exact decimal text (compared and printed exactly;
//     arithmetic uses the f64 approximation)
//   numberAsInt(v): bool — true when v is a number with an integral value in i64 range;
//     its value is then numberToI64(v)
//   makeString(bytes, len) copies; makeStringView(bytes, len) references the bytes (immutable!)
//   stringFromLiteral(s: string): Value      UTF-8 of an AssemblyScript string literal
//   stringLength(v): u32 (bytes), stringData(v): usize
//   stringEqualsLiteral(v, s: string): bool
//   newArray(capacity: i32), arrayAppend(arr, v), arrayLength(arr): i32, arrayGet(arr, i): Value
//   arraySet(arr, i, v) — only on arrays you just built with newArray + arrayAppend
//   newSet(), setAdd(set, v), setContains(set, v): bool, setLength(set): i32, setGet(set, i)
//   newObject(), objectInsert(obj, k, v) (overwrites), objectGet(obj, k): Value (0 = absent),
//   objectLength(obj): i32, objectKey(obj, i), objectValue(obj, i), objectIndexOf(obj, k): i32 (-1)
//   collectionLength(v): i32  length of array/object/set, 0 otherwise
//   typeName(v): string  "null", "boolean", "number", "string", "array", "object", "set"
// Equality and ordering live in compare.ts (equal(a, b): bool, compare(a, b): i32).
import { malloc, grow } from "./alloc";
import { compare, compareBytes } from "./compare";
import { charge } from "./fuel";

export type Value = usize;

export const TAG_NULL: u32 = 1;
export const TAG_BOOLEAN: u32 = 2;
export const TAG_NUMBER: u32 = 3;
export const TAG_STRING: u32 = 4;
export const TAG_ARRAY: u32 = 5;
export const TAG_OBJECT: u32 = 6;
export const TAG_SET: u32 = 7;

const NULL_VALUE = memory.data<u32>([1, 0]);
const FALSE_VALUE = memory.data<u32>([2, 0]);
const TRUE_VALUE = memory.data<u32>([2, 1]);

const NUM_INT: u32 = 0;
const NUM_FLOAT: u32 = 1;
const NUM_BIG: u32 = 2;

// @ts-ignore: decorator
@inline export function tagOf(v: Value): u32 {
  return v == 0 ? 0 : load<u32>(v);
}

export function makeNull(): Value {
  return NULL_VALUE;
}

export function makeBoolean(b: bool): Value {
  return b ? TRUE_VALUE : FALSE_VALUE;
}

export function booleanValue(v: Value): bool {
  return load<u32>(v, 4) != 0;
}

// ---- numbers ----

export function makeInt(x: i64): Value {
  const v = malloc(16);
  store<u32>(v, TAG_NUMBER);
  store<u32>(v, NUM_INT, 4);
  store<i64>(v, x, 8);
  return v;
}

export function makeFloat(x: f64): Value {
  const v = malloc(16);
  store<u32>(v, TAG_NUMBER);
  store<u32>(v, NUM_FLOAT, 4);
  store<f64>(v, x, 8);
  return v;
}

/** An integer beyond i64: `len` bytes of decimal text at `text` (kept, not copied) and its f64. */
export function makeBigInt(text: usize, len: u32, approx: f64): Value {
  const v = malloc(24);
  store<u32>(v, TAG_NUMBER);
  store<u32>(v, NUM_BIG, 4);
  store<f64>(v, approx, 8);
  store<u32>(v, <u32>text, 16);
  store<u32>(v, len, 20);
  return v;
}

export function numberIsBig(v: Value): bool {
  return load<u32>(v, 4) == NUM_BIG;
}

export function numberBigText(v: Value): usize {
  return <usize>load<u32>(v, 16);
}

export function numberBigLength(v: Value): u32 {
  return load<u32>(v, 20);
}

/** A number from an f64 result: integral values within ±2^63 are stored as integers. */
export function makeNumber(x: f64): Value {
  if (isIntegralF64(x)) return makeInt(<i64>x);
  return makeFloat(x);
}

export function isIntegralF64(x: f64): bool {
  return isFinite(x) && Math.trunc(x) == x && x >= -9223372036854775808.0 && x < 9223372036854775808.0;
}

export function numberIsInt(v: Value): bool {
  return load<u32>(v, 4) == NUM_INT;
}

export function numberInt(v: Value): i64 {
  return load<i64>(v, 8);
}

export function numberFloat(v: Value): f64 {
  return load<u32>(v, 4) == NUM_INT ? <f64>load<i64>(v, 8) : load<f64>(v, 8);
}

/** True when v is a number with an integral value representable as i64. */
export function numberAsInt(v: Value): bool {
  if (tagOf(v) != TAG_NUMBER) return false;
  if (numberIsInt(v)) return true;
  return isIntegralF64(load<f64>(v, 8));
}

/** The integral value of a number for which numberAsInt(v) holds. */
export function numberToI64(v: Value): i64 {
  return numberIsInt(v) ? load<i64>(v, 8) : <i64>load<f64>(v, 8);
}

/** Overwrite the integer of a number made by makeInt (rt_number_set_int). */
export function numberSetInt(v: Value, x: i64): void {
  store<u32>(v, NUM_INT, 4);
  store<i64>(v, x, 8);
}

// ---- strings ----

export function makeStringView(bytes: usize, len: u32): Value {
  const v = malloc(12);
  store<u32>(v, TAG_STRING);
  store<u32>(v, len, 4);
  store<u32>(v, <u32>bytes, 8);
  return v;
}

export function makeString(bytes: usize, len: u32): Value {
  const data = malloc(len);
  memory.copy(data, bytes, len);
  return makeStringView(data, len);
}

export function stringLength(v: Value): u32 {
  return load<u32>(v, 4);
}

export function stringData(v: Value): usize {
  return <usize>load<u32>(v, 8);
}

/** UTF-8 length of an AssemblyScript (UTF-16) string. */
export function utf8LengthOfLiteral(s: string): u32 {
  let n: u32 = 0;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = <u32>s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < len) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Write the UTF-8 of `s` at `dst`; returns the byte count. */
export function writeLiteralUtf8(s: string, dst: usize): u32 {
  let p = dst;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    let c = <u32>s.charCodeAt(i);
    if (c < 0x80) {
      store<u8>(p++, <u8>c);
    } else if (c < 0x800) {
      store<u8>(p++, <u8>(0xc0 | (c >> 6)));
      store<u8>(p++, <u8>(0x80 | (c & 0x3f)));
    } else {
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < len) {
        const lo = <u32>s.charCodeAt(i + 1);
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
        store<u8>(p++, <u8>(0xf0 | (c >> 18)));
        store<u8>(p++, <u8>(0x80 | ((c >> 12) & 0x3f)));
      } else {
        store<u8>(p++, <u8>(0xe0 | (c >> 12)));
      }
      store<u8>(p++, <u8>(0x80 | ((c >> 6) & 0x3f)));
      store<u8>(p++, <u8>(0x80 | (c & 0x3f)));
    }
  }
  return <u32>(p - dst);
}

export function stringFromLiteral(s: string): Value {
  const n = utf8LengthOfLiteral(s);
  const data = malloc(n);
  writeLiteralUtf8(s, data);
  return makeStringView(data, n);
}

/** True when the string value v has exactly the (ASCII) characters of `s`. */
export function stringEqualsLiteral(v: Value, s: string): bool {
  if (tagOf(v) != TAG_STRING) return false;
  const n = stringLength(v);
  if (n != <u32>s.length) return false;
  const p = stringData(v);
  for (let i: u32 = 0; i < n; i++) {
    if (<u32>load<u8>(p + i) != <u32>s.charCodeAt(i)) return false;
  }
  return true;
}

// ---- arrays and sets (same layout) ----

function newSequence(tag: u32, capacity: i32): Value {
  const cap: u32 = capacity > 0 ? <u32>capacity : 0;
  const v = malloc(16);
  store<u32>(v, tag);
  store<u32>(v, 0, 4);
  store<u32>(v, cap, 8);
  store<u32>(v, cap > 0 ? <u32>malloc(<usize>cap << 2) : 0, 12);
  return v;
}

/** Make room for one more slot; returns the element array address. */
function reserveOne(v: Value): usize {
  const len = load<u32>(v, 4);
  const cap = load<u32>(v, 8);
  let elems = <usize>load<u32>(v, 12);
  if (len < cap) return elems;
  const newCap: u32 = cap < 4 ? 4 : cap * 2;
  elems = grow(elems, <usize>cap << 2, <usize>newCap << 2);
  store<u32>(v, newCap, 8);
  store<u32>(v, <u32>elems, 12);
  return elems;
}

export function newArray(capacity: i32): Value {
  return newSequence(TAG_ARRAY, capacity);
}

export function arrayAppend(arr: Value, elem: Value): void {
  const elems = reserveOne(arr);
  const len = load<u32>(arr, 4);
  store<u32>(elems + (<usize>len << 2), <u32>elem);
  store<u32>(arr, len + 1, 4);
}

export function arrayLength(arr: Value): i32 {
  return <i32>load<u32>(arr, 4);
}

export function arrayGet(arr: Value, i: i32): Value {
  return <usize>load<u32>(<usize>load<u32>(arr, 12) + (<usize>i << 2));
}

export function arraySet(arr: Value, i: i32, elem: Value): void {
  store<u32>(<usize>load<u32>(arr, 12) + (<usize>i << 2), <u32>elem);
}

export function newSet(): Value {
  return newSequence(TAG_SET, 0);
}

/** Index of elem in the sorted set, or -(insertion point) - 1. */
function setSearch(set: Value, elem: Value): i32 {
  const len = <i32>load<u32>(set, 4);
  const elems = <usize>load<u32>(set, 12);
  if (len == 0) return -1;
  // fast path: appending in order
  const lastCmp = compare(<usize>load<u32>(elems + (<usize>(len - 1) << 2)), elem);
  if (lastCmp < 0) return -len - 1;
  if (lastCmp == 0) return len - 1;
  let lo = 0;
  let hi = len - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compare(<usize>load<u32>(elems + (<usize>mid << 2)), elem);
    if (c == 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return -lo - 1;
}

export function setAdd(set: Value, elem: Value): void {
  if (elem == 0) return;
  const at = setSearch(set, elem);
  if (at >= 0) return;
  const pos = -at - 1;
  const elems = reserveOne(set);
  const len = <i32>load<u32>(set, 4);
  const slot = elems + (<usize>pos << 2);
  if (pos < len) {
    // inserting out of order shifts the tail: a budget unit per 128 elements moved
    charge(<i64>((len - pos) >> 7));
    memory.copy(slot + 4, slot, <usize>(len - pos) << 2);
  }
  store<u32>(slot, <u32>elem);
  store<u32>(set, <u32>(len + 1), 4);
}

export function setContains(set: Value, elem: Value): bool {
  return setSearch(set, elem) >= 0;
}

export function setLength(set: Value): i32 {
  return <i32>load<u32>(set, 4);
}

export function setGet(set: Value, i: i32): Value {
  return arrayGet(set, i);
}

// ---- objects ----

export function newObject(): Value {
  const v = malloc(16);
  store<u32>(v, TAG_OBJECT);
  store<u32>(v, 0, 4);
  store<u32>(v, 0, 8);
  store<u32>(v, 0, 12);
  return v;
}

/** compare(a, k) with a fast path for string keys, the common case. */
// @ts-ignore: decorator
@inline function compareKey(a: Value, k: Value, kIsString: bool): i32 {
  if (kIsString && load<u32>(a) == TAG_STRING) {
    return compareBytes(stringData(a), stringLength(a), stringData(k), stringLength(k));
  }
  return compare(a, k);
}

/** Index of key k, or -(insertion point) - 1. */
function objectSearch(obj: Value, k: Value): i32 {
  const len = <i32>load<u32>(obj, 4);
  const entries = <usize>load<u32>(obj, 12);
  if (len == 0) return -1;
  const kIsString = load<u32>(k) == TAG_STRING;
  const lastCmp = compareKey(<usize>load<u32>(entries + (<usize>(len - 1) << 3)), k, kIsString);
  if (lastCmp < 0) return -len - 1;
  if (lastCmp == 0) return len - 1;
  let lo = 0;
  let hi = len - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareKey(<usize>load<u32>(entries + (<usize>mid << 3)), k, kIsString);
    if (c == 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return -lo - 1;
}

export function objectIndexOf(obj: Value, k: Value): i32 {
  const at = objectSearch(obj, k);
  return at >= 0 ? at : -1;
}

export function objectInsert(obj: Value, k: Value, v: Value): void {
  const at = objectSearch(obj, k);
  let entries = <usize>load<u32>(obj, 12);
  if (at >= 0) {
    store<u32>(entries + (<usize>at << 3), <u32>v, 4);
    return;
  }
  const pos = -at - 1;
  const len = <i32>load<u32>(obj, 4);
  const cap = <i32>load<u32>(obj, 8);
  if (len == cap) {
    const newCap = cap < 4 ? 4 : cap * 2;
    entries = grow(entries, <usize>cap << 3, <usize>newCap << 3);
    store<u32>(obj, <u32>newCap, 8);
    store<u32>(obj, <u32>entries, 12);
  }
  const slot = entries + (<usize>pos << 3);
  if (pos < len) {
    charge(<i64>((len - pos) >> 6));
    memory.copy(slot + 8, slot, <usize>(len - pos) << 3);
  }
  store<u32>(slot, <u32>k);
  store<u32>(slot, <u32>v, 4);
  store<u32>(obj, <u32>(len + 1), 4);
}

export function objectGet(obj: Value, k: Value): Value {
  const at = objectSearch(obj, k);
  return at >= 0 ? <usize>load<u32>(<usize>load<u32>(obj, 12) + (<usize>at << 3), 4) : 0;
}

export function objectLength(obj: Value): i32 {
  return <i32>load<u32>(obj, 4);
}

export function objectKey(obj: Value, i: i32): Value {
  return <usize>load<u32>(<usize>load<u32>(obj, 12) + (<usize>i << 3));
}

export function objectValue(obj: Value, i: i32): Value {
  return <usize>load<u32>(<usize>load<u32>(obj, 12) + (<usize>i << 3), 4);
}

export function collectionLength(v: Value): i32 {
  const t = tagOf(v);
  return t == TAG_ARRAY || t == TAG_OBJECT || t == TAG_SET ? <i32>load<u32>(v, 4) : 0;
}

export function typeName(v: Value): string {
  switch (tagOf(v)) {
    case TAG_NULL:
      return "null";
    case TAG_BOOLEAN:
      return "boolean";
    case TAG_NUMBER:
      return "number";
    case TAG_STRING:
      return "string";
    case TAG_ARRAY:
      return "array";
    case TAG_OBJECT:
      return "object";
    case TAG_SET:
      return "set";
  }
  return "undefined";
}

/** Remove entry i of an object you own (opa_value_remove_path mutates like OPA's). */
export function objectRemoveAt(obj: Value, i: i32): void {
  const len = objectLength(obj);
  const slot = <usize>load<u32>(obj, 12) + (<usize>i << 3);
  if (i < len - 1) memory.copy(slot, slot + 8, <usize>(len - 1 - i) << 3);
  store<u32>(obj, <u32>(len - 1), 4);
}

/** A shallow copy of an object with room for one more entry. */
export function objectCopy(obj: Value): Value {
  const len = objectLength(obj);
  const cap = len + 1;
  const v = malloc(16);
  const entries = malloc(<usize>cap << 3);
  memory.copy(entries, <usize>load<u32>(obj, 12), <usize>len << 3);
  store<u32>(v, TAG_OBJECT);
  store<u32>(v, <u32>len, 4);
  store<u32>(v, <u32>cap, 8);
  store<u32>(v, <u32>entries, 12);
  return v;
}
