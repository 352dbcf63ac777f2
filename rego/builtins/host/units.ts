// units.parse_bytes and units.parse: amounts with SI (k = 1000) and binary (Ki = 1024) suffixes.
import { builtinError, stringOperand } from "./errors.ts";
import {
  decimalToRational,
  exactInteger,
  exactNumber,
  rationalToDecimal,
  reduce,
  truncate,
} from "./numbers.ts";
import type { HostBuiltinTable } from "./types.ts";

const KI = 1n << 10n;
const si = (power: number): bigint => 1000n ** BigInt(power);
const binary = (power: number): bigint => KI ** BigInt(power);

// Suffixes after lower-casing (parse_bytes lower-cases the whole string).
const BYTE_UNITS: Record<string, bigint> = { "": 1n };
// units.parse keeps the case of the first letter: "m" is milli, "M" mega.
const UNITS: Record<string, bigint> = { "": 1n };
["k", "m", "g", "t", "p", "e"].forEach((letter, i) => {
  const upper = letter.toUpperCase();
  BYTE_UNITS[letter] = BYTE_UNITS[`${letter}b`] = si(i + 1);
  BYTE_UNITS[`${letter}i`] = BYTE_UNITS[`${letter}ib`] = binary(i + 1);
  UNITS[upper] = si(i + 1);
  if (letter !== "m") UNITS[letter] = si(i + 1);
  UNITS[`${letter}i`] = UNITS[`${upper}i`] = binary(i + 1);
});

const MAX_EXPONENT_DIGITS = 6;

/** Splits "10.5KiB" into number text and unit; a run of digits, '.', signs and exponents leads. */
function splitAmount(s: string): { num: string; unit: string } | "exponent too large" {
  const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (!(isDigit(c) || c === "." || c === "e" || c === "E" || c === "+" || c === "-")) {
      return { num: s.slice(0, i), unit: s.slice(i) };
    }
    if (c === "e" || c === "E") {
      const next = s[i + 1];
      if (!(isDigit(next) || next === "+" || next === "-"))
        return { num: s.slice(0, i), unit: s.slice(i) };
      if (next === "+" || next === "-") i++;
      let end = i + 1;
      while (isDigit(s[end])) end++;
      if (end - (i + 1) > MAX_EXPONENT_DIGITS) return "exponent too large";
    }
  }
  return { num: s, unit: "" };
}

function parseAmount(builtin: string, raw: string, noun: string): { num: string; unit: string } {
  // OPA's own messages repeat the builtin's name after the dispatcher's prefix.
  const fail = (msg: string) => builtinError(`${builtin}: ${msg}`);
  if (raw.includes(" ")) throw fail("spaces not allowed in resource strings");
  const split = splitAmount(raw);
  if (split === "exponent too large") throw fail(split);
  if (split.num === "") throw fail(`no ${noun}amount provided`);
  return split;
}

function parseBytes(args: unknown[]): unknown {
  const s = stringOperand(args[0], 1).toLowerCase().replaceAll('"', "");
  const { num, unit } = parseAmount("units.parse_bytes", s, "byte ");
  const multiplier = BYTE_UNITS[unit];
  if (multiplier === undefined)
    throw builtinError(`units.parse_bytes: byte unit ${unit} not recognized`);
  const amount = decimalToRational(num);
  if (!amount) throw builtinError("units.parse_bytes: could not parse byte amount to a number");
  return exactInteger(truncate({ num: amount.num * multiplier, den: amount.den }));
}

function parseUnits(args: unknown[]): unknown {
  const s = stringOperand(args[0], 1).replaceAll('"', "");
  const split = parseAmount("units.parse", s, "");
  const unit =
    split.unit.length > 1 ? split.unit[0] + split.unit.slice(1).toLowerCase() : split.unit;
  const amount = decimalToRational(split.num);
  let value;
  if (unit === "m") {
    if (!amount) throw builtinError("units.parse: could not parse amount to a number");
    value = reduce({ num: amount.num, den: amount.den * 1000n });
  } else {
    const multiplier = UNITS[unit];
    if (multiplier === undefined) throw builtinError(`units.parse: unit ${unit} not recognized`);
    if (!amount) throw builtinError("units.parse: could not parse amount to a number");
    value = reduce({ num: amount.num * multiplier, den: amount.den });
  }
  return value.den === 1n ? exactInteger(value.num) : exactNumber(rationalToDecimal(value, 10));
}

export const unitsBuiltins: HostBuiltinTable = {
  "units.parse_bytes": parseBytes,
  "units.parse": parseUnits,
};
