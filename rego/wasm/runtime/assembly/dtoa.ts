// Exact conversions between doubles and decimal text, on big integers.
//   formatF64(b, x)                  append x to buffer b as JavaScript's Number#toString prints
//                                    it (shortest round trip: "0.1", "1e+21", "1.5e-7", "100")
//   correctF64(x, mant, exp10): f64  the double nearest to mant * 10^exp10 (ties to even), given
//                                    an approximation x > 0 at most a few ulps away
//   correctTruncatedF64(...)         the same when mant holds only the leading digits of the text
import { bufByte } from "./buf";

// Big naturals: u32 length at +0, then little-endian u32 limbs. 128 limbs hold 2^4096: enough for
// MAX_EXACT_DIGITS significant digits scaled by the smallest subnormal's power of ten.
const LIMBS: u32 = 128;
const BN_SIZE: usize = 4 + 4 * LIMBS;
const scratch = memory.data(<i32>(BN_SIZE * 5), 8);
const R = scratch;
const S = scratch + BN_SIZE;
const MP = scratch + BN_SIZE * 2;
const MM = scratch + BN_SIZE * 3;
const T = scratch + BN_SIZE * 4;

// @ts-ignore: decorator
@inline function len(a: usize): u32 {
  return load<u32>(a);
}

// @ts-ignore: decorator
@inline function limb(a: usize, i: u32): u32 {
  return load<u32>(a + 4 + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function setLimb(a: usize, i: u32, v: u32): void {
  store<u32>(a + 4 + (<usize>i << 2), v);
}

function trim(a: usize): void {
  let n = len(a);
  while (n > 0 && limb(a, n - 1) == 0) n--;
  store<u32>(a, n);
}

function setU64(a: usize, x: u64): void {
  setLimb(a, 0, <u32>x);
  setLimb(a, 1, <u32>(x >> 32));
  store<u32>(a, 2);
  trim(a);
}

function copy(dst: usize, src: usize): void {
  memory.copy(dst, src, 4 + (<usize>len(src) << 2));
}

function mulSmall(a: usize, m: u32): void {
  let carry: u64 = 0;
  const n = len(a);
  for (let i: u32 = 0; i < n; i++) {
    const p = <u64>limb(a, i) * <u64>m + carry;
    setLimb(a, i, <u32>p);
    carry = p >> 32;
  }
  if (carry != 0) {
    setLimb(a, n, <u32>carry);
    store<u32>(a, n + 1);
  }
}

function mulPow10(a: usize, k: i32): void {
  while (k >= 9) {
    mulSmall(a, 1000000000);
    k -= 9;
  }
  let m: u32 = 1;
  while (k-- > 0) m *= 10;
  if (m > 1) mulSmall(a, m);
}

function shl(a: usize, bits: i32): void {
  if (len(a) == 0 || bits == 0) return;
  const words = <u32>(bits >> 5);
  const shift = <u32>(bits & 31);
  const n = len(a);
  setLimb(a, n + words, 0);
  for (let i = <i32>n - 1; i >= 0; i--) {
    const v = limb(a, <u32>i);
    if (shift != 0) setLimb(a, <u32>i + words + 1, limb(a, <u32>i + words + 1) | (v >> (32 - shift)));
    setLimb(a, <u32>i + words, v << shift);
  }
  for (let i: u32 = 0; i < words; i++) setLimb(a, i, 0);
  store<u32>(a, n + words + 1);
  trim(a);
}

function cmp(a: usize, b: usize): i32 {
  const n = len(a);
  const m = len(b);
  if (n != m) return n < m ? -1 : 1;
  for (let i = <i32>n - 1; i >= 0; i--) {
    const x = limb(a, <u32>i);
    const y = limb(b, <u32>i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** dst = a + b (dst may be a). */
function add(dst: usize, a: usize, b: usize): void {
  const n = len(a) > len(b) ? len(a) : len(b);
  let carry: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const x = i < len(a) ? <u64>limb(a, i) : 0;
    const y = i < len(b) ? <u64>limb(b, i) : 0;
    const s = x + y + carry;
    setLimb(dst, i, <u32>s);
    carry = s >> 32;
  }
  store<u32>(dst, n);
  if (carry != 0) {
    setLimb(dst, n, <u32>carry);
    store<u32>(dst, n + 1);
  }
}

/** a -= b, for a >= b. */
function sub(a: usize, b: usize): void {
  let borrow: i64 = 0;
  const n = len(a);
  for (let i: u32 = 0; i < n; i++) {
    const y = i < len(b) ? <i64>limb(b, i) : 0;
    let d = <i64>limb(a, i) - y - borrow;
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 0x100000000;
    setLimb(a, i, <u32>d);
  }
  trim(a);
}

// Digits of the last conversion (ASCII) and the decimal point position: value = 0.DIGITS * 10^point.
const digits = memory.data(32);
let digitCount: i32 = 0;
let point: i32 = 0;

function shortestDigits(x: f64): void {
  const bits = reinterpret<u64>(x);
  const biased = <i32>((bits >> 52) & 0x7ff);
  let f = bits & 0xfffffffffffff;
  let e: i32;
  if (biased == 0) {
    e = -1074;
  } else {
    f |= <u64>1 << 52;
    e = biased - 1075;
  }
  const even = (f & 1) == 0;
  const boundaryLow = biased > 1 && f == (<u64>1 << 52); // the gap below is half as wide
  // r / s = x, m+ and m- the half-gaps to the neighbours, all scaled by 2 (or 4)
  setU64(R, f);
  if (e >= 0) {
    shl(R, e + (boundaryLow ? 2 : 1));
    setU64(S, boundaryLow ? 4 : 2);
    setU64(MP, 1);
    shl(MP, e + (boundaryLow ? 1 : 0));
    setU64(MM, 1);
    shl(MM, e);
  } else {
    shl(R, boundaryLow ? 2 : 1);
    setU64(S, 1);
    shl(S, -e + (boundaryLow ? 2 : 1));
    setU64(MP, boundaryLow ? 2 : 1);
    setU64(MM, 1);
  }
  // estimate k = ceil(log10(x)), then fix it up
  const bitLength = 64 - <i32>clz(f);
  let k = <i32>Math.ceil(<f64>(e + bitLength - 1) * 0.30102999566398114 - 1e-10);
  if (k >= 0) {
    mulPow10(S, k);
  } else {
    mulPow10(R, -k);
    mulPow10(MP, -k);
    mulPow10(MM, -k);
  }
  add(T, R, MP);
  const c = cmp(T, S);
  if (even ? c >= 0 : c > 0) {
    k++;
  } else {
    mulSmall(R, 10);
    mulSmall(MP, 10);
    mulSmall(MM, 10);
  }
  point = k;
  digitCount = 0;
  while (true) {
    // d = floor(r / s), r = r mod s (r < 10 s here)
    let d: u32 = 0;
    while (cmp(R, S) >= 0) {
      sub(R, S);
      d++;
    }
    const low = even ? cmp(R, MM) <= 0 : cmp(R, MM) < 0;
    add(T, R, MP);
    const c2 = cmp(T, S);
    const high = even ? c2 >= 0 : c2 > 0;
    if (!low && !high) {
      store<u8>(digits + digitCount++, <u8>(0x30 + d));
      mulSmall(R, 10);
      mulSmall(MP, 10);
      mulSmall(MM, 10);
      continue;
    }
    if (low && high) {
      // closest of d and d + 1: compare 2r with s
      copy(T, R);
      shl(T, 1);
      const c3 = cmp(T, S);
      if (c3 > 0 || (c3 == 0 && (d & 1) == 1)) d++;
    } else if (high) {
      d++;
    }
    store<u8>(digits + digitCount++, <u8>(0x30 + d));
    break;
  }
}

function emitDigits(b: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) bufByte(b, load<u8>(digits + i));
}

function emitInt(b: usize, x: i32): void {
  if (x >= 10) emitInt(b, x / 10);
  bufByte(b, <u32>(0x30 + x % 10));
}

export function formatF64(b: usize, x: f64): void {
  if (x == 0) {
    bufByte(b, 0x30);
    return;
  }
  if (x < 0) {
    bufByte(b, 0x2d);
    x = -x;
  }
  shortestDigits(x);
  const n = point;
  const k = digitCount;
  if (k <= n && n <= 21) {
    emitDigits(b, 0, k);
    for (let i = k; i < n; i++) bufByte(b, 0x30);
  } else if (0 < n && n <= 21) {
    emitDigits(b, 0, n);
    bufByte(b, 0x2e);
    emitDigits(b, n, k);
  } else if (-6 < n && n <= 0) {
    bufByte(b, 0x30);
    bufByte(b, 0x2e);
    for (let i = n; i < 0; i++) bufByte(b, 0x30);
    emitDigits(b, 0, k);
  } else {
    emitDigits(b, 0, 1);
    if (k > 1) {
      bufByte(b, 0x2e);
      emitDigits(b, 1, k);
    }
    bufByte(b, 0x65);
    bufByte(b, n - 1 >= 0 ? 0x2b : 0x2d);
    emitInt(b, n - 1 >= 0 ? n - 1 : 1 - n);
  }
}

// ---- parsing correction ----

/** Sign of mant * 10^exp10 - (the midpoint between x and its upper or lower neighbour). */
function compareToMidpoint(x: f64, mant: u64, exp10: i32, upper: bool): i32 {
  setU64(R, mant);
  return compareRToMidpoint(x, exp10, upper);
}

/** Sign of R * 10^exp10 - (the midpoint between x and its upper or lower neighbour); R is spent. */
function compareRToMidpoint(x: f64, exp10: i32, upper: bool): i32 {
  const bits = reinterpret<u64>(x);
  const biased = <i32>((bits >> 52) & 0x7ff);
  let f = bits & 0xfffffffffffff;
  let e: i32 = -1074;
  if (biased != 0) {
    f |= <u64>1 << 52;
    e = biased - 1075;
  }
  let h: u64;
  let q: i32;
  if (upper) {
    h = 2 * f + 1;
    q = e - 1;
  } else if (biased > 1 && f == (<u64>1 << 52)) {
    h = 4 * f - 1;
    q = e - 2;
  } else {
    h = 2 * f - 1;
    q = e - 1;
  }
  setU64(S, h);
  if (exp10 >= 0) mulPow10(R, exp10);
  else mulPow10(S, -exp10);
  if (q >= 0) shl(S, q);
  else shl(R, -q);
  return cmp(R, S);
}

// 767 significant digits decide the rounding of any decimal to a double; past them only whether
// some digit is nonzero matters.
const MAX_EXACT_DIGITS = 780;

/**
 * Sign of (the decimal number text at p, n bytes, unsigned) - (the midpoint between x and its upper
 * neighbour), reading every significant digit.
 */
function compareTextToUpperMidpoint(x: f64, p: usize, n: u32): i32 {
  setU64(R, 0);
  let chunk: u32 = 0;
  let chunkDigits: i32 = 0;
  let significant = 0;
  let exp10: i32 = 0;
  let afterDot = false;
  let sticky = false;
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    if (c == 0x2b || c == 0x2d) continue;
    if (c == 0x2e) {
      afterDot = true;
      continue;
    }
    if (c == 0x65 || c == 0x45) {
      exp10 += parseExponent(p, i + 1, n);
      break;
    }
    const d = c - 0x30;
    if (significant == 0 && d == 0) {
      if (afterDot) exp10--;
      continue;
    }
    if (significant < MAX_EXACT_DIGITS) {
      chunk = chunk * 10 + d;
      chunkDigits++;
      significant++;
      if (afterDot) exp10--;
      if (chunkDigits == 9) {
        appendDigits(chunk, chunkDigits);
        chunk = 0;
        chunkDigits = 0;
      }
    } else {
      if (d != 0) sticky = true;
      if (!afterDot) exp10++;
    }
  }
  if (chunkDigits > 0) appendDigits(chunk, chunkDigits);
  const c = compareRToMidpoint(x, exp10, true);
  return c == 0 && sticky ? 1 : c;
}

/** R = R * 10^count + chunk. */
function appendDigits(chunk: u32, count: i32): void {
  mulPow10(R, count);
  setU64(T, chunk);
  add(R, R, T);
}

/** The signed decimal exponent at p + from (after "e"), capped far beyond any double's range. */
export function parseExponent(p: usize, from: u32, n: u32): i32 {
  let j = from;
  let negative = false;
  if (j < n && (load<u8>(p + j) == 0x2d || load<u8>(p + j) == 0x2b)) {
    negative = load<u8>(p + j) == 0x2d;
    j++;
  }
  let x: i32 = 0;
  for (; j < n; j++) {
    x = x * 10 + <i32>(load<u8>(p + j) - 0x30);
    if (x > 100000) break;
  }
  return negative ? -x : x;
}

/**
 * The double nearest to the decimal number text at p (n bytes, unsigned value), whose leading
 * digits are mant * 10^exp10 and whose dropped digits are not all zero. The value lies strictly
 * between mant * 10^exp10 and (mant + 1) * 10^exp10; when those round to different doubles, every
 * digit of the text decides.
 */
export function correctTruncatedF64(x: f64, mant: u64, exp10: i32, p: usize, n: u32): f64 {
  const lo = correctF64(x, mant, exp10);
  if (!isFinite(lo)) return lo;
  const hi = correctF64(lo > 0 ? lo : 5e-324, mant + 1, exp10);
  if (hi == lo) return lo;
  // hi is lo's upper neighbour: the text rounds up only past lo's upper midpoint, or on it when lo is odd
  const c = compareTextToUpperMidpoint(lo, p, n);
  if (c > 0 || (c == 0 && (reinterpret<u64>(lo) & 1) == 1)) return hi;
  return lo;
}

export function correctF64(x: f64, mant: u64, exp10: i32): f64 {
  for (let i = 0; i < 64; i++) {
    if (!isFinite(x) || x <= 0) return x;
    const odd = (reinterpret<u64>(x) & 1) == 1;
    const up = compareToMidpoint(x, mant, exp10, true);
    if (up > 0 || (up == 0 && odd)) {
      // above the largest double's upper midpoint: infinity
      if (reinterpret<u64>(x) == 0x7fefffffffffffff) return Infinity;
      x = reinterpret<f64>(reinterpret<u64>(x) + 1);
      continue;
    }
    const down = compareToMidpoint(x, mant, exp10, false);
    if (down < 0 || (down == 0 && odd)) {
      if (reinterpret<u64>(x) == 1) return 0;
      x = reinterpret<f64>(reinterpret<u64>(x) - 1);
      continue;
    }
    break;
  }
  return x;
}
