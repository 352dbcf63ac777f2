// sprintf(format, args): Go's fmt.Sprintf as OPA calls it. OPA hands Go each argument as
//   int (integral number in i64 range), *big.Int (larger integral number), float64 (other
//   numbers), string (strings), or otherwise the string of the Rego term (`[1, 2]`, `true`, ...),
// so booleans, null and collections print as text and `%d` of them is Go's
// `%!d(string=...)`. Verbs, flags (# 0 + - space), width, precision, `*` and `[n]` argument
// indexes, and Go's error texts (MISSING, EXTRA, BADINDEX, NOVERB, BADWIDTH, BADPREC) follow fmt.
import {
  Value,
  tagOf,
  TAG_STRING,
  TAG_NUMBER,
  TAG_ARRAY,
  stringData,
  stringLength,
  arrayLength,
  arrayGet,
  numberIsInt,
  numberInt,
  numberFloat,
  numberIsBig,
  numberBigText,
  numberBigLength,
  isIntegralF64,
} from "../value";
import { typeError } from "../errors";
import { bufNew, bufByte, bufBytes, bufLiteral, bufLen, bufData, bufToString } from "../buf";
import { decodeRune, runeWidth, runeCount, runeOffset, encodeRune, isPrintRune } from "./unicode";
import { bufFloat, bufUnsignedBase, bufIntegralF64 } from "./fmtnum";
import { bufTerm, bufGoQuote, bufGoQuoteRune } from "./termstring";

// ---- argument kinds, as OPA converts them for Go ----

const KIND_INT: i32 = 0;
const KIND_BIG: i32 = 1;
const KIND_FLOAT: i32 = 2;
const KIND_STRING: i32 = 3;

// The current argument, decoded by loadArg.
let argKind: i32 = 0;
let argInt: i64 = 0;
let argFloat: f64 = 0;
let argText: usize = 0; // string bytes
let argTextLen: u32 = 0;
let argBigText: usize = 0; // exact decimal digits of a KIND_BIG argument, 0 when only the f64 is known
let argBigTextLen: u32 = 0;

function loadArg(v: Value): void {
  const t = tagOf(v);
  if (t == TAG_STRING) {
    argKind = KIND_STRING;
    argText = stringData(v);
    argTextLen = stringLength(v);
    return;
  }
  if (t == TAG_NUMBER) {
    if (numberIsInt(v)) {
      argKind = KIND_INT;
      argInt = numberInt(v);
      return;
    }
    const x = numberFloat(v);
    argBigText = 0;
    if (numberIsBig(v)) {
      argKind = KIND_BIG;
      argFloat = x;
      argBigText = numberBigText(v);
      argBigTextLen = numberBigLength(v);
      return;
    }
    if (isIntegralF64(x)) {
      argKind = KIND_INT;
      argInt = <i64>x;
    } else if (isFinite(x) && Math.trunc(x) == x) {
      argKind = KIND_BIG;
      argFloat = x;
    } else {
      argKind = KIND_FLOAT;
      argFloat = x;
    }
    return;
  }
  const b = bufNew(32);
  bufTerm(b, v);
  argKind = KIND_STRING;
  argText = bufData(b);
  argTextLen = bufLen(b);
}

function goTypeName(kind: i32): string {
  if (kind == KIND_INT) return "int";
  if (kind == KIND_BIG) return "*big.Int";
  if (kind == KIND_FLOAT) return "float64";
  return "string";
}

// ---- printer state (fmt's flags) ----

let out: usize = 0;
let fSharp = false;
let fZero = false;
let fPlus = false;
let fMinus = false;
let fSpace = false;
let fSharpV = false;
let fWid: i32 = 0;
let fWidPresent = false;
let fPrec: i32 = 0;
let fPrecPresent = false;

function clearFlags(): void {
  fSharp = fZero = fPlus = fMinus = fSpace = fSharpV = false;
  fWid = fPrec = 0;
  fWidPresent = fPrecPresent = false;
}

function writePadding(n: i32): void {
  const c: u32 = fZero && !fMinus ? 0x30 : 0x20;
  for (let i = 0; i < n; i++) bufByte(out, c);
}

/** Append bytes p[0..n), padded to the width (in code points). */
function pad(p: usize, n: u32): void {
  if (!fWidPresent || fWid == 0) {
    bufBytes(out, p, n);
    return;
  }
  const width = fWid - runeCount(p, n);
  if (!fMinus) {
    writePadding(width);
    bufBytes(out, p, n);
  } else {
    bufBytes(out, p, n);
    writePadding(width);
  }
}

/** Pad the content of scratch buffer t into the output. */
function padBuf(t: usize): void {
  pad(bufData(t), bufLen(t));
}

function padNoZero(t: usize): void {
  const zero = fZero;
  fZero = false;
  padBuf(t);
  fZero = zero;
}

// ---- integers ----

/**
 * Go's fmtInteger for a magnitude whose digits are in `digits` (most significant first): precision
 * or zero flag as minimum digit count, # prefixes, sign, then space padding.
 */
function fmtIntegerDigits(digits: usize, negative: bool, base: u32, verb: u32): void {
  const t = bufNew(bufLen(digits) + 8);
  const isZero = bufLen(digits) == 1 && load<u8>(bufData(digits)) == 0x30;
  let prec = 0;
  if (fPrecPresent) {
    prec = fPrec;
    if (prec == 0 && isZero) {
      const zero = fZero;
      fZero = false;
      writePadding(fWid);
      fZero = zero;
      return;
    }
  } else if (fZero && !fMinus && fWidPresent) {
    prec = fWid;
    if (negative || fPlus || fSpace) prec--;
  }
  if (negative) bufByte(t, 0x2d);
  else if (fPlus) bufByte(t, 0x2b);
  else if (fSpace) bufByte(t, 0x20);
  if (verb == 0x4f) bufLiteral(t, "0o");
  else if (fSharp) {
    if (base == 16) bufLiteral(t, verb == 0x58 ? "0X" : "0x");
    else if (base == 2) bufLiteral(t, "0b");
    else if (base == 8 && prec <= <i32>bufLen(digits) && load<u8>(bufData(digits)) != 0x30) {
      bufByte(t, 0x30);
    }
  }
  for (let i = <i32>bufLen(digits); i < prec; i++) bufByte(t, 0x30);
  bufBytes(t, bufData(digits), bufLen(digits));
  padNoZero(t);
}

function integerBase(verb: u32): u32 {
  switch (verb) {
    case 0x76: // v
    case 0x64: // d
    case 0x73: // s (big.Int only)
      return 10;
    case 0x62: // b
      return 2;
    case 0x6f: // o
    case 0x4f: // O
      return 8;
    case 0x78: // x
    case 0x58: // X
      return 16;
  }
  return 0;
}

function fmtInt(x: i64, verb: u32): void {
  if (verb == 0x63) {
    fmtC(x);
    return;
  }
  if (verb == 0x71) {
    const t = bufNew(8);
    bufGoQuoteRune(t, x < 0 || x > 0x10ffff ? 0xfffd : <i32>x, fPlus);
    padBuf(t);
    return;
  }
  if (verb == 0x55) {
    fmtUnicode(x);
    return;
  }
  const base = integerBase(verb);
  if (base == 0 || verb == 0x73) {
    badVerb(verb);
    return;
  }
  const digits = bufNew(24);
  bufUnsignedBase(digits, x < 0 ? <u64>-(x + 1) + 1 : <u64>x, base, verb == 0x58);
  fmtIntegerDigits(digits, x < 0, base, verb);
}

function fmtBig(x: f64, verb: u32): void {
  const base = integerBase(verb);
  if (base == 10 && argBigText != 0) {
    // the literal's exact digits (an f64 would round them)
    const digits = bufNew(argBigTextLen);
    const negative = load<u8>(argBigText) == 0x2d;
    const skip: u32 = negative ? 1 : 0;
    bufBytes(digits, argBigText + skip, argBigTextLen - skip);
    fmtIntegerDigits(digits, negative, base, verb);
    return;
  }
  if (base == 0) {
    // *big.Int formats its own bad verbs
    bufLiteral(out, "%!");
    bufUtf8Rune(out, verb);
    bufLiteral(out, "(big.Int=");
    const digits = bufNew(24);
    if (x < 0) bufByte(digits, 0x2d);
    bufIntegralF64(digits, Math.abs(x), 10, false);
    bufBytes(out, bufData(digits), bufLen(digits));
    bufByte(out, 0x29);
    return;
  }
  const digits = bufNew(24);
  bufIntegralF64(digits, Math.abs(x), base, verb == 0x58);
  fmtIntegerDigits(digits, x < 0, base, verb);
}

function fmtC(x: i64): void {
  const t = bufNew(4);
  const c: i32 = x < 0 || x > 0x10ffff ? 0xfffd : <i32>x;
  bufUtf8Rune(t, <u32>c);
  padBuf(t);
}

function fmtUnicode(x: i64): void {
  const t = bufNew(16);
  bufLiteral(t, "U+");
  const digits = bufNew(16);
  bufUnsignedBase(digits, <u64>x, 16, true);
  const minDigits = fPrecPresent && fPrec > 4 ? fPrec : 4;
  for (let i = <i32>bufLen(digits); i < minDigits; i++) bufByte(t, 0x30);
  bufBytes(t, bufData(digits), bufLen(digits));
  if (fSharp && x >= 0 && x <= 0x10ffff && isPrintRune(<i32>x)) {
    bufLiteral(t, " '");
    bufUtf8Rune(t, <u32>x);
    bufByte(t, 0x27);
  }
  padNoZero(t);
}

const RUNE_BYTES = memory.data(4);

function bufUtf8Rune(b: usize, c: u32): void {
  bufBytes(b, RUNE_BYTES, <u32>encodeRune(RUNE_BYTES, <i32>c));
}

// ---- floats ----

function fmtFloat(x: f64, verb: u32): void {
  let fmt: u32 = verb;
  let prec: i32 = -1;
  switch (verb) {
    case 0x76: // v
      fmt = 0x67;
      break;
    case 0x67: // g
    case 0x47: // G
      break;
    case 0x66: // f
    case 0x46: // F
      fmt = 0x66;
      prec = 6;
      break;
    case 0x65: // e
    case 0x45: // E
      prec = 6;
      break;
    default:
      badVerb(verb);
      return;
  }
  if (fPrecPresent) prec = fPrec;
  const t = bufNew(32);
  const negative = x < 0;
  if (negative) bufByte(t, 0x2d);
  else if (fPlus) bufByte(t, 0x2b);
  else if (fSpace) bufByte(t, 0x20);
  const hasSign = bufLen(t) == 1;
  bufFloat(t, x, fmt, prec);
  if (hasSign && fZero && !fMinus && fWidPresent && fWid > <i32>bufLen(t)) {
    // zero padding goes between the sign and the digits
    bufByte(out, load<u8>(bufData(t)));
    fWid--;
    pad(bufData(t) + 1, bufLen(t) - 1);
    fWid++;
    return;
  }
  padBuf(t);
}

// ---- strings ----

/** Bytes of the first `fPrec` code points when a precision is given. */
function truncated(p: usize, n: u32): u32 {
  return fPrecPresent ? <u32>runeOffset(p, n, fPrec) : n;
}

function fmtString(p: usize, n: u32, verb: u32): void {
  switch (verb) {
    case 0x76: // v
      if (fSharpV) fmtQ(p, n);
      else pad(p, truncated(p, n));
      return;
    case 0x73: // s
      pad(p, truncated(p, n));
      return;
    case 0x78: // x
    case 0x58: // X
      fmtHexBytes(p, n, verb == 0x58);
      return;
    case 0x71: // q
      fmtQ(p, n);
      return;
  }
  badVerb(verb);
}

function canBackquote(p: usize, n: u32): bool {
  const end = p + n;
  let q = p;
  while (q < end) {
    const c = decodeRune(q, end);
    if ((c == 0xfffd && runeWidth == 1) || c == 0xfeff || c == 0x60) return false;
    if ((c < 0x20 && c != 0x09) || c == 0x7f) return false;
    q += <usize>runeWidth;
  }
  return true;
}

function fmtQ(p: usize, n: u32): void {
  const len = truncated(p, n);
  const t = bufNew(len + 2);
  if (fSharp && canBackquote(p, len)) {
    bufByte(t, 0x60);
    bufBytes(t, p, len);
    bufByte(t, 0x60);
  } else bufGoQuote(t, p, len, fPlus);
  padBuf(t);
}

function fmtHexBytes(p: usize, n: u32, upper: bool): void {
  const length = fPrecPresent && <u32>fPrec < n ? <u32>fPrec : n;
  if (length == 0) {
    if (fWidPresent) writePadding(fWid);
    return;
  }
  const t = bufNew(length * 2 + 2);
  for (let i: u32 = 0; i < length; i++) {
    if (i > 0 && fSpace) bufByte(t, 0x20);
    if (fSharp && (i == 0 || fSpace)) bufLiteral(t, upper ? "0X" : "0x");
    const c = <u32>load<u8>(p + i);
    if (c < 16) bufByte(t, 0x30);
    bufUnsignedBase(t, c, 16, upper);
  }
  padBuf(t);
}

// ---- arguments and errors ----

function printArg(v: Value, verb: u32): void {
  loadArg(v);
  if (verb == 0x54) {
    // %T
    const t = bufNew(16);
    bufLiteral(t, goTypeName(argKind));
    pad(bufData(t), bufLen(t));
    return;
  }
  switch (argKind) {
    case KIND_INT:
      fmtInt(argInt, verb);
      return;
    case KIND_BIG:
      fmtBig(argFloat, verb);
      return;
    case KIND_FLOAT:
      fmtFloat(argFloat, verb);
      return;
  }
  fmtString(argText, argTextLen, verb);
}

let currentArg: Value = 0;

/** `%!d(string=abc)`: the argument printed with %v and the current flags. */
function badVerb(verb: u32): void {
  const kind = argKind;
  bufLiteral(out, "%!");
  bufUtf8Rune(out, verb);
  bufByte(out, 0x28);
  bufLiteral(out, goTypeName(kind));
  bufByte(out, 0x3d);
  printArg(currentArg, 0x76);
  bufByte(out, 0x29);
}

// ---- the format loop ----

let fmtPtr: usize = 0;
let fmtEnd: u32 = 0;
let numArgs: i32 = 0;
let reordered = false;
let goodArgNum = true;
// results of parseNumber / argNumber
let parsedNum: i32 = 0;
let parsedOk = false;
let parsedPos: u32 = 0;

function fmtByte(i: u32): u32 {
  return <u32>load<u8>(fmtPtr + i);
}

/** Decimal number at i (fmt's parsenum); sets parsedNum/parsedOk/parsedPos. */
function parseNumber(i: u32, end: u32): void {
  parsedNum = 0;
  parsedOk = false;
  parsedPos = i;
  if (i >= end) {
    parsedPos = end;
    return;
  }
  let j = i;
  while (j < end && fmtByte(j) >= 0x30 && fmtByte(j) <= 0x39) {
    if (parsedNum > 1000000 || parsedNum < -1000000) {
      parsedNum = 0;
      parsedOk = false;
      parsedPos = end;
      return;
    }
    parsedNum = parsedNum * 10 + <i32>(fmtByte(j) - 0x30);
    parsedOk = true;
    j++;
  }
  parsedPos = j;
}

let argNumResult: i32 = 0;
let argPosResult: u32 = 0;

/** An explicit `[n]` argument index at i; returns whether one was found. */
function argNumber(argNum: i32, i: u32): bool {
  argNumResult = argNum;
  argPosResult = i;
  if (i >= fmtEnd || fmtByte(i) != 0x5b) return false;
  reordered = true;
  // find the closing bracket
  let close: u32 = 0;
  let found = false;
  if (fmtEnd - i >= 3) {
    for (let j = i + 1; j < fmtEnd; j++) {
      if (fmtByte(j) == 0x5d) {
        close = j;
        found = true;
        break;
      }
    }
  }
  if (!found) {
    goodArgNum = false;
    argPosResult = i + 1;
    return false;
  }
  parseNumber(i + 1, close);
  if (!parsedOk || parsedPos != close) {
    goodArgNum = false;
    argPosResult = close + 1;
    return false;
  }
  const index = parsedNum - 1;
  argPosResult = close + 1;
  if (index >= 0 && index < numArgs) {
    argNumResult = index;
    return true;
  }
  goodArgNum = false;
  return true;
}

/** `*` width or precision from argument argNum: sets parsedNum/parsedOk. */
function intFromArg(args: Value, argNum: i32): i32 {
  parsedNum = 0;
  parsedOk = false;
  if (argNum >= numArgs) return argNum;
  loadArg(arrayGet(args, argNum));
  if (argKind == KIND_INT && argInt <= 1000000 && argInt >= -1000000) {
    parsedNum = <i32>argInt;
    parsedOk = true;
  }
  return argNum + 1;
}

export function builtin$sprintf(format: Value, args: Value): Value {
  if (tagOf(format) != TAG_STRING) return typeError("sprintf", 1, "string", format);
  if (tagOf(args) != TAG_ARRAY) return typeError("sprintf", 2, "array", args);
  fmtPtr = stringData(format);
  fmtEnd = stringLength(format);
  numArgs = arrayLength(args);
  out = bufNew(fmtEnd + 16);
  reordered = false;
  let argNum = 0;
  let afterIndex = false;
  let i: u32 = 0;
  const end = fmtEnd;
  while (i < end) {
    goodArgNum = true;
    const lasti = i;
    while (i < end && fmtByte(i) != 0x25) i++;
    if (i > lasti) bufBytes(out, fmtPtr + lasti, i - lasti);
    if (i >= end) break;
    i++; // the %
    clearFlags();
    // flags
    let simple = false;
    for (; i < end; i++) {
      const c = fmtByte(i);
      if (c == 0x23) fSharp = true;
      else if (c == 0x30) fZero = true;
      else if (c == 0x2b) fPlus = true;
      else if (c == 0x2d) fMinus = true;
      else if (c == 0x20) fSpace = true;
      else {
        if (c >= 0x61 && c <= 0x7a && argNum < numArgs) {
          // a lower-case verb right after the flags
          if (c == 0x76) {
            fSharpV = fSharp;
            fSharp = false;
            fPlus = false;
          }
          currentArg = arrayGet(args, argNum);
          printArg(currentArg, c);
          argNum++;
          i++;
          simple = true;
        }
        break;
      }
    }
    if (simple) continue;

    afterIndex = argNumber(argNum, i);
    argNum = argNumResult;
    i = argPosResult;

    // width
    if (i < end && fmtByte(i) == 0x2a) {
      i++;
      argNum = intFromArg(args, argNum);
      fWid = parsedNum;
      fWidPresent = parsedOk;
      if (!fWidPresent) bufLiteral(out, "%!(BADWIDTH)");
      if (fWid < 0) {
        fWid = -fWid;
        fMinus = true;
        fZero = false;
      }
      afterIndex = false;
    } else {
      parseNumber(i, end);
      fWid = parsedNum;
      fWidPresent = parsedOk;
      i = parsedPos;
      if (afterIndex && fWidPresent) goodArgNum = false;
    }

    // precision
    if (i + 1 < end && fmtByte(i) == 0x2e) {
      i++;
      if (afterIndex) goodArgNum = false;
      afterIndex = argNumber(argNum, i);
      argNum = argNumResult;
      i = argPosResult;
      if (i < end && fmtByte(i) == 0x2a) {
        i++;
        argNum = intFromArg(args, argNum);
        fPrec = parsedNum;
        fPrecPresent = parsedOk;
        if (fPrec < 0) {
          fPrec = 0;
          fPrecPresent = false;
        }
        if (!fPrecPresent) bufLiteral(out, "%!(BADPREC)");
        afterIndex = false;
      } else {
        parseNumber(i, end);
        fPrec = parsedNum;
        fPrecPresent = parsedOk;
        i = parsedPos;
        if (!fPrecPresent) {
          fPrec = 0;
          fPrecPresent = true;
        }
      }
    }

    if (!afterIndex) {
      afterIndex = argNumber(argNum, i);
      argNum = argNumResult;
      i = argPosResult;
    }

    if (i >= end) {
      bufLiteral(out, "%!(NOVERB)");
      break;
    }

    const verb = <u32>decodeRune(fmtPtr + i, fmtPtr + end);
    i += <u32>runeWidth;

    if (verb == 0x25) {
      bufByte(out, 0x25);
    } else if (!goodArgNum) {
      bufLiteral(out, "%!");
      bufUtf8Rune(out, verb);
      bufLiteral(out, "(BADINDEX)");
    } else if (argNum >= numArgs) {
      bufLiteral(out, "%!");
      bufUtf8Rune(out, verb);
      bufLiteral(out, "(MISSING)");
    } else {
      if (verb == 0x76) {
        fSharpV = fSharp;
        fSharp = false;
        fPlus = false;
      }
      currentArg = arrayGet(args, argNum);
      printArg(currentArg, verb);
      argNum++;
    }
  }

  if (!reordered && argNum < numArgs) {
    clearFlags();
    bufLiteral(out, "%!(EXTRA ");
    for (let k = argNum; k < numArgs; k++) {
      if (k > argNum) bufLiteral(out, ", ");
      currentArg = arrayGet(args, k);
      loadArg(currentArg);
      bufLiteral(out, goTypeName(argKind));
      bufByte(out, 0x3d);
      printArg(currentArg, 0x76);
    }
    bufByte(out, 0x29);
  }
  return bufToString(out);
}
