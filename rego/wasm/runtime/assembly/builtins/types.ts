// Type builtins: is_number is_string is_boolean is_array is_set is_object is_null type_name
// to_number.
import { Value, TAG_NULL, TAG_BOOLEAN, TAG_NUMBER, TAG_STRING, TAG_ARRAY, TAG_OBJECT, TAG_SET, tagOf,
  makeBoolean, makeInt, booleanValue, stringData, stringLength, stringFromLiteral, typeName,
  makeFloat } from "../value";
import { numberFromText, decimalToF64 } from "../json";
import { typeError, builtinError } from "../errors";

function is(v: Value, tag: u32): Value {
  if (v == 0) return 0;
  return makeBoolean(tagOf(v) == tag);
}

export function builtin$is_number(v: Value): Value {
  return is(v, TAG_NUMBER);
}

export function builtin$is_string(v: Value): Value {
  return is(v, TAG_STRING);
}

export function builtin$is_boolean(v: Value): Value {
  return is(v, TAG_BOOLEAN);
}

export function builtin$is_array(v: Value): Value {
  return is(v, TAG_ARRAY);
}

export function builtin$is_set(v: Value): Value {
  return is(v, TAG_SET);
}

export function builtin$is_object(v: Value): Value {
  return is(v, TAG_OBJECT);
}

export function builtin$is_null(v: Value): Value {
  return is(v, TAG_NULL);
}

export function builtin$type_name(v: Value): Value {
  if (v == 0) return 0;
  return stringFromLiteral(typeName(v));
}

function isDigit(c: u32): bool {
  return c >= 0x30 && c <= 0x39;
}

/** Length of the JSON-style number at p (sign, digits, fraction, exponent), or -1. */
function decimalSyntax(p: usize, n: u32): bool {
  let i: u32 = 0;
  if (i < n && (load<u8>(p) == 0x2d || load<u8>(p) == 0x2b)) i++;
  let digits = 0;
  while (i < n && isDigit(load<u8>(p + i))) {
    i++;
    digits++;
  }
  if (i < n && load<u8>(p + i) == 0x2e) {
    i++;
    while (i < n && isDigit(load<u8>(p + i))) {
      i++;
      digits++;
    }
  }
  if (digits == 0) return false;
  if (i < n && (load<u8>(p + i) == 0x65 || load<u8>(p + i) == 0x45)) {
    i++;
    if (i < n && (load<u8>(p + i) == 0x2d || load<u8>(p + i) == 0x2b)) i++;
    if (i >= n || !isDigit(load<u8>(p + i))) return false;
    while (i < n && isDigit(load<u8>(p + i))) i++;
  }
  return i == n;
}

export function builtin$to_number(v: Value): Value {
  switch (tagOf(v)) {
    case TAG_NULL:
      return makeInt(0);
    case TAG_BOOLEAN:
      return makeInt(booleanValue(v) ? 1 : 0);
    case TAG_NUMBER:
      return v;
    case TAG_STRING: {
      const p = stringData(v);
      const n = stringLength(v);
      if (!decimalSyntax(p, n)) return builtinError("to_number", "invalid syntax");
      // JSON-shaped numbers keep integers exact; other forms ("+1", "1.", ".5") become floats
      let start = p;
      let len = n;
      if (load<u8>(p) == 0x2b) {
        start++;
        len--;
      }
      if (isDigit(load<u8>(start)) || (load<u8>(start) == 0x2d && len > 1 && isDigit(load<u8>(start + 1)))) {
        const last = load<u8>(start + len - 1);
        if (isDigit(last) && !hasDotBeforeNonDigit(start, len)) return numberFromText(start, len);
      }
      return makeFloat(decimalToF64(start, len));
    }
  }
  if (v == 0) return 0;
  return typeError("to_number", 1, "null, boolean, number, string", v);
}

/** True for texts like "1.e5" that JSON's grammar rejects. */
function hasDotBeforeNonDigit(p: usize, n: u32): bool {
  for (let i: u32 = 0; i + 1 < n; i++) {
    if (load<u8>(p + i) == 0x2e && !isDigit(load<u8>(p + i + 1))) return true;
  }
  return false;
}
