// trim, trim_left, trim_right (cutset = a set of code points), trim_prefix, trim_suffix,
// trim_space (Unicode white space), as Go's strings.Trim* functions.
import { Value, stringData, stringLength } from "../value";
import { typeError } from "../errors";
import { charge } from "../fuel";
import { decodeRune, runeWidth, lastRuneStart, isSpace } from "./unicode";
import { bytesMatchAt, stringView, isString, firstNonString, notStringError } from "./strbytes";

function inCutset(c: i32, cutset: Value): bool {
  charge(<i64>((stringLength(cutset) >> 4) + 1));
  const p = stringData(cutset);
  const end = p + stringLength(cutset);
  let q = p;
  while (q < end) {
    if (decodeRune(q, end) == c) return true;
    q += <usize>runeWidth;
  }
  return false;
}

// A code point predicate: in the cutset (cutset != 0) or white space (cutset == 0).
function trimmed(c: i32, cutset: Value): bool {
  return cutset == 0 ? isSpace(c) : inCutset(c, cutset);
}

/** s without leading (left) and/or trailing (right) code points matching the predicate. */
function trimRunes(s: Value, cutset: Value, left: bool, right: bool): Value {
  const p = stringData(s);
  const n = stringLength(s);
  const end = p + n;
  let from = p;
  if (left) {
    while (from < end) {
      const c = decodeRune(from, end);
      if (!trimmed(c, cutset)) break;
      from += <usize>runeWidth;
    }
  }
  let to = end;
  if (right) {
    while (to > from) {
      const start = lastRuneStart(from, to);
      if (!trimmed(decodeRune(start, to), cutset)) break;
      to = start;
    }
  }
  if (from == p && to == end) return s;
  return stringView(s, <u32>(from - p), <u32>(to - p));
}

function trimCutset(name: string, s: Value, cutset: Value, left: bool, right: bool): Value {
  const bad = firstNonString(s, cutset, 0, 2);
  if (bad != 0) return notStringError(name, bad, s, cutset, 0);
  if (stringLength(cutset) == 0) return s;
  return trimRunes(s, cutset, left, right);
}

export function builtin$trim(s: Value, cutset: Value): Value {
  return trimCutset("trim", s, cutset, true, true);
}

export function builtin$trim_left(s: Value, cutset: Value): Value {
  return trimCutset("trim_left", s, cutset, true, false);
}

export function builtin$trim_right(s: Value, cutset: Value): Value {
  return trimCutset("trim_right", s, cutset, false, true);
}

export function builtin$trim_space(s: Value): Value {
  if (!isString(s)) return typeError("trim_space", 1, "string", s);
  return trimRunes(s, 0, true, true);
}

export function builtin$trim_prefix(s: Value, prefix: Value): Value {
  const bad = firstNonString(s, prefix, 0, 2);
  if (bad != 0) return notStringError("trim_prefix", bad, s, prefix, 0);
  const n = stringLength(s);
  const m = stringLength(prefix);
  if (m == 0 || !bytesMatchAt(stringData(s), n, 0, stringData(prefix), m)) return s;
  return stringView(s, m, n);
}

export function builtin$trim_suffix(s: Value, suffix: Value): Value {
  const bad = firstNonString(s, suffix, 0, 2);
  if (bad != 0) return notStringError("trim_suffix", bad, s, suffix, 0);
  const n = stringLength(s);
  const m = stringLength(suffix);
  if (m == 0 || m > n || !bytesMatchAt(stringData(s), n, n - m, stringData(suffix), m)) return s;
  return stringView(s, 0, n - m);
}
