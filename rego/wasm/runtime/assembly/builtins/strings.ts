// String builtins (OPA's topdown/strings.go semantics): byte-wise comparisons, code-point indices.
// The trim family is in trim.ts, replace/replace_n in replace.ts, sprintf in sprintf.ts.
import {
  Value,
  tagOf,
  TAG_STRING,
  TAG_NUMBER,
  TAG_ARRAY,
  TAG_SET,
  makeBoolean,
  makeInt,
  makeStringView,
  stringData,
  stringLength,
  newArray,
  arrayAppend,
  arrayLength,
  arrayGet,
  numberAsInt,
  numberToI64,
  numberIsInt,
  numberFloat,
} from "../value";
import { typeError, typeErrorMessage, builtinError } from "../errors";
import { bufNew, bufBytes, bufByte, bufString, bufToString } from "../buf";
import {
  decodeRune,
  runeWidth,
  encodeRune,
  runeLen,
  runeCount,
  runeOffset,
  toUpperRune,
  toLowerRune,
} from "./unicode";
import {
  bytesIndexOf,
  bytesMatchAt,
  stringView,
  isString,
  firstNonString,
  notStringError,
  collectionOfStringsError,
} from "./strbytes";
import { bufUnsignedBase, bufIntegralF64 } from "./fmtnum";
import { malloc } from "../alloc";

export * from "./trim";
export * from "./replace";

// ---- concat ----

export function builtin$concat(delim: Value, coll: Value): Value {
  if (!isString(delim)) return typeError("concat", 1, "string", delim);
  const t = tagOf(coll);
  if (t != TAG_ARRAY && t != TAG_SET) return typeError("concat", 2, "set, array", coll);
  const n = arrayLength(coll); // sets share the array layout, sorted
  let total: u32 = 0;
  for (let i = 0; i < n; i++) {
    const e = arrayGet(coll, i);
    if (!isString(e)) return collectionOfStringsError("concat", 2, coll, e);
    total += stringLength(e);
  }
  if (n == 1) return arrayGet(coll, 0);
  const b = bufNew(total + (n > 0 ? <u32>(n - 1) * stringLength(delim) : 0));
  for (let i = 0; i < n; i++) {
    if (i > 0) bufString(b, delim);
    bufString(b, arrayGet(coll, i));
  }
  return bufToString(b);
}

// ---- tests on two strings ----

export function builtin$contains(s: Value, sub: Value): Value {
  const bad = firstNonString(s, sub, 0, 2);
  if (bad != 0) return notStringError("contains", bad, s, sub, 0);
  return makeBoolean(
    bytesIndexOf(stringData(s), stringLength(s), stringData(sub), stringLength(sub), 0) >= 0,
  );
}

export function builtin$startswith(s: Value, prefix: Value): Value {
  const bad = firstNonString(s, prefix, 0, 2);
  if (bad != 0) return notStringError("startswith", bad, s, prefix, 0);
  return makeBoolean(hasPrefix(s, prefix));
}

export function builtin$endswith(s: Value, suffix: Value): Value {
  const bad = firstNonString(s, suffix, 0, 2);
  if (bad != 0) return notStringError("endswith", bad, s, suffix, 0);
  return makeBoolean(hasSuffix(s, suffix));
}

function hasPrefix(s: Value, prefix: Value): bool {
  return bytesMatchAt(stringData(s), stringLength(s), 0, stringData(prefix), stringLength(prefix));
}

function hasSuffix(s: Value, suffix: Value): bool {
  const n = stringLength(s);
  const m = stringLength(suffix);
  return m <= n && bytesMatchAt(stringData(s), n, n - m, stringData(suffix), m);
}

// ---- any_prefix_match / any_suffix_match ----

/** Check operand `pos` is a string or an array/set of strings; returns false after reporting. */
function checkStringOrStrings(name: string, pos: i32, v: Value): bool {
  const t = tagOf(v);
  if (t == TAG_STRING) return true;
  if (t != TAG_ARRAY && t != TAG_SET) {
    typeError(name, pos, "string, set, array", v);
    return false;
  }
  const n = arrayLength(v);
  for (let i = 0; i < n; i++) {
    const e = arrayGet(v, i);
    if (!isString(e)) {
      collectionOfStringsError(name, pos, v, e);
      return false;
    }
  }
  return true;
}

function itemCount(v: Value): i32 {
  return tagOf(v) == TAG_STRING ? 1 : arrayLength(v);
}

function itemAt(v: Value, i: i32): Value {
  return tagOf(v) == TAG_STRING ? v : arrayGet(v, i);
}

function anyMatch(name: string, strs: Value, affixes: Value, suffix: bool): Value {
  if (!checkStringOrStrings(name, 1, strs)) return 0;
  if (!checkStringOrStrings(name, 2, affixes)) return 0;
  const n = itemCount(strs);
  const m = itemCount(affixes);
  for (let i = 0; i < n; i++) {
    const s = itemAt(strs, i);
    for (let j = 0; j < m; j++) {
      const a = itemAt(affixes, j);
      if (suffix ? hasSuffix(s, a) : hasPrefix(s, a)) return makeBoolean(true);
    }
  }
  return makeBoolean(false);
}

export function builtin$strings$any_prefix_match(strs: Value, prefixes: Value): Value {
  return anyMatch("strings.any_prefix_match", strs, prefixes, false);
}

export function builtin$strings$any_suffix_match(strs: Value, suffixes: Value): Value {
  return anyMatch("strings.any_suffix_match", strs, suffixes, true);
}

// ---- case ----

const RUNE_SCRATCH = memory.data(4);

function mapCase(s: Value, upper: bool): Value {
  const p = stringData(s);
  const n = stringLength(s);
  const end = p + n;
  const b = bufNew(n);
  let changed = false;
  let q = p;
  const tmp = RUNE_SCRATCH;
  while (q < end) {
    const c = decodeRune(q, end);
    const w = runeWidth;
    const mapped = upper ? toUpperRune(c) : toLowerRune(c);
    if (mapped != c) {
      changed = true;
      bufBytes(b, tmp, encodeRune(tmp, mapped));
    } else bufBytes(b, q, w);
    q += w;
  }
  return changed ? bufToString(b) : s;
}

export function builtin$lower(s: Value): Value {
  if (!isString(s)) return typeError("lower", 1, "string", s);
  return mapCase(s, false);
}

export function builtin$upper(s: Value): Value {
  if (!isString(s)) return typeError("upper", 1, "string", s);
  return mapCase(s, true);
}

// ---- split ----

export function builtin$split(s: Value, delim: Value): Value {
  const bad = firstNonString(s, delim, 0, 2);
  if (bad != 0) return notStringError("split", bad, s, delim, 0);
  const p = stringData(s);
  const n = stringLength(s);
  const m = stringLength(delim);
  const out = newArray(4);
  if (m == 0) {
    // one element per code point
    const end = p + n;
    let q = p;
    while (q < end) {
      decodeRune(q, end);
      arrayAppend(out, makeStringView(q, runeWidth));
      q += runeWidth;
    }
    return out;
  }
  let from: u32 = 0;
  for (;;) {
    const at = bytesIndexOf(p, n, stringData(delim), m, from);
    if (at < 0) break;
    arrayAppend(out, stringView(s, from, <u32>at));
    from = <u32>at + m;
  }
  arrayAppend(out, from == 0 ? s : stringView(s, from, n));
  return out;
}

// ---- strings.reverse ----

export function builtin$strings$reverse(s: Value): Value {
  if (!isString(s)) return typeError("strings.reverse", 1, "string", s);
  const p = stringData(s);
  const n = stringLength(s);
  const end = p + n;
  // written from the end backwards; an invalid byte becomes U+FFFD (3 bytes)
  const cap = <usize>n * 3;
  const out = malloc(cap);
  let w = out + cap;
  let q = p;
  while (q < end) {
    const c = decodeRune(q, end);
    q += <usize>runeWidth;
    w -= <usize>runeLen(c);
    encodeRune(w, c);
  }
  return makeStringView(w, <u32>(out + cap - w));
}

// ---- strings.count ----

export function builtin$strings$count(s: Value, sub: Value): Value {
  const bad = firstNonString(s, sub, 0, 2);
  if (bad != 0) return notStringError("strings.count", bad, s, sub, 0);
  const n = stringLength(s);
  const m = stringLength(sub);
  if (m == 0) return makeInt(<i64>runeCount(stringData(s), n) + 1);
  let count: i64 = 0;
  let from: u32 = 0;
  for (;;) {
    const at = bytesIndexOf(stringData(s), n, stringData(sub), m, from);
    if (at < 0) break;
    count++;
    from = <u32>at + m;
  }
  return makeInt(count);
}

// ---- indexof / indexof_n (code point indices) ----

function runeIndices(name: string, s: Value, search: Value, all: bool): Value {
  const bad = firstNonString(s, search, 0, 2);
  if (bad != 0) return notStringError(name, bad, s, search, 0);
  const m = stringLength(search);
  if (m == 0) return builtinError(name, "empty search character");
  const p = stringData(s);
  const n = stringLength(s);
  const out = all ? newArray(0) : 0;
  let index: i64 = 0;
  let at: u32 = 0;
  while (at + m <= n) {
    if (bytesMatchAt(p, n, at, stringData(search), m)) {
      if (!all) return makeInt(index);
      arrayAppend(out, makeInt(index));
    }
    decodeRune(p + at, p + n);
    at += <u32>runeWidth;
    index++;
  }
  return all ? out : makeInt(-1);
}

export function builtin$indexof(s: Value, search: Value): Value {
  return runeIndices("indexof", s, search, false);
}

export function builtin$indexof_n(s: Value, search: Value): Value {
  return runeIndices("indexof_n", s, search, true);
}

// ---- substring ----

/** OPA's IntOperand: 1 when v is an integral number, else reports and returns 0. */
function intOperand(name: string, pos: i32, v: Value): bool {
  if (tagOf(v) != TAG_NUMBER) {
    typeError(name, pos, "number", v);
    return false;
  }
  if (!numberAsInt(v)) {
    typeErrorMessage(
      name,
      "operand " + pos.toString() + " must be integer number but got floating-point number",
    );
    return false;
  }
  return true;
}

export function builtin$substring(s: Value, start: Value, length: Value): Value {
  if (!isString(s)) return typeError("substring", 1, "string", s);
  if (!intOperand("substring", 2, start)) return 0;
  if (!intOperand("substring", 3, length)) return 0;
  const from = numberToI64(start);
  const len = numberToI64(length);
  if (from < 0) return builtinError("substring", "negative offset");
  const p = stringData(s);
  const n = stringLength(s);
  if (from >= <i64>n) return makeStringView(p, 0);
  const begin = runeOffset(p, n, <i32>from);
  if (len < 0) return begin == 0 ? s : makeStringView(p + begin, n - <u32>begin);
  const count = len > <i64>n ? <i32>n : <i32>len;
  const size = runeOffset(p + begin, n - <u32>begin, count);
  if (begin == 0 && <u32>size == n) return s;
  return makeStringView(p + begin, <u32>size);
}

// ---- format_int ----

export function builtin$format_int(x: Value, base: Value): Value {
  if (tagOf(x) != TAG_NUMBER) return typeError("format_int", 1, "number", x);
  if (tagOf(base) != TAG_NUMBER) return typeError("format_int", 2, "number", base);
  const radix: i64 = numberAsInt(base) ? numberToI64(base) : 0;
  if (radix != 2 && radix != 8 && radix != 10 && radix != 16) {
    return typeErrorMessage("format_int", "operand 2 must be one of {2, 8, 10, 16}");
  }
  const b = bufNew(24);
  if (numberIsInt(x) || numberAsInt(x)) {
    const i = numberToI64(x);
    if (i < 0) bufByte(b, 0x2d);
    bufUnsignedBase(b, i < 0 ? <u64>-(i + 1) + 1 : <u64>i, <u32>radix, false);
    return bufToString(b);
  }
  // floats: truncated towards zero (big.Float.Int)
  const f = Math.trunc(numberFloat(x));
  if (f < 0) bufByte(b, 0x2d);
  bufIntegralF64(b, Math.abs(f), <u32>radix, false);
  return bufToString(b);
}
