// Arithmetic builtins: plus minus (numbers; set difference) mul div rem abs round ceil floor
// numbers.range numbers.range_step. Integers stay exact in i64 and fall back to f64 on overflow.
import { Value, TAG_NUMBER, TAG_SET, tagOf, makeInt, makeNumber, numberIsInt, numberInt,
  numberFloat, numberAsInt, numberToI64, newSet, setAdd, setContains, setLength, setGet, newArray,
  arrayAppend } from "../value";
import { typeError, typeErrorMessage, builtinError } from "../errors";
import { isInteger, addIntegers, mulIntegers } from "../bigint";

// @ts-ignore: decorator
@inline function bothInts(a: Value, b: Value): bool {
  return numberIsInt(a) && numberIsInt(b);
}

/** Checks both operands are numbers; returns false after reporting the type error. */
function numbers(name: string, a: Value, b: Value): bool {
  if (tagOf(a) != TAG_NUMBER) {
    typeError(name, 1, "number", a);
    return false;
  }
  if (tagOf(b) != TAG_NUMBER) {
    typeError(name, 2, "number", b);
    return false;
  }
  return true;
}

export function builtin$plus(a: Value, b: Value): Value {
  if (a == 0 || b == 0 || !numbers("plus", a, b)) return 0;
  if (bothInts(a, b)) {
    const x = numberInt(a);
    const y = numberInt(b);
    const r = x + y;
    if (((x ^ r) & (y ^ r)) >= 0) return makeInt(r);
  }
  if (isInteger(a) && isInteger(b)) return addIntegers(a, b, false);
  return makeNumber(numberFloat(a) + numberFloat(b));
}

function setDifference(a: Value, b: Value): Value {
  const out = newSet();
  const n = setLength(a);
  for (let i = 0; i < n; i++) {
    const e = setGet(a, i);
    if (!setContains(b, e)) setAdd(out, e);
  }
  return out;
}

export function builtin$minus(a: Value, b: Value): Value {
  if (a == 0 || b == 0) return 0;
  const ta = tagOf(a);
  const tb = tagOf(b);
  if (ta == TAG_NUMBER && tb == TAG_NUMBER) {
    if (bothInts(a, b)) {
      const x = numberInt(a);
      const y = numberInt(b);
      const r = x - y;
      if (((x ^ y) & (x ^ r)) >= 0) return makeInt(r);
    }
    if (isInteger(a) && isInteger(b)) return addIntegers(a, b, true);
    return makeNumber(numberFloat(a) - numberFloat(b));
  }
  if (ta == TAG_SET && tb == TAG_SET) return setDifference(a, b);
  if (ta != TAG_NUMBER && ta != TAG_SET) return typeError("minus", 1, "number, set", a);
  return typeError("minus", 2, ta == TAG_SET ? "set" : "number", b);
}

export function builtin$mul(a: Value, b: Value): Value {
  if (a == 0 || b == 0 || !numbers("mul", a, b)) return 0;
  if (bothInts(a, b)) {
    const x = numberInt(a);
    const y = numberInt(b);
    // exact when both fit in 32 bits, else check by division
    if (x == <i64><i32>x && y == <i64><i32>y) return makeInt(x * y);
    const r = x * y;
    if (x != 0 && !(x == -1 && y == i64.MIN_VALUE) && r / x == y) return makeInt(r);
    if (x == 0) return makeInt(0);
  }
  if (isInteger(a) && isInteger(b)) return mulIntegers(a, b);
  return makeNumber(numberFloat(a) * numberFloat(b));
}

export function builtin$div(a: Value, b: Value): Value {
  if (a == 0 || b == 0 || !numbers("div", a, b)) return 0;
  if (numberFloat(b) == 0) return builtinError("div", "divide by zero");
  if (bothInts(a, b)) {
    const x = numberInt(a);
    const y = numberInt(b);
    if (x != 0 && !(x == i64.MIN_VALUE && y == -1) && x % y == 0) return makeInt(x / y);
  }
  return makeNumber(numberFloat(a) / numberFloat(b));
}

export function builtin$rem(a: Value, b: Value): Value {
  if (a == 0 || b == 0 || !numbers("rem", a, b)) return 0;
  if (!bothInts(a, b)) return builtinError("rem", "modulo on floating-point number");
  const y = numberInt(b);
  if (y == 0) return builtinError("rem", "modulo by zero");
  if (y == -1) return makeInt(0);
  return makeInt(numberInt(a) % y);
}

function unaryNumber(name: string, a: Value): bool {
  if (tagOf(a) == TAG_NUMBER) return true;
  typeError(name, 1, "number", a);
  return false;
}

export function builtin$abs(a: Value): Value {
  if (a == 0 || !unaryNumber("abs", a)) return 0;
  if (numberIsInt(a)) {
    const x = numberInt(a);
    if (x >= 0) return a;
    if (x != i64.MIN_VALUE) return makeInt(-x);
  }
  return makeNumber(Math.abs(numberFloat(a)));
}

export function builtin$round(a: Value): Value {
  if (a == 0 || !unaryNumber("round", a)) return 0;
  if (numberIsInt(a)) return a;
  const x = numberFloat(a);
  // half away from zero
  return makeNumber(x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5));
}

export function builtin$ceil(a: Value): Value {
  if (a == 0 || !unaryNumber("ceil", a)) return 0;
  if (numberIsInt(a)) return a;
  return makeNumber(Math.ceil(numberFloat(a)));
}

export function builtin$floor(a: Value): Value {
  if (a == 0 || !unaryNumber("floor", a)) return 0;
  if (numberIsInt(a)) return a;
  return makeNumber(Math.floor(numberFloat(a)));
}

/** Checks an integer operand; returns false after reporting the error. */
function integerOperand(name: string, pos: i32, v: Value): bool {
  if (tagOf(v) != TAG_NUMBER) {
    typeError(name, pos, "number", v);
    return false;
  }
  if (!numberAsInt(v)) {
    typeErrorInteger(name, pos);
    return false;
  }
  return true;
}

function typeErrorInteger(name: string, pos: i32): void {
  // OPA: "operand <n> must be integer number but got floating-point number"
  if (pos == 1) typeErrorMessage(name, "operand 1 must be integer number but got floating-point number");
  else if (pos == 2) typeErrorMessage(name, "operand 2 must be integer number but got floating-point number");
  else typeErrorMessage(name, "operand 3 must be integer number but got floating-point number");
}

function range(from: i64, to: i64, step: i64): Value {
  const span = (to > from ? to - from : from - to) / step + 1;
  const out = newArray(span < 1024 ? <i32>span : 1024);
  if (from <= to) {
    for (let x = from; x <= to; x += step) arrayAppend(out, makeInt(x));
  } else {
    for (let x = from; x >= to; x -= step) arrayAppend(out, makeInt(x));
  }
  return out;
}

export function builtin$numbers$range(a: Value, b: Value): Value {
  if (a == 0 || b == 0) return 0;
  if (!integerOperand("numbers.range", 1, a) || !integerOperand("numbers.range", 2, b)) return 0;
  return range(numberToI64(a), numberToI64(b), 1);
}

export function builtin$numbers$range_step(a: Value, b: Value, step: Value): Value {
  if (a == 0 || b == 0 || step == 0) return 0;
  if (!integerOperand("numbers.range_step", 1, a) || !integerOperand("numbers.range_step", 2, b)) return 0;
  if (!integerOperand("numbers.range_step", 3, step)) return 0;
  const s = numberToI64(step);
  if (s <= 0) return builtinError("numbers.range_step", "step must be a positive number above zero");
  return range(numberToI64(a), numberToI64(b), s);
}

