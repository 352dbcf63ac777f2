// Byte-level search on string values, and the operand checks the string builtins share.
//   bytesIndexOf(p, n, q, m, from): i32   first index >= from of bytes q[0..m) in p[0..n), or -1
//   bytesMatchAt(p, n, at, q, m): bool     q[0..m) occurs in p at byte offset `at`
//   stringView(s, from, to): Value          string value of bytes [from, to) of string s (no copy)
//   stringOperands(name, args..., count)    type errors for non-string operands (see below)
//   collectionOfStringsError(name, pos, coll, elem)  OPA's "must be array of strings" error
import {
  Value,
  tagOf,
  TAG_STRING,
  makeStringView,
  stringData,
  stringLength,
  typeName,
} from "../value";
import { typeError, typeErrorMessage, strictErrors } from "../errors";
import { charge } from "../fuel";

export function bytesMatchAt(p: usize, n: u32, at: u32, q: usize, m: u32): bool {
  if (at + m > n) return false;
  charge(<i64>((m >> 4) + 1));
  for (let i: u32 = 0; i < m; i++) {
    if (load<u8>(p + at + i) != load<u8>(q + i)) return false;
  }
  return true;
}

export function bytesIndexOf(p: usize, n: u32, q: usize, m: u32, from: u32): i32 {
  if (m > n) return -1;
  if (m == 0) return from <= n ? <i32>from : -1;
  const first = load<u8>(q);
  const last = n - m;
  if (last >= from) charge(<i64>((last - from) >> 4));
  for (let i = from; i <= last; i++) {
    if (load<u8>(p + i) == first && bytesMatchAt(p, n, i, q, m)) return <i32>i;
  }
  return -1;
}

export function stringView(s: Value, from: u32, to: u32): Value {
  return makeStringView(stringData(s) + from, to - from);
}

export function isString(v: Value): bool {
  return tagOf(v) == TAG_STRING;
}

/** The first operand of a..c (up to `count`) that is not a string, as its position; 0 if all are. */
export function firstNonString(a: Value, b: Value, c: Value, count: i32): i32 {
  if (!isString(a)) return 1;
  if (count >= 2 && !isString(b)) return 2;
  if (count >= 3 && !isString(c)) return 3;
  return 0;
}

/** Report `name: operand <pos> must be string but got <type>` for the operand at `pos`. */
export function notStringError(name: string, pos: i32, a: Value, b: Value, c: Value): Value {
  return typeError(name, pos, "string", pos == 1 ? a : pos == 2 ? b : c);
}

/** `operand 2 must be array of strings but got array containing number` */
export function collectionOfStringsError(name: string, pos: i32, coll: Value, elem: Value): Value {
  if (!strictErrors()) return 0;
  const kind = typeName(coll);
  return typeErrorMessage(
    name,
    "operand " +
      pos.toString() +
      " must be " +
      kind +
      " of strings but got " +
      kind +
      " containing " +
      typeName(elem),
  );
}

/** Bytes of string value s equal those of t. */
export function sameBytes(s: Value, t: Value): bool {
  const n = stringLength(s);
  return n == stringLength(t) && bytesMatchAt(stringData(s), n, 0, stringData(t), n);
}
