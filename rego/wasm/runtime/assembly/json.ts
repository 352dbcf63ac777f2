// JSON text <-> values.
//   parseJson(ptr, len): Value        full JSON (RFC 8259); 0 on any error (then parseFailure() says
//                                     which: syntax, nesting deeper than MAX_DEPTH, invalid UTF-8,
//                                     and parseFailureOffset() where). Strings without escapes
//                                     reference the source bytes (keep them alive and unchanged).
//   parseRego(ptr, len): Value        JSON plus Rego set literals (`set()`, `{1, 2}`) and
//                                     non-string object keys
//   dumpJson(b, v)                    append compact JSON (sets as arrays, non-string keys as
//                                     their JSON text) to buffer b
//   dumpRego(b, v)                    same in Rego syntax (sets as `{..}` / `set()`, keys kept)
//   dumpJsonWith(b, v, html, indent, prefix)   Go json.Marshal(Indent) style: html escapes
//                                     `<`, `>`, `&`; indent/prefix are string values or 0
//   formatNumber(b, v)                append a number: integers plainly, floats shortest
//                                     round-trip, integral floats without fraction below 1e21
import { Value, TAG_NULL, TAG_BOOLEAN, TAG_NUMBER, TAG_STRING, TAG_ARRAY, TAG_OBJECT, TAG_SET,
  tagOf, makeNull, makeBoolean, makeInt, makeFloat, makeStringView, booleanValue, numberIsInt,
  numberInt, numberFloat, numberIsBig, numberBigText, numberBigLength, makeBigInt, stringData, stringLength, newArray, arrayAppend, arrayLength, arrayGet,
  newObject, objectInsert, objectLength, objectKey, objectValue, newSet, setAdd } from "./value";
import { formatF64, correctF64, correctTruncatedF64, parseExponent } from "./dtoa";
import { bufNew, bufByte, bufBytes, bufInt, bufLiteral, bufLen, bufData, bufUtf8, bufToString } from "./buf";
import { decodeRune, runeWidth, REPLACEMENT_CHAR } from "./builtins/unicode";

// ---- parser ----

let pos: usize = 0;
let end: usize = 0;
let rego = false;
let depth: i32 = 0;
/** Deepest nesting of arrays/objects/sets accepted. */
export const MAX_DEPTH: i32 = 1000;

export const PARSE_OK: i32 = 0;
export const PARSE_SYNTAX: i32 = 1;
export const PARSE_DEPTH: i32 = 2;
export const PARSE_UTF8: i32 = 3;

let failure: i32 = 0; // PARSE_OK (literal initialisers only: no start function)
let failureAt: usize = 0;
let textStart: usize = 0;

/** Why the last parse returned 0 (PARSE_*). */
export function parseFailure(): i32 {
  return failure;
}

/** Byte offset in the text where the last parse failed. */
export function parseFailureOffset(): u32 {
  return <u32>(failureAt - textStart);
}

/** Record the first failure (at the current position) and return undefined. */
function fail(kind: i32): Value {
  if (failure == PARSE_OK) {
    failure = kind;
    failureAt = pos < end ? pos : end;
  }
  return 0;
}

export function parseJson(ptr: usize, len: u32): Value {
  return parseText(ptr, len, false);
}

export function parseRego(ptr: usize, len: u32): Value {
  return parseText(ptr, len, true);
}

function parseText(ptr: usize, len: u32, regoMode: bool): Value {
  pos = ptr;
  end = ptr + len;
  rego = regoMode;
  depth = 0;
  failure = PARSE_OK;
  textStart = ptr;
  const v = parseValue();
  if (v == 0) return fail(PARSE_SYNTAX);
  skipSpace();
  return pos == end ? v : fail(PARSE_SYNTAX);
}

// @ts-ignore: decorator
@inline function peek(): u32 {
  return pos < end ? <u32>load<u8>(pos) : 0;
}

function skipSpace(): void {
  while (pos < end) {
    const c = load<u8>(pos);
    if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) return;
    pos++;
  }
}

function expectWord(w: string): bool {
  const n = <usize>w.length;
  if (end - pos < n) return false;
  for (let i: usize = 0; i < n; i++) {
    if (<u32>load<u8>(pos + i) != <u32>w.charCodeAt(<i32>i)) return false;
  }
  pos += n;
  return true;
}

function parseValue(): Value {
  skipSpace();
  const c = peek();
  switch (c) {
    case 0x7b: // {
      return parseObject();
    case 0x5b: // [
      return parseArray();
    case 0x22: // "
      return parseString();
    case 0x74: // t
      return expectWord("true") ? makeBoolean(true) : 0;
    case 0x66: // f
      return expectWord("false") ? makeBoolean(false) : 0;
    case 0x6e: // n
      return expectWord("null") ? makeNull() : 0;
    case 0x73: // s
      return rego && expectWord("set()") ? newSet() : 0;
  }
  if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return parseNumber();
  return 0;
}

function parseArray(): Value {
  if (++depth > MAX_DEPTH) return fail(PARSE_DEPTH);
  pos++; // [
  const arr = newArray(4);
  skipSpace();
  if (peek() == 0x5d) {
    pos++;
    depth--;
    return arr;
  }
  while (true) {
    const v = parseValue();
    if (v == 0) return 0;
    arrayAppend(arr, v);
    skipSpace();
    const c = peek();
    pos++;
    if (c == 0x2c) continue;
    if (c == 0x5d) break;
    return 0;
  }
  depth--;
  return arr;
}

function parseObject(): Value {
  if (++depth > MAX_DEPTH) return fail(PARSE_DEPTH);
  pos++; // {
  skipSpace();
  if (peek() == 0x7d) {
    pos++;
    depth--;
    return newObject();
  }
  const first = rego ? parseValue() : peek() == 0x22 ? parseString() : 0;
  if (first == 0) return 0;
  skipSpace();
  if (rego && peek() != 0x3a) return parseSetRest(first);
  const obj = newObject();
  let key = first;
  while (true) {
    skipSpace();
    if (peek() != 0x3a) return 0;
    pos++;
    const v = parseValue();
    if (v == 0) return 0;
    objectInsert(obj, key, v);
    skipSpace();
    const c = peek();
    pos++;
    if (c == 0x7d) break;
    if (c != 0x2c) return 0;
    skipSpace();
    key = rego ? parseValue() : peek() == 0x22 ? parseString() : 0;
    if (key == 0) return 0;
  }
  depth--;
  return obj;
}

function parseSetRest(first: Value): Value {
  const set = newSet();
  setAdd(set, first);
  while (true) {
    skipSpace();
    const c = peek();
    pos++;
    if (c == 0x7d) break;
    if (c != 0x2c) return 0;
    const v = parseValue();
    if (v == 0) return 0;
    setAdd(set, v);
  }
  depth--;
  return set;
}

function hexDigit(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30);
  if (c >= 0x61 && c <= 0x66) return <i32>(c - 0x61 + 10);
  if (c >= 0x41 && c <= 0x46) return <i32>(c - 0x41 + 10);
  return -1;
}

function parseHex4(): i32 {
  if (end - pos < 4) return -1;
  let x = 0;
  for (let i = 0; i < 4; i++) {
    const d = hexDigit(<u32>load<u8>(pos + i));
    if (d < 0) return -1;
    x = (x << 4) | d;
  }
  pos += 4;
  return x;
}

function parseString(): Value {
  pos++; // "
  const start = pos;
  // fast path: no escapes
  while (pos < end) {
    const c = load<u8>(pos);
    if (c == 0x22) {
      const v = makeStringView(start, <u32>(pos - start));
      pos++;
      return v;
    }
    if (c == 0x5c) break;
    if (c < 0x20) return 0;
    if (c >= 0x80) {
      if (!skipUtf8()) return 0;
      continue;
    }
    pos++;
  }
  if (pos >= end) return 0;
  const b = bufNew(<u32>(pos - start) + 16);
  bufBytes(b, start, <u32>(pos - start));
  while (pos < end) {
    const c = <u32>load<u8>(pos);
    if (c == 0x22) {
      pos++;
      return bufToString(b);
    }
    if (c < 0x20) return 0;
    if (c >= 0x80) {
      const from = pos;
      if (!skipUtf8()) return 0;
      bufBytes(b, from, <u32>(pos - from));
      continue;
    }
    if (c != 0x5c) {
      bufByte(b, c);
      pos++;
      continue;
    }
    pos++;
    if (pos >= end) return 0;
    const e = <u32>load<u8>(pos++);
    switch (e) {
      case 0x22: bufByte(b, 0x22); break;
      case 0x5c: bufByte(b, 0x5c); break;
      case 0x2f: bufByte(b, 0x2f); break;
      case 0x62: bufByte(b, 0x08); break;
      case 0x66: bufByte(b, 0x0c); break;
      case 0x6e: bufByte(b, 0x0a); break;
      case 0x72: bufByte(b, 0x0d); break;
      case 0x74: bufByte(b, 0x09); break;
      case 0x75: {
        let cp = parseHex4();
        if (cp < 0) return 0;
        if (cp >= 0xd800 && cp < 0xdc00) {
          // a high surrogate must pair with a following \uDC00..\uDFFF
          const save = pos;
          if (end - pos >= 6 && load<u8>(pos) == 0x5c && load<u8>(pos + 1) == 0x75) {
            pos += 2;
            const lo = parseHex4();
            if (lo >= 0xdc00 && lo < 0xe000) {
              cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else {
              pos = save;
              cp = 0xfffd;
            }
          } else {
            cp = 0xfffd;
          }
        } else if (cp >= 0xdc00 && cp < 0xe000) {
          cp = 0xfffd;
        }
        bufUtf8(b, <u32>cp);
        break;
      }
      default:
        return 0;
    }
  }
  return 0;
}

/** Step over one well-formed UTF-8 sequence of 2-4 bytes at pos; false (a failure) otherwise. */
function skipUtf8(): bool {
  const c = decodeRune(pos, end);
  if (c == REPLACEMENT_CHAR && runeWidth == 1) {
    fail(PARSE_UTF8);
    return false;
  }
  pos += <usize>runeWidth;
  return true;
}

function isDigit(c: u32): bool {
  return c >= 0x30 && c <= 0x39;
}

function parseNumber(): Value {
  const start = pos;
  let negative = false;
  if (peek() == 0x2d) {
    negative = true;
    pos++;
  }
  const intStart = pos;
  if (peek() == 0x30) {
    pos++;
  } else if (isDigit(peek())) {
    while (isDigit(peek())) pos++;
  } else {
    return 0;
  }
  const intDigits = <i32>(pos - intStart);
  let isInt = true;
  if (peek() == 0x2e) {
    isInt = false;
    pos++;
    if (!isDigit(peek())) return 0;
    while (isDigit(peek())) pos++;
  }
  if (peek() == 0x65 || peek() == 0x45) {
    isInt = false;
    pos++;
    if (peek() == 0x2b || peek() == 0x2d) pos++;
    if (!isDigit(peek())) return 0;
    while (isDigit(peek())) pos++;
  }
  if (isInt && intDigits <= 18) {
    let x: i64 = 0;
    for (let p = intStart; p < pos; p++) x = x * 10 + <i64>(load<u8>(p) - 0x30);
    return makeInt(negative ? -x : x);
  }
  return numberFromText(start, <u32>(pos - start));
}

/** A number from validated JSON number text: exact integer when it fits in i64, else f64. */
export function numberFromText(p: usize, n: u32): Value {
  let isInt = true;
  for (let i: u32 = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (c == 0x2e || c == 0x65 || c == 0x45) {
      isInt = false;
      break;
    }
  }
  if (isInt) {
    const negative = load<u8>(p) == 0x2d;
    let acc: u64 = 0;
    let overflow = false;
    for (let i: u32 = negative ? 1 : 0; i < n; i++) {
      const d = <u64>(load<u8>(p + i) - 0x30);
      if (acc > (0xffffffffffffffff - d) / 10) {
        overflow = true;
        break;
      }
      acc = acc * 10 + d;
    }
    if (!overflow) {
      if (!negative && acc <= <u64>i64.MAX_VALUE) return makeInt(<i64>acc);
      if (negative && acc <= <u64>i64.MAX_VALUE + 1) return makeInt(<i64>(0 - acc));
    }
    return makeBigInt(p, n, decimalToF64(p, n));
  }
  // beyond float64 (1e400): keep the text, as for integers beyond int64, rather than print null
  const x = decimalToF64(p, n);
  return isFinite(x) ? makeFloat(x) : makeBigInt(p, n, x);
}

// 10^0 .. 10^22 are exact doubles
const POW10: StaticArray<f64> = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
  1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** mant * 10^exp10 rounded to nearest: exact fast path (Clinger), else approximate and correct. */
function decimalToF64Exact(mant: u64, exp10: i32, truncated: bool, p: usize, n: u32): f64 {
  const m = <f64>mant;
  if (!truncated && mant < (<u64>1 << 53) && exp10 >= -22 && exp10 <= 22) {
    return exp10 >= 0 ? m * unchecked(POW10[exp10]) : m / unchecked(POW10[-exp10]);
  }
  let approx: f64;
  if (exp10 >= 0) approx = m * Math.pow(10, exp10);
  else if (exp10 >= -300) approx = m / Math.pow(10, -exp10);
  else approx = m / Math.pow(10, -exp10 - 300) / 1e300;
  if (approx == 0) approx = 5e-324;
  if (!isFinite(approx)) approx = 1.7976931348623157e308;
  return truncated ? correctTruncatedF64(approx, mant, exp10, p, n) : correctF64(approx, mant, exp10);
}

/** The double nearest to decimal number text (sign, digits, fraction, exponent). */
export function decimalToF64(p: usize, n: u32): f64 {
  let i: u32 = 0;
  const negative = n > 0 && load<u8>(p) == 0x2d;
  if (negative || (n > 0 && load<u8>(p) == 0x2b)) i++;
  let mant: u64 = 0;
  let significant = 0;
  let exp10: i32 = 0;
  let afterDot = false;
  let truncated = false;
  for (; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    if (c == 0x2e) {
      afterDot = true;
      continue;
    }
    if (c == 0x65 || c == 0x45) {
      exp10 += parseExponent(p, i + 1, n);
      break;
    }
    const d = <u64>(c - 0x30);
    if (significant == 0 && d == 0) {
      if (afterDot) exp10--;
      continue;
    }
    if (significant < 19) {
      mant = mant * 10 + d;
      significant++;
      if (afterDot) exp10--;
    } else {
      if (d != 0) truncated = true;
      if (!afterDot) exp10++;
    }
  }
  let x: f64;
  if (mant == 0 || exp10 < -400) x = 0;
  else if (exp10 > 330) x = Infinity;
  else x = decimalToF64Exact(mant, exp10, truncated, p, n);
  return negative ? -x : x;
}

// ---- printer ----

const HEX = "0123456789abcdef";

export function formatNumber(b: usize, v: Value): void {
  if (numberIsInt(v)) {
    bufInt(b, numberInt(v));
    return;
  }
  if (numberIsBig(v)) {
    bufBytes(b, numberBigText(v), numberBigLength(v));
    return;
  }
  const x = numberFloat(v);
  if (!isFinite(x)) {
    bufLiteral(b, "null");
    return;
  }
  formatF64(b, x);
}

function quote(b: usize, p: usize, n: u32, html: bool): void {
  bufByte(b, 0x22);
  let run = p;
  const stop = p + n;
  for (let q = p; q < stop; q++) {
    const c = <u32>load<u8>(q);
    const special = c < 0x20 || c == 0x22 || c == 0x5c || (html && (c == 0x3c || c == 0x3e || c == 0x26));
    if (!special) continue;
    bufBytes(b, run, <u32>(q - run));
    run = q + 1;
    bufByte(b, 0x5c);
    if (c == 0x22 || c == 0x5c) bufByte(b, c);
    else if (c == 0x0a) bufByte(b, 0x6e);
    else if (c == 0x0d) bufByte(b, 0x72);
    else if (c == 0x09) bufByte(b, 0x74);
    else {
      bufLiteral(b, "u00");
      bufByte(b, <u32>HEX.charCodeAt(<i32>(c >> 4)));
      bufByte(b, <u32>HEX.charCodeAt(<i32>(c & 15)));
    }
  }
  bufBytes(b, run, <u32>(stop - run));
  bufByte(b, 0x22);
}

export function quoteString(b: usize, s: Value): void {
  quote(b, stringData(s), stringLength(s), false);
}

// dump flags
const REGO: i32 = 1;
const HTML: i32 = 2;

function newline(b: usize, indent: Value, prefix: Value, level: i32): void {
  bufByte(b, 0x0a);
  if (prefix != 0) bufBytes(b, stringData(prefix), stringLength(prefix));
  for (let i = 0; i < level; i++) bufBytes(b, stringData(indent), stringLength(indent));
}

function dump(b: usize, v: Value, flags: i32, indent: Value, prefix: Value, level: i32): void {
  const pretty = indent != 0;
  switch (tagOf(v)) {
    case TAG_NULL:
      bufLiteral(b, "null");
      return;
    case TAG_BOOLEAN:
      bufLiteral(b, booleanValue(v) ? "true" : "false");
      return;
    case TAG_NUMBER:
      formatNumber(b, v);
      return;
    case TAG_STRING:
      quote(b, stringData(v), stringLength(v), (flags & HTML) != 0);
      return;
    case TAG_ARRAY:
    case TAG_SET: {
      const n = arrayLength(v);
      const isSet = tagOf(v) == TAG_SET && (flags & REGO) != 0;
      if (isSet && n == 0) {
        bufLiteral(b, "set()");
        return;
      }
      bufByte(b, isSet ? 0x7b : 0x5b);
      for (let i = 0; i < n; i++) {
        if (i > 0) bufByte(b, 0x2c);
        if (pretty) newline(b, indent, prefix, level + 1);
        dump(b, arrayGet(v, i), flags, indent, prefix, level + 1);
      }
      if (pretty && n > 0) newline(b, indent, prefix, level);
      bufByte(b, isSet ? 0x7d : 0x5d);
      return;
    }
    case TAG_OBJECT: {
      const n = objectLength(v);
      bufByte(b, 0x7b);
      for (let i = 0; i < n; i++) {
        if (i > 0) bufByte(b, 0x2c);
        if (pretty) newline(b, indent, prefix, level + 1);
        const k = objectKey(v, i);
        if (tagOf(k) == TAG_STRING || (flags & REGO) != 0) {
          dump(b, k, flags, indent, prefix, level + 1);
        } else {
          const kb = bufNew(32);
          dump(kb, k, 0, 0, 0, 0);
          quote(b, bufData(kb), bufLen(kb), (flags & HTML) != 0);
        }
        bufByte(b, 0x3a);
        if (pretty) bufByte(b, 0x20);
        dump(b, objectValue(v, i), flags, indent, prefix, level + 1);
      }
      if (pretty && n > 0) newline(b, indent, prefix, level);
      bufByte(b, 0x7d);
      return;
    }
  }
}

export function dumpJson(b: usize, v: Value): void {
  dump(b, v, 0, 0, 0, 0);
}

export function dumpRego(b: usize, v: Value): void {
  dump(b, v, REGO, 0, 0, 0);
}

export function dumpJsonWith(b: usize, v: Value, html: bool, indent: Value, prefix: Value): void {
  dump(b, v, html ? HTML : 0, indent, prefix, 0);
}
