// Array builtins: array.concat array.slice array.reverse.
import { Value, TAG_ARRAY, TAG_NUMBER, tagOf, newArray, arrayAppend, arrayLength, arrayGet,
  numberAsInt, numberToI64 } from "../value";
import { typeError } from "../errors";

export function builtin$array$concat(a: Value, b: Value): Value {
  if (a == 0 || b == 0) return 0;
  if (tagOf(a) != TAG_ARRAY) return typeError("array.concat", 1, "array", a);
  if (tagOf(b) != TAG_ARRAY) return typeError("array.concat", 2, "array", b);
  const n = arrayLength(a);
  const m = arrayLength(b);
  const out = newArray(n + m);
  for (let i = 0; i < n; i++) arrayAppend(out, arrayGet(a, i));
  for (let i = 0; i < m; i++) arrayAppend(out, arrayGet(b, i));
  return out;
}

export function builtin$array$slice(arr: Value, start: Value, stop: Value): Value {
  if (arr == 0 || start == 0 || stop == 0) return 0;
  if (tagOf(arr) != TAG_ARRAY) return typeError("array.slice", 1, "array", arr);
  if (tagOf(start) != TAG_NUMBER || !numberAsInt(start)) return typeError("array.slice", 2, "number", start);
  if (tagOf(stop) != TAG_NUMBER || !numberAsInt(stop)) return typeError("array.slice", 3, "number", stop);
  const n = <i64>arrayLength(arr);
  let from = numberToI64(start);
  let to = numberToI64(stop);
  if (from < 0) from = 0;
  if (to > n) to = n;
  const out = newArray(from < to ? <i32>(to - from) : 0);
  for (let i = from; i < to; i++) arrayAppend(out, arrayGet(arr, <i32>i));
  return out;
}

export function builtin$array$reverse(arr: Value): Value {
  if (arr == 0) return 0;
  if (tagOf(arr) != TAG_ARRAY) return typeError("array.reverse", 1, "array", arr);
  const n = arrayLength(arr);
  const out = newArray(n);
  for (let i = n - 1; i >= 0; i--) arrayAppend(out, arrayGet(arr, i));
  return out;
}
