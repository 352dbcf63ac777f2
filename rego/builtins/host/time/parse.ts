// Go's time.Parse over a layout, with Go's error messages.
import { builtinError } from "../errors.ts";
import {
  MONTH_NAMES,
  WEEKDAY_NAMES,
  daysFromCivil,
  daysIn,
  instantFromWall,
  isLeap,
  wallClock,
} from "./civil.ts";
import { isDigit, nextChunk, type Element } from "./layout.ts";

const quote = (s: string): string => JSON.stringify(s);

/** Thrown by the field readers when the value does not fit the layout element (Go's errBad). */
const BAD = Symbol("bad value");

class ParseFailure {
  constructor(
    readonly layoutElem: string,
    readonly valueElem: string,
    readonly message = "",
  ) {}
}

/** Go's getnum: one or two digits (exactly two when fixed). */
function getNumber(value: string, fixed: boolean): [number, string] {
  if (!isDigit(value, 0)) throw BAD;
  if (!isDigit(value, 1)) {
    if (fixed) throw BAD;
    return [Number(value[0]), value.slice(1)];
  }
  return [Number(value.slice(0, 2)), value.slice(2)];
}

function getNumber3(value: string, fixed: boolean): [number, string] {
  let i = 0;
  while (i < 3 && isDigit(value, i)) i++;
  if (i === 0 || (fixed && i !== 3)) throw BAD;
  return [Number(value.slice(0, i)), value.slice(i)];
}

function lookupName(names: string[], value: string): [number, string] {
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (
      value.length >= name.length &&
      value.slice(0, name.length).toLowerCase() === name.toLowerCase()
    ) {
      return [i, value.slice(name.length)];
    }
  }
  throw BAD;
}

/** Go's skip: match the layout's literal text; a space matches any run of spaces. */
function skipLiteral(value: string, prefix: string): string {
  while (prefix.length > 0) {
    if (prefix[0] === " ") {
      if (value.length > 0 && value[0] !== " ") throw value;
      prefix = prefix.replace(/^ +/, "");
      value = value.replace(/^ +/, "");
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) throw value;
    prefix = prefix.slice(1);
    value = value.slice(1);
  }
  return value;
}

/** Length of a zone abbreviation at the start of value (Go's parseTimeZone), or 0. */
function zoneAbbreviationLength(value: string): number {
  if (value.length < 3) return 0;
  if (value.startsWith("ChST") || value.startsWith("MeST")) return 4;
  if (value.startsWith("GMT")) {
    const m = /^GMT([+-]\d{1,2})?/.exec(value)!;
    return m[0].length;
  }
  if (value[0] === "+" || value[0] === "-") {
    const m = /^[+-]\d{2}(\d{2})?/.exec(value);
    return m ? m[0].length : 0;
  }
  let upper = 0;
  while (upper < 6 && upper < value.length && value[upper]! >= "A" && value[upper]! <= "Z") upper++;
  if (upper === 3) return 3;
  if (upper === 4 && (value[3] === "T" || value.startsWith("WITA"))) return 4;
  if (upper === 5 && value[4] === "T") return 5;
  return 0;
}

/** Go's parseNanoseconds: the separator plus up to nine digits (further digits are dropped). */
function parseNanoseconds(value: string, length: number): number {
  if (value[0] !== "." && value[0] !== ",") throw BAD;
  const digits = value.slice(1, Math.min(length, 10));
  if (!/^\d+$/.test(digits)) throw BAD;
  return Number(digits.padEnd(9, "0"));
}

function parseZoneOffset(element: Element, value: string): [number, string] {
  let sign: string,
    hh: string,
    mm = "00",
    ss = "00",
    rest: string;
  switch (element) {
    case "ZoneHH:MM":
      if (value.length < 6 || value[3] !== ":") throw BAD;
      [sign, hh, mm, rest] = [value[0]!, value.slice(1, 3), value.slice(4, 6), value.slice(6)];
      break;
    case "ZoneHH":
      if (value.length < 3) throw BAD;
      [sign, hh, rest] = [value[0]!, value.slice(1, 3), value.slice(3)];
      break;
    case "ZoneHH:MM:SS":
      if (value.length < 9 || value[3] !== ":" || value[6] !== ":") throw BAD;
      [sign, hh, mm, ss, rest] = [
        value[0]!,
        value.slice(1, 3),
        value.slice(4, 6),
        value.slice(7, 9),
        value.slice(9),
      ];
      break;
    case "ZoneHHMMSS":
      if (value.length < 7) throw BAD;
      [sign, hh, mm, ss, rest] = [
        value[0]!,
        value.slice(1, 3),
        value.slice(3, 5),
        value.slice(5, 7),
        value.slice(7),
      ];
      break;
    default:
      if (value.length < 5) throw BAD;
      [sign, hh, mm, rest] = [value[0]!, value.slice(1, 3), value.slice(3, 5), value.slice(5)];
  }
  const [h] = getNumber(hh, true);
  const [m] = getNumber(mm, true);
  const [s] = getNumber(ss, true);
  if (sign !== "+" && sign !== "-") throw BAD;
  if (h > 24) throw new ParseFailure("", rest, ": time zone offset hour out of range");
  if (m > 60) throw new ParseFailure("", rest, ": time zone offset minute out of range");
  if (s > 60) throw new ParseFailure("", rest, ": time zone offset second out of range");
  const offset = (h * 60 + m) * 60 + s;
  return [sign === "-" ? -offset : offset, rest];
}

/** Go's time.Parse (zone-less values are UTC; zone abbreviations count as UTC). Returns ns. */
export function parseTime(layout: string, value: string): bigint {
  const fail = (f: ParseFailure): never => {
    const text = f.message
      ? `parsing time ${quote(value)}${f.message}`
      : `parsing time ${quote(value)} as ${quote(layout)}: cannot parse ${quote(f.valueElem)} as ${quote(f.layoutElem)}`;
    throw builtinError(text);
  };
  let year = 0,
    month = -1,
    day = -1,
    yearDay = -1;
  let hour = 0,
    minute = 0,
    second = 0,
    nanosecond = 0;
  let pm = false,
    am = false;
  let zoneOffset: number | undefined;
  let rest = value;
  for (let remaining = layout; ;) {
    const chunk = nextChunk(remaining);
    try {
      rest = skipLiteral(rest, chunk.prefix);
    } catch (at) {
      return fail(new ParseFailure(chunk.prefix, at as string));
    }
    if (!chunk.element) {
      if (rest.length > 0) fail(new ParseFailure("", rest, `: extra text: ${quote(rest)}`));
      break;
    }
    remaining = chunk.suffix;
    const hold = rest;
    let rangeError = "";
    try {
      switch (chunk.element) {
        case "Year": {
          if (rest.length < 2 || !/^\d\d/.test(rest)) throw BAD;
          year = Number(rest.slice(0, 2));
          year += year >= 69 ? 1900 : 2000;
          rest = rest.slice(2);
          break;
        }
        case "LongYear":
          if (rest.length < 4 || !/^\d{4}/.test(rest)) throw BAD;
          year = Number(rest.slice(0, 4));
          rest = rest.slice(4);
          break;
        case "Month":
        case "LongMonth": {
          const names =
            chunk.element === "Month" ? MONTH_NAMES.map((n) => n.slice(0, 3)) : MONTH_NAMES;
          const [i, r] = lookupName(names, rest);
          month = i + 1;
          rest = r;
          break;
        }
        case "NumMonth":
        case "ZeroMonth":
          [month, rest] = getNumber(rest, chunk.element === "ZeroMonth");
          if (month <= 0 || month > 12) rangeError = "month";
          break;
        case "WeekDay":
        case "LongWeekDay": {
          const names =
            chunk.element === "WeekDay" ? WEEKDAY_NAMES.map((n) => n.slice(0, 3)) : WEEKDAY_NAMES;
          rest = lookupName(names, rest)[1];
          break;
        }
        case "Day":
        case "UnderDay":
        case "ZeroDay":
          if (chunk.element === "UnderDay" && rest[0] === " ") rest = rest.slice(1);
          [day, rest] = getNumber(rest, chunk.element === "ZeroDay");
          break;
        case "UnderYearDay":
        case "ZeroYearDay":
          for (let k = 0; k < 2; k++)
            if (chunk.element === "UnderYearDay" && rest[0] === " ") rest = rest.slice(1);
          [yearDay, rest] = getNumber3(rest, chunk.element === "ZeroYearDay");
          break;
        case "Hour":
          [hour, rest] = getNumber(rest, false);
          if (hour < 0 || hour >= 24) rangeError = "hour";
          break;
        case "Hour12":
        case "ZeroHour12":
          [hour, rest] = getNumber(rest, chunk.element === "ZeroHour12");
          if (hour < 0 || hour > 12) rangeError = "hour";
          break;
        case "Minute":
        case "ZeroMinute":
          [minute, rest] = getNumber(rest, chunk.element === "ZeroMinute");
          if (minute < 0 || minute >= 60) rangeError = "minute";
          break;
        case "Second":
        case "ZeroSecond": {
          [second, rest] = getNumber(rest, chunk.element === "ZeroSecond");
          if (second < 0 || second >= 60) {
            rangeError = "second";
            break;
          }
          // A fractional second may follow even when the layout has none.
          const nextElement = nextChunk(remaining).element;
          if (/^[.,]\d/.test(rest) && nextElement !== "Frac0" && nextElement !== "Frac9") {
            let n = 2;
            while (isDigit(rest, n)) n++;
            nanosecond = parseNanoseconds(rest, n);
            rest = rest.slice(n);
          }
          break;
        }
        case "PM":
        case "pm": {
          if (rest.length < 2) throw BAD;
          const p = rest.slice(0, 2);
          const [PM, AM] = chunk.element === "PM" ? ["PM", "AM"] : ["pm", "am"];
          if (p === PM) pm = true;
          else if (p === AM) am = true;
          else throw BAD;
          rest = rest.slice(2);
          break;
        }
        case "TZ": {
          if (rest.startsWith("UTC")) {
            zoneOffset = 0;
            rest = rest.slice(3);
            break;
          }
          const n = zoneAbbreviationLength(rest);
          if (n === 0) throw BAD;
          // Go keeps the wall time as UTC for abbreviations it cannot resolve.
          zoneOffset = 0;
          rest = rest.slice(n);
          break;
        }
        case "Frac0": {
          const n = chunk.text.length;
          if (rest.length < n) throw BAD;
          nanosecond = parseNanoseconds(rest, n);
          rest = rest.slice(n);
          break;
        }
        case "Frac9": {
          if (!/^[.,]\d/.test(rest)) break;
          let n = 1;
          while (isDigit(rest, n)) n++;
          nanosecond = parseNanoseconds(rest, n);
          rest = rest.slice(n);
          break;
        }
        default:
          if (chunk.iso && rest[0] === "Z") {
            zoneOffset = 0;
            rest = rest.slice(1);
            break;
          }
          [zoneOffset, rest] = parseZoneOffset(chunk.element, rest);
      }
    } catch (err) {
      if (err instanceof ParseFailure) fail(err);
      if (err !== BAD) throw err;
      fail(new ParseFailure(chunk.text, hold));
    }
    if (rangeError) fail(new ParseFailure(chunk.text, rest, `: ${rangeError} out of range`));
  }
  if (pm && hour < 12) hour += 12;
  else if (am && hour === 12) hour = 0;
  if (yearDay >= 0) {
    const days = yearDay - 1;
    if (yearDay < 1 || yearDay > (isLeap(year) ? 366 : 365))
      fail(new ParseFailure("", rest, ": day-of-year out of range"));
    const date = wallClock(BigInt(daysFromCivil(year, 1, 1) + days) * 86_400_000_000_000n, 0);
    if (month >= 0 && month !== date.month)
      fail(new ParseFailure("", rest, ": day-of-year does not match month"));
    if (day >= 0 && day !== date.day)
      fail(new ParseFailure("", rest, ": day-of-year does not match day"));
    month = date.month;
    day = date.day;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) fail(new ParseFailure("", rest, ": day out of range"));
  return instantFromWall({ year, month, day, hour, minute, second, nanosecond }, zoneOffset ?? 0);
}
