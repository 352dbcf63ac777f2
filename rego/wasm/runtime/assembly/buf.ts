// A growable byte buffer on the heap, for building strings and JSON text.
//   bufNew(capacity: u32): usize               handle
//   bufLen(b): u32, bufData(b): usize          current bytes (address valid until the next append)
//   bufByte(b, c: u32)                         append one byte
//   bufBytes(b, p: usize, n: u32)              append a byte range
//   bufString(b, s: Value)                     append the bytes of a string value
//   bufLiteral(b, s: string)                   append the UTF-8 of an AssemblyScript string
//   bufInt(b, x: i64)                          append a decimal integer
//   bufUtf8(b, codePoint: u32)                 append a code point as UTF-8
//   bufTruncate(b, len: u32)                   drop bytes after len
//   bufToString(b): Value                      a string value of the bytes (no copy; do not reuse b)
//   bufToCString(b): usize                     NUL-terminated text (no copy; do not reuse b)
import { malloc, grow } from "./alloc";
import { Value, makeStringView, stringData, stringLength, utf8LengthOfLiteral, writeLiteralUtf8 } from "./value";

export function bufNew(capacity: u32): usize {
  const cap: u32 = capacity < 16 ? 16 : capacity;
  const b = malloc(12);
  store<u32>(b, 0);
  store<u32>(b, cap, 4);
  store<u32>(b, <u32>malloc(cap), 8);
  return b;
}

export function bufLen(b: usize): u32 {
  return load<u32>(b);
}

export function bufData(b: usize): usize {
  return <usize>load<u32>(b, 8);
}

/** Make room for n more bytes; returns the address to write at. */
function reserve(b: usize, n: u32): usize {
  const len = load<u32>(b);
  const cap = load<u32>(b, 4);
  let data = <usize>load<u32>(b, 8);
  if (len + n > cap) {
    let newCap = cap * 2;
    if (newCap < len + n) newCap = len + n;
    data = grow(data, cap, newCap);
    store<u32>(b, newCap, 4);
    store<u32>(b, <u32>data, 8);
  }
  return data + len;
}

export function bufByte(b: usize, c: u32): void {
  const p = reserve(b, 1);
  store<u8>(p, <u8>c);
  store<u32>(b, load<u32>(b) + 1);
}

export function bufBytes(b: usize, src: usize, n: u32): void {
  if (n == 0) return;
  const p = reserve(b, n);
  memory.copy(p, src, n);
  store<u32>(b, load<u32>(b) + n);
}

export function bufString(b: usize, s: Value): void {
  bufBytes(b, stringData(s), stringLength(s));
}

export function bufLiteral(b: usize, s: string): void {
  const n = utf8LengthOfLiteral(s);
  const p = reserve(b, n);
  writeLiteralUtf8(s, p);
  store<u32>(b, load<u32>(b) + n);
}

export function bufInt(b: usize, x: i64): void {
  if (x < 0) {
    bufByte(b, 0x2d);
    // -2^63 has no positive i64 counterpart: print via u64
    bufUnsigned(b, <u64>(-(x + 1)) + 1);
    return;
  }
  bufUnsigned(b, <u64>x);
}

function bufUnsigned(b: usize, x: u64): void {
  let digits: u32 = 1;
  for (let t = x; t >= 10; t /= 10) digits++;
  const p = reserve(b, digits);
  let q = p + digits;
  let t = x;
  do {
    q--;
    store<u8>(q, <u8>(0x30 + <u32>(t % 10)));
    t /= 10;
  } while (t != 0);
  store<u32>(b, load<u32>(b) + digits);
}

export function bufUtf8(b: usize, c: u32): void {
  if (c < 0x80) {
    bufByte(b, c);
  } else if (c < 0x800) {
    bufByte(b, 0xc0 | (c >> 6));
    bufByte(b, 0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    bufByte(b, 0xe0 | (c >> 12));
    bufByte(b, 0x80 | ((c >> 6) & 0x3f));
    bufByte(b, 0x80 | (c & 0x3f));
  } else {
    bufByte(b, 0xf0 | (c >> 18));
    bufByte(b, 0x80 | ((c >> 12) & 0x3f));
    bufByte(b, 0x80 | ((c >> 6) & 0x3f));
    bufByte(b, 0x80 | (c & 0x3f));
  }
}

export function bufTruncate(b: usize, len: u32): void {
  if (len < load<u32>(b)) store<u32>(b, len);
}

export function bufToString(b: usize): Value {
  return makeStringView(bufData(b), bufLen(b));
}

export function bufToCString(b: usize): usize {
  bufByte(b, 0);
  return bufData(b);
}
