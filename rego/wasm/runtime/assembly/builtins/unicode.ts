// UTF-8 decoding/encoding on raw memory, and the bits of Unicode the string builtins need:
// simple case mapping (all of Unicode 15.0.0, as Go's: case-table.ts) and white space.
// Invalid bytes decode as U+FFFD of width 1, as Go's utf8.DecodeRune does.
import { charge } from "../fuel";
import { LOWER_RANGES, LOWER_RANGE_COUNT, UPPER_RANGES, UPPER_RANGE_COUNT } from "./case-table";

/** Byte width of the code point decoded by the last `decodeRune` call. */
export let runeWidth: i32 = 0;

export const REPLACEMENT_CHAR: i32 = 0xfffd;

function isCont(b: u32): bool {
  return (b & 0xc0) == 0x80;
}

/** Code point at `p` (with `end` the first byte past the text); sets `runeWidth`. */
export function decodeRune(p: usize, end: usize): i32 {
  const b0 = <u32>load<u8>(p);
  if (b0 < 0x80) {
    runeWidth = 1;
    return <i32>b0;
  }
  const avail = end - p;
  if (b0 >= 0xc2 && b0 < 0xe0 && avail >= 2) {
    const b1 = <u32>load<u8>(p + 1);
    if (isCont(b1)) {
      runeWidth = 2;
      return <i32>(((b0 & 0x1f) << 6) | (b1 & 0x3f));
    }
  } else if (b0 >= 0xe0 && b0 < 0xf0 && avail >= 3) {
    const b1 = <u32>load<u8>(p + 1);
    const b2 = <u32>load<u8>(p + 2);
    const lo: u32 = b0 == 0xe0 ? 0xa0 : 0x80;
    const hi: u32 = b0 == 0xed ? 0x9f : 0xbf;
    if (b1 >= lo && b1 <= hi && isCont(b2)) {
      runeWidth = 3;
      return <i32>(((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f));
    }
  } else if (b0 >= 0xf0 && b0 < 0xf5 && avail >= 4) {
    const b1 = <u32>load<u8>(p + 1);
    const b2 = <u32>load<u8>(p + 2);
    const b3 = <u32>load<u8>(p + 3);
    const lo: u32 = b0 == 0xf0 ? 0x90 : 0x80;
    const hi: u32 = b0 == 0xf4 ? 0x8f : 0xbf;
    if (b1 >= lo && b1 <= hi && isCont(b2) && isCont(b3)) {
      runeWidth = 4;
      return <i32>(((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f));
    }
  }
  runeWidth = 1;
  return REPLACEMENT_CHAR;
}

/** Start of the code point that ends at `end` (`start` is the first byte of the text). */
export function lastRuneStart(start: usize, end: usize): usize {
  let p = end - 1;
  const limit = end - start > 4 ? end - 4 : start;
  while (p > limit && isCont(<u32>load<u8>(p))) p--;
  decodeRune(p, end);
  // a malformed tail decodes as single bytes
  return p + <usize>runeWidth == end ? p : end - 1;
}

/** Bytes needed to encode `c`. */
export function runeLen(c: i32): i32 {
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c < 0x10000) return 3;
  return 4;
}

/** Write `c` at `p`; returns the byte count. */
export function encodeRune(p: usize, c: i32): i32 {
  const u = <u32>c;
  if (u < 0x80) {
    store<u8>(p, <u8>u);
    return 1;
  }
  if (u < 0x800) {
    store<u8>(p, <u8>(0xc0 | (u >> 6)));
    store<u8>(p + 1, <u8>(0x80 | (u & 0x3f)));
    return 2;
  }
  if (u < 0x10000) {
    store<u8>(p, <u8>(0xe0 | (u >> 12)));
    store<u8>(p + 1, <u8>(0x80 | ((u >> 6) & 0x3f)));
    store<u8>(p + 2, <u8>(0x80 | (u & 0x3f)));
    return 3;
  }
  store<u8>(p, <u8>(0xf0 | (u >> 18)));
  store<u8>(p + 1, <u8>(0x80 | ((u >> 12) & 0x3f)));
  store<u8>(p + 2, <u8>(0x80 | ((u >> 6) & 0x3f)));
  store<u8>(p + 3, <u8>(0x80 | (u & 0x3f)));
  return 4;
}

/** Number of code points in `len` bytes at `p`. */
export function runeCount(p: usize, len: usize): i32 {
  charge(<i64>(len >> 4));
  const end = p + len;
  let n = 0;
  let q = p;
  while (q < end) {
    if (load<u8>(q) < 0x80) q++;
    else {
      decodeRune(q, end);
      q += <usize>runeWidth;
    }
    n++;
  }
  return n;
}

/** Byte offset of code point number `index` (the byte length when past the end). */
export function runeOffset(p: usize, len: usize, index: i32): usize {
  charge(<i64>(len >> 4));
  const end = p + len;
  let q = p;
  let i = 0;
  while (q < end && i < index) {
    decodeRune(q, end);
    q += <usize>runeWidth;
    i++;
  }
  return q - p;
}

/** Go's unicode.IsSpace. */
export function isSpace(c: i32): bool {
  if (c <= 0xff) {
    return c == 0x20 || (c >= 0x09 && c <= 0x0d) || c == 0x85 || c == 0xa0;
  }
  return (
    c == 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c == 0x2028 ||
    c == 0x2029 ||
    c == 0x202f ||
    c == 0x205f ||
    c == 0x3000
  );
}

/** The mapping of `c` in a case table (case-table.ts): binary search of its ranges. */
function caseTableLookup(c: i32, ranges: usize, count: i32): i32 {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const range = ranges + (<usize>mid << 4);
    const first = load<i32>(range);
    if (c < first) hi = mid;
    else if (c > load<i32>(range, 4)) lo = mid + 1;
    else return (c - first) % load<i32>(range, 12) == 0 ? c + load<i32>(range, 8) : c;
  }
  return c;
}

/** Go's unicode.ToUpper: the simple upper-case mapping. */
export function toUpperRune(c: i32): i32 {
  if (c < 0x80) return c >= 0x61 && c <= 0x7a ? c - 32 : c;
  return caseTableLookup(c, UPPER_RANGES, UPPER_RANGE_COUNT);
}

/** Go's unicode.ToLower: the simple lower-case mapping. */
export function toLowerRune(c: i32): i32 {
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? c + 32 : c;
  return caseTableLookup(c, LOWER_RANGES, LOWER_RANGE_COUNT);
}

/** Printable per Go's strconv.IsPrint, approximated: controls, separators and common format
 * characters are not. */
export function isPrintRune(c: i32): bool {
  if (c < 0x20 || c == 0x7f) return false;
  if (c < 0x7f) return true;
  if (c < 0xa0) return false;
  if (c == 0xa0 || c == 0xad) return false;
  if (c == 0x1680 || (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f)) return false;
  if (c >= 0x205f && c <= 0x206f) return false;
  if (c == 0x3000 || c == 0xfeff || c == 0xfffe || c == 0xffff) return false;
  if (c >= 0xd800 && c <= 0xdfff) return false;
  if (c >= 0xfff9 && c <= 0xfffb) return false;
  if (c > 0x10ffff) return false;
  return true;
}
