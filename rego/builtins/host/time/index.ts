// time.* builtins: nanosecond instants, Go layouts, durations and calendar arithmetic.
import { builtinError, intOperand, operandTypeError, stringOperand } from "../errors.ts";
import { exactInteger, integerOfNumber, type JsonNumber } from "../numbers.ts";
import type { HostBuiltinTable } from "../types.ts";
import { isNumber } from "../values.ts";
import { MAX_INT64, MIN_INT64, WEEKDAY_NAMES, daysIn, inInt64Range, wallClock } from "./civil.ts";
import { parseDuration } from "./duration.ts";
import { formatTime } from "./format.ts";
import { NAMED_LAYOUTS, RFC3339, RFC3339_NANO } from "./layout.ts";
import { parseTime } from "./parse.ts";
import { UTC, instantInZone, loadZone, type Zone } from "./zones.ts";

interface ZonedTime {
  ns: bigint;
  zone: Zone;
  layout: string;
}

const NS_OR_PAIR = "either number (ns) or [number (ns), string (tz)]";

/**
 * OPA's argument shape for time builtins: ns, [ns, tz] or [ns, tz, layout]. They take Rego
 * values (registry.ts), so ns beyond 2^53 arrive with all their digits.
 */
function zonedTime(arg: unknown): ZonedTime {
  let nsValue: unknown = arg;
  let zone = UTC;
  let layout = "";
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw operandTypeError(1, arg, NS_OR_PAIR);
    nsValue = arg[0];
    if (!isNumber(nsValue)) throw operandTypeError(1, nsValue, "number");
    if (arg.length > 1) zone = loadZone(stringOperand(arg[1], 1));
    if (arg.length > 2) layout = stringOperand(arg[2], 1);
  } else if (!isNumber(arg)) {
    throw operandTypeError(1, arg, NS_OR_PAIR);
  }
  const ns = integerOfNumber(nsValue as JsonNumber, MIN_INT64, MAX_INT64);
  if (ns === undefined || !inInt64Range(ns)) throw builtinError("timestamp too big");
  return { ns, zone, layout };
}

function safeNanos(ns: bigint): unknown {
  if (!inInt64Range(ns)) throw builtinError("time outside of valid range");
  return exactInteger(ns);
}

const localWall = (t: ZonedTime) => wallClock(t.ns, t.zone.offsetAt(t.ns));

/** Calendar difference [years, months, days, hours, minutes, seconds] (OPA's time.diff). */
function diff(a: ZonedTime, b: ZonedTime): number[] {
  let [t1, t2] = [a, { ...b, zone: a.zone }];
  if (t1.ns > t2.ns) [t1, t2] = [t2, t1];
  const w1 = localWall(t1);
  const w2 = localWall(t2);
  let year = w2.year - w1.year;
  let month = w2.month - w1.month;
  let day = w2.day - w1.day;
  let hour = w2.hour - w1.hour;
  let minute = w2.minute - w1.minute;
  let second = w2.second - w1.second;
  if (second < 0) [second, minute] = [second + 60, minute - 1];
  if (minute < 0) [minute, hour] = [minute + 60, hour - 1];
  if (hour < 0) [hour, day] = [hour + 24, day - 1];
  if (day < 0) [day, month] = [day + daysIn(w1.month, w1.year), month - 1];
  if (month < 0) [month, year] = [month + 12, year - 1];
  return [year, month, day, hour, minute, second];
}

export function timeBuiltins(now: () => bigint): HostBuiltinTable {
  return {
    "time.now_ns": () => exactInteger(now()),
    "time.parse_rfc3339_ns": ([value]) => safeNanos(parseTime(RFC3339, stringOperand(value, 1))),
    "time.parse_ns": ([layout, value]) => {
      const l = stringOperand(layout, 1);
      const v = stringOperand(value, 2);
      return safeNanos(parseTime(NAMED_LAYOUTS[l] ?? l, v));
    },
    "time.parse_duration_ns": ([value]) => exactInteger(parseDuration(stringOperand(value, 1))),
    "time.format": ([arg]) => {
      const t = zonedTime(arg);
      const layout = t.layout === "" ? RFC3339_NANO : (NAMED_LAYOUTS[t.layout] ?? t.layout);
      return formatTime(t.ns, t.zone, layout);
    },
    "time.date": ([arg]) => {
      const w = localWall(zonedTime(arg));
      return [w.year, w.month, w.day];
    },
    "time.clock": ([arg]) => {
      const w = localWall(zonedTime(arg));
      return [w.hour, w.minute, w.second];
    },
    "time.weekday": ([arg]) => WEEKDAY_NAMES[localWall(zonedTime(arg)).weekday],
    "time.add_date": ([arg, years, months, days]) => {
      const t = zonedTime(arg);
      const [y, m, d] = [intOperand(years, 2), intOperand(months, 3), intOperand(days, 4)];
      const w = localWall(t);
      return safeNanos(
        instantInZone({ ...w, year: w.year + y, month: w.month + m, day: w.day + d }, t.zone),
      );
    },
    "time.diff": ([a, b]) => diff(zonedTime(a), zonedTime(b)),
  };
}
