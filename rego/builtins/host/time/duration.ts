// Go's time.ParseDuration: "1h30m", "1.5s", "300ms", "-2us", "0".
import { builtinError } from "../errors.ts";

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n, // micro sign
  "\u03bcs": 1_000n, // Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const LIMIT = 1n << 63n;

export function parseDuration(text: string): bigint {
  const quote = JSON.stringify;
  const invalid = () => builtinError(`time: invalid duration ${quote(text)}`);
  let s = text;
  let negative = false;
  if (s[0] === "-" || s[0] === "+") {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let total = 0n;
  while (s !== "") {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const [whole, fraction] = [m[1]!, m[2]];
    if (whole === "" && !fraction) throw invalid();
    s = s.slice(m[0].length);
    const unitText = /^[^.\d]*/.exec(s)![0];
    if (unitText === "") throw builtinError(`time: missing unit in duration ${quote(text)}`);
    s = s.slice(unitText.length);
    const unit = UNITS[unitText];
    if (unit === undefined)
      throw builtinError(`time: unknown unit ${quote(unitText)} in duration ${quote(text)}`);
    let value = BigInt(whole || "0") * unit;
    if (fraction) {
      // Go scales the fraction in floating point.
      const scaled = Number(BigInt(fraction)) * (Number(unit) / 10 ** fraction.length);
      value += BigInt(Math.trunc(scaled));
    }
    total += value;
    if (total > LIMIT) throw invalid();
  }
  if (!negative && total === LIMIT) throw invalid();
  return negative ? -total : total;
}
