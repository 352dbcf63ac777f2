// UTF-8 decoding/encoding on raw memory, and the bits of Unicode the string builtins need:
// simple case mapping (ASCII, Latin-1, Latin Extended-A and Additional, Greek, Cyrillic, Armenian,
// fullwidth Latin, circled letters, Roman numerals) and white space.
// Invalid bytes decode as U+FFFD of width 1, as Go's utf8.DecodeRune does.
import { charge } from "../fuel";

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

// In Latin Extended-A and the Cyrillic supplements, capital and small letters alternate.
function pairedUpperIsEven(c: i32): i32 {
  // 1: capital at even code points, -1: capital at odd code points, 0: not a paired letter
  if ((c >= 0x100 && c <= 0x12f) || (c >= 0x132 && c <= 0x137) || (c >= 0x14a && c <= 0x177))
    return 1;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e)) return -1;
  if ((c >= 0x460 && c <= 0x481) || (c >= 0x48a && c <= 0x4bf) || (c >= 0x4d0 && c <= 0x52f))
    return 1;
  if ((c >= 0x1e00 && c <= 0x1e95) || (c >= 0x1ea0 && c <= 0x1eff)) return 1;
  if (c >= 0x4c1 && c <= 0x4ce) return -1;
  return 0;
}

/** Simple upper-case mapping (Go's unicode.ToUpper) for the scripts covered here. */
export function toUpperRune(c: i32): i32 {
  if (c < 0x80) return c >= 0x61 && c <= 0x7a ? c - 32 : c;
  if (c <= 0xff) {
    if (c >= 0xe0 && c <= 0xfe && c != 0xf7) return c - 32;
    if (c == 0xff) return 0x178;
    if (c == 0xb5) return 0x39c;
    return c;
  }
  const pair = pairedUpperIsEven(c);
  if (pair != 0) {
    const isLower = pair > 0 ? (c & 1) == 1 : (c & 1) == 0;
    return isLower ? c - 1 : c;
  }
  if (c == 0x131) return 0x49;
  if (c == 0x17f) return 0x53;
  if (c >= 0x3b1 && c <= 0x3cb && c != 0x3c2) return c - 32;
  if (c == 0x3c2) return 0x3a3;
  if (c == 0x3ac) return 0x386;
  if (c >= 0x3ad && c <= 0x3af) return c - 37;
  if (c == 0x3cc) return 0x38c;
  if (c == 0x3cd || c == 0x3ce) return c - 63;
  if (c >= 0x430 && c <= 0x44f) return c - 32;
  if (c >= 0x450 && c <= 0x45f) return c - 80;
  if (c == 0x4cf) return 0x4c0;
  if (c >= 0x561 && c <= 0x586) return c - 48;
  if (c >= 0xff41 && c <= 0xff5a) return c - 32;
  if (c >= 0x24d0 && c <= 0x24e9) return c - 26;
  if (c >= 0x2170 && c <= 0x217f) return c - 16;
  return c;
}

/** Simple lower-case mapping (Go's unicode.ToLower) for the scripts covered here. */
export function toLowerRune(c: i32): i32 {
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? c + 32 : c;
  if (c <= 0xff) return c >= 0xc0 && c <= 0xde && c != 0xd7 ? c + 32 : c;
  const pair = pairedUpperIsEven(c);
  if (pair != 0) {
    const isUpper = pair > 0 ? (c & 1) == 0 : (c & 1) == 1;
    return isUpper ? c + 1 : c;
  }
  if (c == 0x130) return 0x69;
  if (c == 0x178) return 0xff;
  if (c >= 0x391 && c <= 0x3ab && c != 0x3a2) return c + 32;
  if (c == 0x386) return 0x3ac;
  if (c >= 0x388 && c <= 0x38a) return c + 37;
  if (c == 0x38c) return 0x3cc;
  if (c == 0x38e || c == 0x38f) return c + 63;
  if (c >= 0x410 && c <= 0x42f) return c + 32;
  if (c >= 0x400 && c <= 0x40f) return c + 80;
  if (c == 0x4c0) return 0x4cf;
  if (c >= 0x531 && c <= 0x556) return c + 48;
  if (c == 0x1e9e) return 0xdf;
  if (c >= 0xff21 && c <= 0xff3a) return c + 32;
  if (c >= 0x24b6 && c <= 0x24cf) return c + 26;
  if (c >= 0x2160 && c <= 0x216f) return c + 16;
  return c;
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
