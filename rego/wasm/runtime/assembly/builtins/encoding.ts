// Encoding builtins: json.marshal json.marshal_with_options json.unmarshal json.is_valid
// base64.encode base64.decode base64.is_valid base64url.encode base64url.encode_no_pad
// base64url.decode.
import { Value, TAG_BOOLEAN, TAG_OBJECT, TAG_STRING, tagOf, makeBoolean, booleanValue, stringData,
  stringLength, stringEqualsLiteral, objectLength, objectKey, objectValue, stringFromLiteral } from "../value";
import { parseJson, dumpJsonWith } from "../json";
import { bufNew, bufByte, bufString, bufLiteral, bufToString, bufLen, bufData } from "../buf";
import { typeError, typeErrorMessage, typeErrorValue, builtinError } from "../errors";

export function builtin$json$marshal(v: Value): Value {
  if (v == 0) return 0;
  const b = bufNew(64);
  dumpJsonWith(b, v, true, 0, 0);
  return bufToString(b);
}

export function builtin$json$marshal_with_options(v: Value, opts: Value): Value {
  if (v == 0 || opts == 0) return 0;
  if (tagOf(opts) != TAG_OBJECT) return typeError("json.marshal_with_options", 2, "object", opts);
  let indent: Value = 0;
  let prefix: Value = 0;
  let implicitPretty = false;
  let explicitSet = false;
  let explicitPretty = false;
  const n = objectLength(opts);
  for (let i = 0; i < n; i++) {
    const k = objectKey(opts, i);
    const x = objectValue(opts, i);
    if (stringEqualsLiteral(k, "prefix") || stringEqualsLiteral(k, "indent")) {
      if (tagOf(x) != TAG_STRING) {
        return typeErrorMessage("json.marshal_with_options", "operand 2 key failed cast to string");
      }
      if (stringEqualsLiteral(k, "prefix")) prefix = x;
      else indent = x;
      implicitPretty = true;
    } else if (stringEqualsLiteral(k, "pretty")) {
      if (tagOf(x) != TAG_BOOLEAN) return typeErrorMessage("json.marshal_with_options", "operand 2 key pretty failed cast to bool");
      explicitSet = true;
      explicitPretty = booleanValue(x);
    } else {
      return unknownOptionKey(k);
    }
  }
  const pretty = explicitSet ? explicitPretty : implicitPretty;
  const b = bufNew(64);
  if (!pretty) {
    dumpJsonWith(b, v, true, 0, 0);
    return bufToString(b);
  }
  if (indent == 0) indent = stringFromLiteral("\t");
  if (prefix != 0) bufString(b, prefix);
  dumpJsonWith(b, v, true, indent, prefix);
  return bufToString(b);
}

function unknownOptionKey(k: Value): Value {
  const m = bufNew(64);
  bufLiteral(m, "operand 2 object contained unknown key ");
  dumpJsonWith(m, k, false, 0, 0);
  return typeErrorValue("json.marshal_with_options", bufToString(m));
}

export function builtin$json$unmarshal(s: Value): Value {
  if (s == 0) return 0;
  if (tagOf(s) != TAG_STRING) return typeError("json.unmarshal", 1, "string", s);
  const v = parseJson(stringData(s), stringLength(s));
  if (v == 0) return builtinError("json.unmarshal", "invalid JSON");
  return v;
}

export function builtin$json$is_valid(s: Value): Value {
  if (s == 0) return 0;
  if (tagOf(s) != TAG_STRING) return makeBoolean(false);
  return makeBoolean(parseJson(stringData(s), stringLength(s)) != 0);
}

// ---- base64 ----

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function encode(name: string, s: Value, alphabet: string, pad: bool): Value {
  if (s == 0) return 0;
  if (tagOf(s) != TAG_STRING) return typeError(name, 1, "string", s);
  const p = stringData(s);
  const n = stringLength(s);
  const b = bufNew(((n + 2) / 3) * 4);
  let i: u32 = 0;
  for (; i + 2 < n; i += 3) {
    const x = (<u32>load<u8>(p + i) << 16) | (<u32>load<u8>(p + i + 1) << 8) | <u32>load<u8>(p + i + 2);
    bufByte(b, <u32>alphabet.charCodeAt(<i32>(x >> 18)));
    bufByte(b, <u32>alphabet.charCodeAt(<i32>((x >> 12) & 63)));
    bufByte(b, <u32>alphabet.charCodeAt(<i32>((x >> 6) & 63)));
    bufByte(b, <u32>alphabet.charCodeAt(<i32>(x & 63)));
  }
  const rest = n - i;
  if (rest > 0) {
    const x = (<u32>load<u8>(p + i) << 16) | (rest == 2 ? <u32>load<u8>(p + i + 1) << 8 : 0);
    bufByte(b, <u32>alphabet.charCodeAt(<i32>(x >> 18)));
    bufByte(b, <u32>alphabet.charCodeAt(<i32>((x >> 12) & 63)));
    if (rest == 2) bufByte(b, <u32>alphabet.charCodeAt(<i32>((x >> 6) & 63)));
    else if (pad) bufByte(b, 0x3d);
    if (pad) bufByte(b, 0x3d);
  }
  return bufToString(b);
}

function sextet(c: u32, url: bool): i32 {
  if (c >= 0x41 && c <= 0x5a) return <i32>(c - 0x41);
  if (c >= 0x61 && c <= 0x7a) return <i32>(c - 0x61 + 26);
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30 + 52);
  if (c == (url ? 0x2d : 0x2b)) return 62;
  if (c == (url ? 0x5f : 0x2f)) return 63;
  return -1;
}

/** Strict padded base64 (Go's StdEncoding/URLEncoding); returns the bytes as a string or 0. */
function decode(p: usize, n: u32, url: bool): Value {
  if (n % 4 != 0) return 0;
  const b = bufNew((n / 4) * 3);
  for (let i: u32 = 0; i < n; i += 4) {
    let x: u32 = 0;
    let pads = 0;
    for (let j: u32 = 0; j < 4; j++) {
      const c = <u32>load<u8>(p + i + j);
      if (c == 0x3d && i + 4 == n && j >= 2) {
        pads++;
        x <<= 6;
        continue;
      }
      if (pads > 0) return 0;
      const d = sextet(c, url);
      if (d < 0) return 0;
      x = (x << 6) | <u32>d;
    }
    bufByte(b, (x >> 16) & 0xff);
    if (pads < 2) bufByte(b, (x >> 8) & 0xff);
    if (pads < 1) bufByte(b, x & 0xff);
  }
  return bufToString(b);
}

export function builtin$base64$encode(s: Value): Value {
  return encode("base64.encode", s, STD, true);
}

export function builtin$base64url$encode(s: Value): Value {
  return encode("base64url.encode", s, URL, true);
}

export function builtin$base64url$encode_no_pad(s: Value): Value {
  return encode("base64url.encode_no_pad", s, URL, false);
}

export function builtin$base64$decode(s: Value): Value {
  if (s == 0) return 0;
  if (tagOf(s) != TAG_STRING) return typeError("base64.decode", 1, "string", s);
  const out = decode(stringData(s), stringLength(s), false);
  return out != 0 ? out : builtinError("base64.decode", "illegal base64 data");
}

export function builtin$base64$is_valid(s: Value): Value {
  if (s == 0) return 0;
  if (tagOf(s) != TAG_STRING) return makeBoolean(false);
  return makeBoolean(decode(stringData(s), stringLength(s), false) != 0);
}

export function builtin$base64url$decode(s: Value): Value {
  if (s == 0) return 0;
  if (tagOf(s) != TAG_STRING) return typeError("base64url.decode", 1, "string", s);
  const n = stringLength(s);
  let out: Value = 0;
  if (n > 0 && load<u8>(stringData(s) + n - 1) == 0x3d) {
    out = decode(stringData(s), n, true);
  } else if (n % 4 != 1) {
    // restore the padding some encoders omit (RFC 7515 appendix C)
    const b = bufNew(n + 2);
    bufString(b, s);
    for (let i = n % 4; i > 0 && i < 4; i++) bufByte(b, 0x3d);
    out = decode(bufData(b), bufLen(b), true);
  }
  return out != 0 ? out : builtinError("base64url.decode", "illegal base64 data");
}
