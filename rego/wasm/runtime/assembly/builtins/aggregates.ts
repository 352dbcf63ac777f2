// Aggregate builtins: count sum product max min sort.
import { Value, TAG_ARRAY, TAG_OBJECT, TAG_SET, TAG_STRING, TAG_NUMBER, tagOf, makeInt, makeNumber,
  numberIsInt, numberInt, numberFloat, stringData, stringLength, arrayLength, arrayGet,
  collectionLength } from "../value";
import { compare } from "../compare";
import { sortedArray } from "../sort";
import { typeError, typeErrorMessage } from "../errors";
import { runeCount } from "./unicode";
import { charge } from "../fuel";

export function builtin$count(v: Value): Value {
  switch (tagOf(v)) {
    case TAG_ARRAY:
    case TAG_OBJECT:
    case TAG_SET:
      return makeInt(collectionLength(v));
    case TAG_STRING:
      return makeInt(runeCount(stringData(v), <usize>stringLength(v)));
  }
  if (v == 0) return 0;
  return typeError("count", 1, "array, object, set, string", v);
}

function isArrayOrSet(v: Value): bool {
  const t = tagOf(v);
  return t == TAG_ARRAY || t == TAG_SET;
}

/** Checks an array or set of numbers; false after reporting the type error. */
function numbersOperand(name: string, v: Value): bool {
  if (!isArrayOrSet(v)) {
    typeError(name, 1, "set, array", v);
    return false;
  }
  const n = arrayLength(v);
  charge(<i64>n); // the caller's own pass over the elements
  for (let i = 0; i < n; i++) {
    if (tagOf(arrayGet(v, i)) != TAG_NUMBER) {
      typeErrorMessage(name, tagOf(v) == TAG_SET ? "operand 1 must be set of numbers" : "operand 1 must be array of numbers");
      return false;
    }
  }
  return true;
}

export function builtin$sum(v: Value): Value {
  if (v == 0 || !numbersOperand("sum", v)) return 0;
  const n = arrayLength(v);
  let exact = true;
  let acc: i64 = 0;
  let facc: f64 = 0;
  for (let i = 0; i < n; i++) {
    const x = arrayGet(v, i);
    if (exact && numberIsInt(x)) {
      const y = numberInt(x);
      const r = acc + y;
      if (((acc ^ r) & (y ^ r)) >= 0) {
        acc = r;
        continue;
      }
    }
    if (exact) {
      exact = false;
      facc = <f64>acc;
    }
    facc += numberFloat(x);
  }
  return exact ? makeInt(acc) : makeNumber(facc);
}

export function builtin$product(v: Value): Value {
  if (v == 0 || !numbersOperand("product", v)) return 0;
  const n = arrayLength(v);
  let exact = true;
  let acc: i64 = 1;
  let facc: f64 = 1;
  for (let i = 0; i < n; i++) {
    const x = arrayGet(v, i);
    if (exact && numberIsInt(x)) {
      const y = numberInt(x);
      if (acc == <i64><i32>acc && y == <i64><i32>y) {
        acc *= y;
        continue;
      }
    }
    if (exact) {
      exact = false;
      facc = <f64>acc;
    }
    facc *= numberFloat(x);
  }
  return exact ? makeInt(acc) : makeNumber(facc);
}

function extreme(name: string, v: Value, sign: i32): Value {
  if (v == 0) return 0;
  if (!isArrayOrSet(v)) return typeError(name, 1, "set, array", v);
  const n = arrayLength(v);
  if (n == 0) return 0;
  let best = arrayGet(v, 0);
  charge(<i64>n);
  for (let i = 1; i < n; i++) {
    const x = arrayGet(v, i);
    if (compare(x, best) * sign > 0) best = x;
  }
  return best;
}

export function builtin$max(v: Value): Value {
  return extreme("max", v, 1);
}

export function builtin$min(v: Value): Value {
  return extreme("min", v, -1);
}

export function builtin$sort(v: Value): Value {
  if (v == 0) return 0;
  if (!isArrayOrSet(v)) return typeError("sort", 1, "array, set", v);
  return sortedArray(v);
}
