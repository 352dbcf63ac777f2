// bits.*: bitwise operations on integers of any size (two's complement, as Go's big.Int).
import { numberOperand, operandError } from "./errors.ts";
import { exactInteger, integerFromNumber } from "./numbers.ts";
import type { HostBuiltinTable } from "./types.ts";

function integerOperand(value: unknown, pos: number): bigint {
  const n = integerFromNumber(numberOperand(value, pos));
  if (n === undefined)
    throw operandError(pos, "must be integer number but got floating-point number");
  return n;
}

/** A shift count: OPA refuses negative ones; counts beyond 2^16 would build huge numbers. */
function shiftOperand(value: unknown, pos: number): bigint {
  const n = integerOperand(value, pos);
  if (n < 0n)
    throw operandError(pos, "must be an unsigned integer number but got a negative integer");
  if (n > MAX_SHIFT)
    throw operandError(pos, `must be at most ${MAX_SHIFT} (a larger shift makes a huge number)`);
  return n;
}

const MAX_SHIFT = 65_536n;

const binary =
  (op: (a: bigint, b: bigint) => bigint) =>
  ([a, b]: unknown[]) =>
    exactInteger(op(integerOperand(a, 1), integerOperand(b, 2)));

export const bitsBuiltins: HostBuiltinTable = {
  "bits.or": binary((a, b) => a | b),
  "bits.and": binary((a, b) => a & b),
  "bits.xor": binary((a, b) => a ^ b),
  "bits.negate": ([a]) => exactInteger(~integerOperand(a, 1)),
  "bits.lsh": ([a, s]) => exactInteger(integerOperand(a, 1) << shiftOperand(s, 2)),
  "bits.rsh": ([a, s]) => exactInteger(integerOperand(a, 1) >> shiftOperand(s, 2)),
};
