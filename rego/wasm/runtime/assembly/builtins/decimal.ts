// Exact decimal digits of an f64, for printing floats as Go's strconv does: a decimal is the digit
// string d[0..nd) (no leading or trailing zeros) with the decimal point before digit dp, i.e.
// value = 0.d[0]d[1]... x 10^dp. Rounding is exact (half to even only on true ties).
//
//   decimalOf(x)       the exact digits of |x| in the main decimal (any finite x)
//   shortestOf(x)      the shortest digits that read back as |x| (Go's precision -1)
//   decRound(n)        round the main decimal to n digits
//   decNd(), decDp(), decDigit(i)  read the main decimal (digit as ASCII)
// Not re-entrant: the three decimals live in static scratch memory.

const MAX_DIGITS: i32 = 800; // 2^53 * 5^1074 has 767 digits
const LIMB_COUNT: i32 = 100; // base-1e9 limbs, enough for 800 digits
const LIMB_BASE: u64 = 1000000000;

const LIMBS = memory.data(LIMB_COUNT * 4);
const MAIN_DIGITS = memory.data(MAX_DIGITS + 8);
const LOWER_DIGITS = memory.data(MAX_DIGITS + 8);
const UPPER_DIGITS = memory.data(MAX_DIGITS + 8);

// decimals: [digits address, nd, dp] as three i32
const MAIN = memory.data(12);
const LOWER = memory.data(12);
const UPPER = memory.data(12);

function digitsOf(d: usize): usize {
  return <usize>load<u32>(d);
}
function ndOf(d: usize): i32 {
  return load<i32>(d, 4);
}
function dpOf(d: usize): i32 {
  return load<i32>(d, 8);
}
function setNd(d: usize, nd: i32): void {
  store<i32>(d, nd, 4);
}
function setDp(d: usize, dp: i32): void {
  store<i32>(d, dp, 8);
}

let limbLen: i32 = 0;

function limbsSet(x: u64): void {
  limbLen = 0;
  do {
    store<u32>(LIMBS + ((<usize>limbLen) << 2), <u32>(x % LIMB_BASE));
    limbLen++;
    x /= LIMB_BASE;
  } while (x != 0);
}

/** limbs *= m, with m < 2^31 */
function limbsMul(m: u64): void {
  let carry: u64 = 0;
  for (let i = 0; i < limbLen; i++) {
    const p = LIMBS + ((<usize>i) << 2);
    const t = <u64>load<u32>(p) * m + carry;
    store<u32>(p, <u32>(t % LIMB_BASE));
    carry = t / LIMB_BASE;
  }
  while (carry != 0) {
    store<u32>(LIMBS + ((<usize>limbLen) << 2), <u32>(carry % LIMB_BASE));
    limbLen++;
    carry /= LIMB_BASE;
  }
}

/** Set decimal `d` (with digit storage `digits`) to mant * 2^exp2 exactly. */
function setExact(d: usize, digits: usize, mant: u64, exp2: i32): void {
  store<u32>(d, <u32>digits);
  if (mant == 0) {
    setNd(d, 0);
    setDp(d, 0);
    return;
  }
  limbsSet(mant);
  let fracDigits = 0;
  if (exp2 >= 0) {
    let e = exp2;
    while (e >= 29) {
      limbsMul((<u64>1) << 29);
      e -= 29;
    }
    if (e > 0) limbsMul((<u64>1) << (<u64>e));
  } else {
    // mant * 2^-k = mant * 5^k / 10^k
    let e = -exp2;
    fracDigits = e;
    while (e >= 13) {
      limbsMul(1220703125); // 5^13
      e -= 13;
    }
    let p: u64 = 1;
    for (let i = 0; i < e; i++) p *= 5;
    if (p > 1) limbsMul(p);
  }
  // limbs to digits, most significant first
  let n = 0;
  const top = load<u32>(LIMBS + ((<usize>(limbLen - 1)) << 2));
  let div: u32 = 100000000;
  let started = false;
  while (div > 0) {
    const c = (top / div) % 10;
    if (c != 0 || started || div == 1) {
      store<u8>(digits + n, <u8>(0x30 + c));
      n++;
      started = true;
    }
    div /= 10;
  }
  for (let i = limbLen - 2; i >= 0; i--) {
    const limb = load<u32>(LIMBS + ((<usize>i) << 2));
    let dv: u32 = 100000000;
    while (dv > 0) {
      store<u8>(digits + n, <u8>(0x30 + ((limb / dv) % 10)));
      n++;
      dv /= 10;
    }
  }
  setDp(d, n - fracDigits);
  while (n > 0 && load<u8>(digits + n - 1) == 0x30) n--;
  setNd(d, n);
}

function trimZeros(d: usize): void {
  const digits = digitsOf(d);
  let n = ndOf(d);
  while (n > 0 && load<u8>(digits + n - 1) == 0x30) n--;
  setNd(d, n);
  if (n == 0) setDp(d, 0);
}

function roundUpAt(d: usize, n: i32): void {
  const digits = digitsOf(d);
  for (let i = n - 1; i >= 0; i--) {
    const c = load<u8>(digits + i);
    if (c < 0x39) {
      store<u8>(digits + i, c + 1);
      setNd(d, i + 1);
      return;
    }
  }
  // all nines: 0.999 -> 1.0
  store<u8>(digits, 0x31);
  setNd(d, 1);
  setDp(d, dpOf(d) + 1);
}

function roundDownAt(d: usize, n: i32): void {
  setNd(d, n);
  trimZeros(d);
}

function shouldRoundUp(d: usize, n: i32): bool {
  const digits = digitsOf(d);
  const c = load<u8>(digits + n);
  if (c == 0x35 && n + 1 == ndOf(d)) {
    // exact tie: to even
    return n > 0 && (load<u8>(digits + n - 1) - 0x30) % 2 == 1;
  }
  return c >= 0x35;
}

function roundAt(d: usize, n: i32): void {
  if (n < 0 || n >= ndOf(d)) return;
  if (shouldRoundUp(d, n)) roundUpAt(d, n);
  else roundDownAt(d, n);
}

/** Digit i of decimal d as ASCII ('0' beyond its digits). */
function digitAt(d: usize, i: i32): u8 {
  return i >= 0 && i < ndOf(d) ? load<u8>(digitsOf(d) + i) : 0x30;
}

/** Compare |a| with the first n digits of decimal b (rounded up by one unit when up). */
function compareDec(a: usize, b: usize, n: i32): i32 {
  if (ndOf(a) == 0 && n == 0) return 0;
  if (ndOf(a) == 0) return -1;
  if (n == 0) return 1;
  if (dpOf(a) != dpOf(b)) return dpOf(a) < dpOf(b) ? -1 : 1;
  const len = ndOf(a) > n ? ndOf(a) : n;
  for (let i = 0; i < len; i++) {
    const x = digitAt(a, i);
    const y = i < n ? digitAt(b, i) : <u8>0x30;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

function splitF64(x: f64): void {
  const bits = reinterpret<u64>(x);
  const biased = <i32>((bits >> 52) & 0x7ff);
  const frac = bits & 0xfffffffffffff;
  if (biased == 0) {
    splitMant = frac;
    splitExp = -1074;
  } else {
    splitMant = frac | ((<u64>1) << 52);
    splitExp = biased - 1075;
  }
}
let splitMant: u64 = 0;
let splitExp: i32 = 0;

export function decimalOf(x: f64): void {
  splitF64(x);
  setExact(MAIN, MAIN_DIGITS, splitMant, splitExp);
}

/** Shortest digits that uniquely identify |x| among f64 values. */
export function shortestOf(x: f64): void {
  decimalOf(x);
  const nd = ndOf(MAIN);
  if (nd == 0) return;
  const mant = splitMant;
  const exp2 = splitExp;
  // the halfway points to the neighbouring f64 values
  setExact(UPPER, UPPER_DIGITS, mant * 2 + 1, exp2 - 1);
  if (mant == (<u64>1) << 52 && exp2 > -1074) {
    setExact(LOWER, LOWER_DIGITS, mant * 4 - 1, exp2 - 2);
  } else {
    setExact(LOWER, LOWER_DIGITS, mant * 2 - 1, exp2 - 1);
  }
  const inclusive = (mant & 1) == 0;
  // The shortest n for which MAIN cut to n digits (or that plus one unit in the last place)
  // still lies between the halfway points; when both do, the nearer one.
  for (let n = 1; n < nd; n++) {
    const cmpLow = compareDec(LOWER, MAIN, n); // lower vs truncation
    const downOk = cmpLow < 0 || (inclusive && cmpLow == 0);
    const upOk = upWithin(n, inclusive);
    if (downOk && upOk) {
      roundAt(MAIN, n);
      return;
    }
    if (downOk) {
      roundDownAt(MAIN, n);
      return;
    }
    if (upOk) {
      roundUpAt(MAIN, n);
      return;
    }
  }
}

const UP_DIGITS = memory.data(32);
const UP = memory.data(12);

/** Whether the first n digits of MAIN plus one unit at digit n stays below the upper bound. */
function upWithin(n: i32, inclusive: bool): bool {
  if (n > 24) return false;
  memory.copy(UP_DIGITS, digitsOf(MAIN), <usize>n);
  store<u32>(UP, <u32>UP_DIGITS);
  setNd(UP, n);
  setDp(UP, dpOf(MAIN));
  roundUpAt(UP, n);
  const c = compareDec(UP, UPPER, ndOf(UPPER));
  return c < 0 || (inclusive && c == 0);
}

export function decRound(n: i32): void {
  roundAt(MAIN, n);
}

export function decNd(): i32 {
  return ndOf(MAIN);
}

export function decDp(): i32 {
  return dpOf(MAIN);
}

/** Digit i of the main decimal as ASCII, '0' outside its digits. */
export function decDigit(i: i32): u8 {
  return digitAt(MAIN, i);
}
