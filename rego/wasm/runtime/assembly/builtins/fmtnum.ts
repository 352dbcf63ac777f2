// Number text as Go's strconv writes it (what OPA's sprintf and format_int produce):
//   bufFloat(b, x, fmt, prec)   |x| in format 'e', 'E', 'f', 'g' or 'G'; prec -1 = shortest
//                               (no sign: the caller writes it)
//   bufUnsignedBase(b, x, base, upper)   x in base 2..16
import { bufByte, bufLiteral } from "../buf";
import { decimalOf, shortestOf, decRound, decNd, decDp, decDigit } from "./decimal";

const CHAR_E: u32 = 0x65;
const CHAR_F: u32 = 0x66;
const CHAR_G: u32 = 0x67;

export function bufFloat(b: usize, x: f64, fmt: u32, prec: i32): void {
  const ax = Math.abs(x);
  if (isNaN(ax)) {
    bufLiteral(b, "NaN");
    return;
  }
  if (!isFinite(ax)) {
    bufLiteral(b, "Inf");
    return;
  }
  const lower = fmt | 0x20;
  const shortest = prec < 0;
  if (shortest) {
    shortestOf(ax);
    if (lower == CHAR_E) prec = decNd() - 1;
    else if (lower == CHAR_F) prec = decNd() - decDp() > 0 ? decNd() - decDp() : 0;
    else prec = decNd();
  } else {
    decimalOf(ax);
    if (lower == CHAR_E) decRound(prec + 1);
    else if (lower == CHAR_F) decRound(decDp() + prec);
    else {
      if (prec == 0) prec = 1;
      decRound(prec);
    }
  }
  if (lower == CHAR_E) {
    writeE(b, prec, fmt);
    return;
  }
  if (lower == CHAR_F) {
    writeF(b, prec);
    return;
  }
  // 'g': %e for small or large exponents, else %f; no trailing zeros
  const nd = decNd();
  const dp = decDp();
  let eprec = prec;
  if (eprec > nd && nd >= dp) eprec = nd;
  if (shortest) eprec = 6;
  const exp = dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > nd) prec = nd;
    writeE(b, prec - 1, fmt == CHAR_G ? CHAR_E : CHAR_E & ~0x20);
    return;
  }
  if (prec > dp) prec = nd;
  writeF(b, prec - dp > 0 ? prec - dp : 0);
}

function writeE(b: usize, prec: i32, e: u32): void {
  const nd = decNd();
  bufByte(b, nd == 0 ? 0x30 : decDigit(0));
  if (prec > 0) {
    bufByte(b, 0x2e);
    for (let i = 1; i <= prec; i++) bufByte(b, decDigit(i));
  }
  bufByte(b, e);
  let exp = nd == 0 ? 0 : decDp() - 1;
  if (exp < 0) {
    bufByte(b, 0x2d);
    exp = -exp;
  } else bufByte(b, 0x2b);
  if (exp < 10) {
    bufByte(b, 0x30);
    bufByte(b, 0x30 + exp);
  } else if (exp < 100) {
    bufByte(b, 0x30 + exp / 10);
    bufByte(b, 0x30 + (exp % 10));
  } else {
    bufByte(b, 0x30 + exp / 100);
    bufByte(b, 0x30 + ((exp / 10) % 10));
    bufByte(b, 0x30 + (exp % 10));
  }
}

function writeF(b: usize, prec: i32): void {
  const dp = decDp();
  if (dp > 0) {
    for (let i = 0; i < dp; i++) bufByte(b, decDigit(i));
  } else bufByte(b, 0x30);
  if (prec > 0) {
    bufByte(b, 0x2e);
    for (let i = 1; i <= prec; i++) bufByte(b, decDigit(dp + i - 1));
  }
}

const DIGITS_AT = memory.data(72);

export function bufUnsignedBase(b: usize, x: u64, base: u32, upper: bool): void {
  let n = 0;
  do {
    const d = <u32>(x % <u64>base);
    store<u8>(DIGITS_AT + n, <u8>(d < 10 ? 0x30 + d : (upper ? 0x41 : 0x61) + d - 10));
    n++;
    x /= <u64>base;
  } while (x != 0);
  while (n > 0) {
    n--;
    bufByte(b, load<u8>(DIGITS_AT + n));
  }
}

/** An integral |x| of any magnitude in base 2, 8, 10 or 16. Base 10 beyond 2^53 writes the
 * shortest digits padded with zeros (the literal a policy most likely wrote, as OPA keeps it). */
export function bufIntegralF64(b: usize, x: f64, base: u32, upper: bool): void {
  if (x < 9007199254740992.0) {
    bufUnsignedBase(b, <u64>x, base, upper);
    return;
  }
  if (base == 10) {
    shortestOf(x);
    const dp = decDp();
    for (let i = 0; i < dp; i++) bufByte(b, decDigit(i));
    return;
  }
  // x = mant * 2^exp with exp > 0: move exp mod (bits per digit) into mant, then zero digits
  const bits = reinterpret<u64>(x);
  let mant = (bits & 0xfffffffffffff) | ((<u64>1) << 52);
  const exp = <i32>((bits >> 52) & 0x7ff) - 1075;
  const shift: i32 = base == 2 ? 1 : base == 8 ? 3 : 4;
  mant <<= <u64>(exp % shift);
  bufUnsignedBase(b, mant, base, upper);
  for (let i = 0; i < exp / shift; i++) bufByte(b, 0x30);
}
