// Comparison and membership builtins: equal neq lt lte gt gte internal.member_2 internal.member_3.
import { Value, TAG_ARRAY, TAG_OBJECT, TAG_SET, tagOf, makeBoolean, arrayLength, arrayGet,
  objectLength, objectValue, objectGet, setContains, numberAsInt, numberToI64 } from "../value";
import { compare, equal } from "../compare";
import { charge } from "../fuel";

export function builtin$equal(a: Value, b: Value): Value {
  if (a == 0 || b == 0) return 0;
  return makeBoolean(equal(a, b));
}

export function builtin$neq(a: Value, b: Value): Value {
  if (a == 0 || b == 0) return 0;
  return makeBoolean(!equal(a, b));
}

export function builtin$lt(a: Value, b: Value): Value {
  if (a == 0 || b == 0) return 0;
  return makeBoolean(compare(a, b) < 0);
}

export function builtin$lte(a: Value, b: Value): Value {
  if (a == 0 || b == 0) return 0;
  return makeBoolean(compare(a, b) <= 0);
}

export function builtin$gt(a: Value, b: Value): Value {
  if (a == 0 || b == 0) return 0;
  return makeBoolean(compare(a, b) > 0);
}

export function builtin$gte(a: Value, b: Value): Value {
  if (a == 0 || b == 0) return 0;
  return makeBoolean(compare(a, b) >= 0);
}

/** `x in coll`: element of an array or set, value of an object; false for anything else. */
export function builtin$internal$member_2(x: Value, coll: Value): Value {
  if (x == 0 || coll == 0) return 0;
  switch (tagOf(coll)) {
    case TAG_ARRAY: {
      const n = arrayLength(coll);
      charge(<i64>n);
      for (let i = 0; i < n; i++) if (equal(arrayGet(coll, i), x)) return makeBoolean(true);
      break;
    }
    case TAG_SET:
      return makeBoolean(setContains(coll, x));
    case TAG_OBJECT: {
      const n = objectLength(coll);
      charge(<i64>n);
      for (let i = 0; i < n; i++) if (equal(objectValue(coll, i), x)) return makeBoolean(true);
      break;
    }
  }
  return makeBoolean(false);
}

/** `k, v in coll`: coll[k] == v for arrays and objects (sets: k == v and member). */
export function builtin$internal$member_3(k: Value, v: Value, coll: Value): Value {
  if (k == 0 || v == 0 || coll == 0) return 0;
  switch (tagOf(coll)) {
    case TAG_ARRAY: {
      if (!numberAsInt(k)) break;
      const i = numberToI64(k);
      if (i < 0 || i >= <i64>arrayLength(coll)) break;
      return makeBoolean(equal(arrayGet(coll, <i32>i), v));
    }
    case TAG_OBJECT: {
      const found = objectGet(coll, k);
      return makeBoolean(found != 0 && equal(found, v));
    }
    case TAG_SET:
      return makeBoolean(equal(k, v) && setContains(coll, k));
  }
  return makeBoolean(false);
}
