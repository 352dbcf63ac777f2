// replace and strings.replace_n, with the semantics of Go's strings.Replacer: one left-to-right
// pass, no overlapping matches, and at each position the first pair (in argument order; for
// replace_n the keys in sorted order) whose old string matches wins. An empty old string matches
// between code points (never twice at the same position).
import {
  Value,
  tagOf,
  TAG_OBJECT,
  stringData,
  stringLength,
  objectLength,
  objectKey,
  objectValue,
} from "../value";
import { typeError, typeErrorMessage } from "../errors";
import { malloc } from "../alloc";
import { bufNew, bufBytes, bufString, bufToString } from "../buf";
import { decodeRune, runeWidth } from "./unicode";
import { bytesMatchAt, isString, firstNonString, notStringError } from "./strbytes";

/** Apply `count` (old, new) pairs of string values stored as u32 pairs at `pairs`. */
function replacePairs(s: Value, pairs: usize, count: i32): Value {
  const p = stringData(s);
  const n = stringLength(s);
  let b: usize = 0;
  let last: u32 = 0;
  let i: u32 = 0;
  let prevEmpty = false;
  while (i <= n) {
    let matched = -1;
    let matchLen: u32 = 0;
    for (let k = 0; k < count; k++) {
      const old = <usize>load<u32>(pairs + ((<usize>k) << 3));
      const m = stringLength(old);
      if (m == 0) {
        if (prevEmpty) continue;
      } else if (!bytesMatchAt(p, n, i, stringData(old), m)) continue;
      matched = k;
      matchLen = m;
      break;
    }
    if (matched >= 0) {
      if (b == 0) b = bufNew(n + 16);
      bufBytes(b, p + last, i - last);
      bufString(b, <usize>load<u32>(pairs + ((<usize>matched) << 3), 4));
      i += matchLen;
      last = i;
      prevEmpty = matchLen == 0;
      continue;
    }
    prevEmpty = false;
    if (i == n) break;
    decodeRune(p + i, p + n);
    i += <u32>runeWidth;
  }
  if (b == 0) return s;
  bufBytes(b, p + last, n - last);
  return bufToString(b);
}

export function builtin$replace(s: Value, old: Value, replacement: Value): Value {
  const bad = firstNonString(s, old, replacement, 3);
  if (bad != 0) return notStringError("replace", bad, s, old, replacement);
  const pairs = malloc(8);
  store<u32>(pairs, <u32>old);
  store<u32>(pairs, <u32>replacement, 4);
  return replacePairs(s, pairs, 1);
}

export function builtin$strings$replace_n(patterns: Value, s: Value): Value {
  const name = "strings.replace_n";
  if (tagOf(patterns) != TAG_OBJECT) return typeError(name, 1, "object", patterns);
  if (!isString(s)) return typeError(name, 2, "string", s);
  const count = objectLength(patterns);
  const pairs = malloc((<usize>count) << 3);
  // object keys are kept in Rego's order, the order OPA sorts them in
  for (let k = 0; k < count; k++) {
    const key = objectKey(patterns, k);
    if (!isString(key))
      return typeErrorMessage(name, "operand 1 non-string key found in pattern object");
    const value = objectValue(patterns, k);
    if (!isString(value)) {
      return typeErrorMessage(name, "operand 1 non-string value found in pattern object");
    }
    store<u32>(pairs + ((<usize>k) << 3), <u32>key);
    store<u32>(pairs + ((<usize>k) << 3), <u32>value, 4);
  }
  return replacePairs(s, pairs, count);
}
