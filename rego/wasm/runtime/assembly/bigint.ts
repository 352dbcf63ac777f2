// Exact arithmetic on integers of any size, in decimal text (for integers beyond i64, which keep
// their text: see value.ts). Results come back through numberFromText: an i64 when they fit.
//   isInteger(v): bool                 an int or big integer number
//   integerText(v): Value              its canonical decimal text as a string value
//   addIntegers(a, b, negateB): Value  a + b (or a - b)
//   mulIntegers(a, b): Value           a * b
import { malloc } from "./alloc";
import { charge } from "./fuel";
import {
  Value, TAG_NUMBER, tagOf, numberIsInt, numberInt, numberIsBig, numberBigText, numberBigLength,
  makeStringView, stringData, stringLength,
} from "./value";
import { bufNew, bufInt, bufByte, bufToString, bufData, bufLen } from "./buf";
import { numberFromText } from "./json";

export function isInteger(v: Value): bool {
  return tagOf(v) == TAG_NUMBER && (numberIsInt(v) || numberIsBig(v));
}

export function integerText(v: Value): Value {
  if (numberIsBig(v)) return makeStringView(numberBigText(v), numberBigLength(v));
  const b = bufNew(24);
  bufInt(b, numberInt(v));
  return bufToString(b);
}

/** Magnitude comparison of digit strings without leading zeros. */
function compareMagnitudes(p: usize, n: u32, q: usize, m: u32): i32 {
  if (n != m) return n < m ? -1 : 1;
  for (let i: u32 = 0; i < n; i++) {
    const x = load<u8>(p + i);
    const y = load<u8>(q + i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Digits (most significant first) from little-endian digit values in `tmp[0..count)`. */
function digitsFromLittleEndian(negative: bool, tmp: usize, count: u32): Value {
  let top = <i32>count - 1;
  while (top > 0 && load<u8>(tmp + top) == 0) top--;
  const b = bufNew(count + 1);
  if (negative && !(top == 0 && load<u8>(tmp) == 0)) bufByte(b, 0x2d);
  for (let i = top; i >= 0; i--) bufByte(b, 0x30 + <u32>load<u8>(tmp + i));
  return numberFromText(bufData(b), bufLen(b));
}

function addMagnitudes(negative: bool, p: usize, n: u32, q: usize, m: u32): Value {
  const count = (n > m ? n : m) + 1;
  const tmp = malloc(count);
  let carry: u32 = 0;
  for (let i: u32 = 0; i < count; i++) {
    const x: u32 = i < n ? <u32>load<u8>(p + n - 1 - i) - 0x30 : 0;
    const y: u32 = i < m ? <u32>load<u8>(q + m - 1 - i) - 0x30 : 0;
    const s = x + y + carry;
    store<u8>(tmp + i, <u8>(s % 10));
    carry = s / 10;
  }
  return digitsFromLittleEndian(negative, tmp, count);
}

/** |p| - |q| for |p| >= |q|. */
function subMagnitudes(negative: bool, p: usize, n: u32, q: usize, m: u32): Value {
  const tmp = malloc(n);
  let borrow: i32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    let d = <i32>load<u8>(p + n - 1 - i) - 0x30 - borrow - (i < m ? <i32>load<u8>(q + m - 1 - i) - 0x30 : 0);
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 10;
    store<u8>(tmp + i, <u8>d);
  }
  return digitsFromLittleEndian(negative, tmp, n);
}

export function addIntegers(a: Value, b: Value, negateB: bool): Value {
  const ta = integerText(a);
  const tb = integerText(b);
  let p = stringData(ta);
  let n = stringLength(ta);
  let q = stringData(tb);
  let m = stringLength(tb);
  const negA = load<u8>(p) == 0x2d;
  const negB = (load<u8>(q) == 0x2d) != negateB;
  if (load<u8>(p) == 0x2d) {
    p++;
    n--;
  }
  if (load<u8>(q) == 0x2d) {
    q++;
    m--;
  }
  if (negA == negB) return addMagnitudes(negA, p, n, q, m);
  return compareMagnitudes(p, n, q, m) >= 0
    ? subMagnitudes(negA, p, n, q, m)
    : subMagnitudes(negB, q, m, p, n);
}

export function mulIntegers(a: Value, b: Value): Value {
  const ta = integerText(a);
  const tb = integerText(b);
  let p = stringData(ta);
  let n = stringLength(ta);
  let q = stringData(tb);
  let m = stringLength(tb);
  const negative = (load<u8>(p) == 0x2d) != (load<u8>(q) == 0x2d);
  if (load<u8>(p) == 0x2d) {
    p++;
    n--;
  }
  if (load<u8>(q) == 0x2d) {
    q++;
    m--;
  }
  // schoolbook on u32 columns, then carries into decimal digits
  charge(<i64>((<u64>n * <u64>m) >> 4));
  const count = n + m;
  const cols = malloc(<usize>count << 2);
  memory.fill(cols, 0, <usize>count << 2);
  for (let i: u32 = 0; i < n; i++) {
    const x = <u32>load<u8>(p + n - 1 - i) - 0x30;
    for (let j: u32 = 0; j < m; j++) {
      const at = cols + (<usize>(i + j) << 2);
      store<u32>(at, load<u32>(at) + x * (<u32>load<u8>(q + m - 1 - j) - 0x30));
    }
  }
  const tmp = malloc(count + 1);
  let carry: u64 = 0;
  for (let i: u32 = 0; i < count; i++) {
    const s = <u64>load<u32>(cols + (<usize>i << 2)) + carry;
    store<u8>(tmp + i, <u8>(s % 10));
    carry = s / 10;
  }
  store<u8>(tmp + count, <u8>carry);
  return digitsFromLittleEndian(negative, tmp, count + 1);
}
