// Text of values as OPA prints Rego terms (ast.Term.String()), which is what sprintf receives
// for arguments that are neither numbers nor strings: `[1, "a"]`, `{"a": 1}`, `{1, 2}`, `set()`,
// strings quoted as Go's strconv.Quote does.
//   bufTerm(b, v)                       append the term text of v
//   bufGoQuote(b, p, n, ascii)          append bytes p[0..n) as a Go double-quoted literal
//   bufGoQuoteRune(b, c, ascii)         append code point c as a Go single-quoted literal
import {
  Value,
  tagOf,
  TAG_NULL,
  TAG_BOOLEAN,
  TAG_NUMBER,
  TAG_STRING,
  TAG_ARRAY,
  TAG_OBJECT,
  TAG_SET,
  booleanValue,
  stringData,
  stringLength,
  arrayLength,
  arrayGet,
  objectLength,
  objectKey,
  objectValue,
} from "../value";
import { bufByte, bufBytes, bufLiteral } from "../buf";
import { formatNumber } from "../json";
import { decodeRune, encodeRune, runeWidth, isPrintRune, REPLACEMENT_CHAR } from "./unicode";

const HEX_DIGITS = memory.data<u8>([
  0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66,
]);

function bufHex(b: usize, x: u32, digits: i32): void {
  for (let i = digits - 1; i >= 0; i--)
    bufByte(b, load<u8>(HEX_DIGITS + ((x >> (<u32>i * 4)) & 15)));
}

/** One escaped code point (or invalid byte when invalid) inside a Go quoted literal. */
function bufEscaped(b: usize, c: i32, src: usize, width: i32, quote: u32, ascii: bool): void {
  if (c == <i32>quote || c == 0x5c) {
    bufByte(b, 0x5c);
    bufByte(b, <u32>c);
    return;
  }
  if (isPrintRune(c) && (!ascii || c < 0x80)) {
    bufBytes(b, src, <u32>width);
    return;
  }
  bufByte(b, 0x5c);
  switch (c) {
    case 0x07:
      bufByte(b, 0x61);
      return;
    case 0x08:
      bufByte(b, 0x62);
      return;
    case 0x0c:
      bufByte(b, 0x66);
      return;
    case 0x0a:
      bufByte(b, 0x6e);
      return;
    case 0x0d:
      bufByte(b, 0x72);
      return;
    case 0x09:
      bufByte(b, 0x74);
      return;
    case 0x0b:
      bufByte(b, 0x76);
      return;
  }
  if (c < 0x20 || c == 0x7f) {
    bufByte(b, 0x78);
    bufHex(b, <u32>c, 2);
  } else if (c < 0x10000) {
    bufByte(b, 0x75);
    bufHex(b, <u32>c, 4);
  } else {
    bufByte(b, 0x55);
    bufHex(b, <u32>c, 8);
  }
}

export function bufGoQuote(b: usize, p: usize, n: u32, ascii: bool): void {
  bufByte(b, 0x22);
  const end = p + n;
  let q = p;
  while (q < end) {
    const c = decodeRune(q, end);
    const w = runeWidth;
    if (c == REPLACEMENT_CHAR && w == 1) {
      // an invalid byte
      bufLiteral(b, "\\x");
      bufHex(b, <u32>load<u8>(q), 2);
    } else bufEscaped(b, c, q, w, 0x22, ascii);
    q += <usize>w;
  }
  bufByte(b, 0x22);
}

const RUNE_BYTES = memory.data(4);

export function bufGoQuoteRune(b: usize, c: i32, ascii: bool): void {
  if (c < 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) c = REPLACEMENT_CHAR;
  bufByte(b, 0x27);
  const w = encodeRune(RUNE_BYTES, c);
  bufEscaped(b, c, RUNE_BYTES, w, 0x27, ascii);
  bufByte(b, 0x27);
}

export function bufTerm(b: usize, v: Value): void {
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
      bufGoQuote(b, stringData(v), stringLength(v), false);
      return;
    case TAG_ARRAY:
    case TAG_SET: {
      const n = arrayLength(v);
      const isSet = tagOf(v) == TAG_SET;
      if (isSet && n == 0) {
        bufLiteral(b, "set()");
        return;
      }
      bufByte(b, isSet ? 0x7b : 0x5b);
      for (let i = 0; i < n; i++) {
        if (i > 0) bufLiteral(b, ", ");
        bufTerm(b, arrayGet(v, i));
      }
      bufByte(b, isSet ? 0x7d : 0x5d);
      return;
    }
    case TAG_OBJECT: {
      const n = objectLength(v);
      bufByte(b, 0x7b);
      for (let i = 0; i < n; i++) {
        if (i > 0) bufLiteral(b, ", ");
        bufTerm(b, objectKey(v, i));
        bufLiteral(b, ": ");
        bufTerm(b, objectValue(v, i));
      }
      bufByte(b, 0x7d);
      return;
    }
  }
}
