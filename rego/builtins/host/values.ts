// Rego values as host builtins see them: JSON-parsed (numbers as JS numbers or exact
// `JSON.rawJSON` texts; sets as sorted arrays, or as RegoSets for the builtins that take Rego
// values, rego-value-text.ts), and helpers to order, deduplicate and print them.
import { decimalToRational } from "./numbers.ts";

export type JsonObject = Record<string, unknown>;

/**
 * A Rego set: its members in Rego's order, without duplicates. It is an array, so code that takes
 * "an array or a set" reads it as one, and JSON (the SDK's path) carries it as one; code for which
 * the difference matters asks `instanceof RegoSet`. Derived arrays (map, filter, slice) are plain.
 */
export class RegoSet extends Array<unknown> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

export const isObject = (v: unknown): v is JsonObject =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !isRawNumber(v);

/** A number kept as its exact JSON text (numbers.ts `exactNumber`). */
export const isRawNumber = (v: unknown): v is { rawJSON: string } =>
  v !== null && typeof v === "object" && typeof (v as { rawJSON?: unknown }).rawJSON === "string";

export const isNumber = (v: unknown): boolean => typeof v === "number" || isRawNumber(v);

function rank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (v instanceof RegoSet) return 6;
  if (typeof v === "boolean") return 1;
  if (isNumber(v)) return 2;
  if (typeof v === "string") return 3;
  if (Array.isArray(v)) return 4;
  return 5;
}

function compareNumbers(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  const ra = decimalToRational(numberText(a));
  const rb = decimalToRational(numberText(b));
  if (!ra || !rb) return Number(numberText(a)) - Number(numberText(b));
  const l = ra.num * rb.den;
  const r = rb.num * ra.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

export const numberText = (v: unknown): string =>
  isRawNumber(v) ? v.rawJSON : JSON.stringify(v as number);

/** Strings compare by code point (Go compares UTF-8 bytes, which orders the same way). */
function compareStrings(a: string, b: string): number {
  const xs = Array.from(a);
  const ys = Array.from(b);
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const d = xs[i]!.codePointAt(0)! - ys[i]!.codePointAt(0)!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return Math.sign(xs.length - ys.length);
}

/** Rego's total order (null < boolean < number < string < array < object < set). */
export function compareValues(a: unknown, b: unknown): number {
  const [ra, rb] = [rank(a), rank(b)];
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return a === b ? 0 : a ? 1 : -1;
    case 2:
      return compareNumbers(a, b);
    case 3:
      return compareStrings(a as string, b as string);
    case 4:
    case 6: {
      const [xs, ys] = [a as unknown[], b as unknown[]];
      for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
        const c = compareValues(xs[i], ys[i]);
        if (c !== 0) return c;
      }
      return Math.sign(xs.length - ys.length);
    }
    default: {
      const [ka, kb] = [Object.keys(a as object), Object.keys(b as object)];
      ka.sort(compareStrings);
      kb.sort(compareStrings);
      for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
        const c =
          compareStrings(ka[i]!, kb[i]!) ||
          compareValues((a as JsonObject)[ka[i]!], (b as JsonObject)[kb[i]!]);
        if (c !== 0) return c;
      }
      return Math.sign(ka.length - kb.length);
    }
  }
}

export const equalValues = (a: unknown, b: unknown): boolean => compareValues(a, b) === 0;

/** The Rego set of `values`. */
export function setOf(values: Iterable<unknown>): RegoSet {
  const sorted = [...values].sort(compareValues);
  const set = new RegoSet();
  for (const v of sorted) {
    if (set.length === 0 || compareValues(set[set.length - 1], v) !== 0) set.push(v);
  }
  return set;
}

/** Object keys in Rego's order (by code point). */
export const sortedKeys = (o: object): string[] => Object.keys(o).sort(compareStrings);

/**
 * A value printed as Rego prints terms (`{"a": 1, "b": {2, 3}}`, `set()`): sorted object keys,
 * ", " and ": " separators, strings JSON-escaped.
 */
export function regoText(v: unknown): string {
  if (v instanceof RegoSet) return v.length === 0 ? "set()" : `{${v.map(regoText).join(", ")}}`;
  if (Array.isArray(v)) return `[${v.map(regoText).join(", ")}]`;
  if (isObject(v)) {
    const items = sortedKeys(v)
      .filter((k) => v[k] !== undefined) // as JSON.stringify drops them
      .map((k) => `${JSON.stringify(k)}: ${regoText(v[k])}`);
    return `{${items.join(", ")}}`;
  }
  if (isRawNumber(v)) return v.rawJSON;
  return JSON.stringify(v ?? null);
}

/** Go's json.Marshal of a value: compact, sorted keys, `<`, `>`, `&` escaped as \u00XX. */
export function goJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJson).join(",")}]`;
  if (isObject(v)) {
    return `{${sortedKeys(v)
      .map((k) => `${goString(k)}:${goJson(v[k])}`)
      .join(",")}}`;
  }
  if (typeof v === "string") return goString(v);
  if (isRawNumber(v)) return v.rawJSON;
  return JSON.stringify(v ?? null);
}

const goString = (s: string): string =>
  JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

/**
 * JSON.parse that keeps every number's text when a JS number would change it (big integers,
 * many digits): such numbers come back as `JSON.rawJSON` values.
 */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(text, function (this: unknown, _key, value, context?: { source?: string }) {
    if (typeof value !== "number" || context?.source === undefined) return value;
    const source = context.source;
    const inexact =
      (/^-?\d+$/.test(source) && !Number.isSafeInteger(value)) || !Number.isFinite(value);
    return inexact ? rawJson(source) : value;
  });
}

type RawJson = { readonly rawJSON: string };
const rawJson = (JSON as unknown as { rawJSON(text: string): RawJson }).rawJSON;

/** Go's encoding/json error for text that does not parse (close to its wording). */
export function goJsonError(text: string): string {
  try {
    JSON.parse(text);
    return "";
  } catch (err) {
    const message = (err as Error).message;
    if (/end of JSON input|Unterminated/.test(message) || text.trim() === "") {
      return "unexpected end of JSON input";
    }
    const at = /position (\d+)/.exec(message);
    const index = at ? Number(at[1]) : firstBadIndex(text);
    const ch = text[index] ?? "";
    return /after JSON/.test(message)
      ? `invalid character '${ch}' after top-level value`
      : `invalid character '${ch}' looking for beginning of value`;
  }
}

function firstBadIndex(text: string): number {
  const m = /[^\s]/.exec(text);
  return m ? m.index : 0;
}
