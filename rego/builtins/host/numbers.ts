// Exact numbers across the JSON boundary: the SDK hands arguments over as JS Numbers and
// JSON.stringify-s results, so large integers travel as raw JSON text to keep their digits.

type RawJson = { readonly rawJSON: string };
const rawJson = (JSON as unknown as { rawJSON(text: string): RawJson }).rawJSON;

export type JsonNumber = number | RawJson;

/** A number whose JSON text is exactly `text` (a plain Number when that loses nothing). */
export function exactNumber(text: string): JsonNumber {
  const n = Number(text);
  return String(n) === text ? n : rawJson(text);
}

export const exactInteger = (value: bigint): JsonNumber => exactNumber(value.toString());

/** The integer a JSON-parsed Number most plausibly stood for, or undefined if it is fractional. */
export function integerFromNumber(n: number, min?: bigint, max?: bigint): bigint | undefined {
  if (!Number.isInteger(n)) return undefined;
  const exact = BigInt(n);
  if (Number.isSafeInteger(n)) return exact;
  // The shortest decimal that round-trips is what the JSON text most likely said
  // (1585852421593912000 arrives as ...911936 + 64); fall back to the binary value
  // when that decimal leaves the allowed range (-2^63 prints as -9223372036854776000).
  const shortest = decimalToRational(String(n));
  if (shortest && shortest.den === 1n) {
    const v = shortest.num;
    if ((min === undefined || v >= min) && (max === undefined || v <= max)) return v;
  }
  return exact;
}

/** The integer a number stands for: exact for the text of an integer, else as integerFromNumber. */
export function integerOfNumber(v: JsonNumber, min?: bigint, max?: bigint): bigint | undefined {
  if (typeof v === "number") return integerFromNumber(v, min, max);
  if (/^-?\d+$/.test(v.rawJSON)) return BigInt(v.rawJSON);
  return integerFromNumber(Number(v.rawJSON), min, max);
}

export interface Rational {
  num: bigint;
  den: bigint;
}

/** Parses `[+-]digits[.digits][e[+-]digits]` exactly; undefined if the text is not such a number. */
export function decimalToRational(text: string): Rational | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const [, sign, whole = "", frac = "", exp] = m;
  if (whole === "" && frac === "") return undefined;
  let num = BigInt((whole || "0") + frac);
  let den = 10n ** BigInt(frac.length);
  const e = exp === undefined ? 0 : Number(exp);
  if (e > 0) num *= 10n ** BigInt(e);
  else if (e < 0) den *= 10n ** BigInt(-e);
  if (sign === "-") num = -num;
  return reduce({ num, den });
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function reduce(r: Rational): Rational {
  const g = gcd(r.num, r.den) || 1n;
  return { num: r.num / g, den: r.den / g };
}

/** Truncates toward zero. */
export const truncate = (r: Rational): bigint => r.num / r.den;

/** Decimal text with `places` digits, last digit rounded half away from zero, trailing zeros cut. */
export function rationalToDecimal(r: Rational, places: number): string {
  const negative = r.num < 0n;
  const abs = negative ? -r.num : r.num;
  const scale = 10n ** BigInt(places);
  const scaled = (abs * scale * 2n + r.den) / (r.den * 2n);
  const whole = scaled / scale;
  const frac = (scaled % scale).toString().padStart(places, "0").replace(/0+$/, "");
  const text = frac ? `${whole}.${frac}` : `${whole}`;
  return negative && scaled !== 0n ? `-${text}` : text;
}
