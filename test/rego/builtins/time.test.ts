import { describe, expect, it } from "vitest";
import { hostBuiltins } from "../../../rego/builtins/host/index.ts";
import { call, errorOf, json, lenient } from "./helpers.ts";

const FEB_5_2018_NOON = 1517832000 * 1e9; // 2018-02-05T12:00:00Z, a Monday

describe("time.now_ns", () => {
  it("reads the injected clock, with exact digits", () => {
    expect(json(call("time.now_ns"))).toBe("1700000000000000123");
  });

  it("defaults to the system clock", () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const got = BigInt(json(hostBuiltins()["time.now_ns"]!()));
    expect(got >= before - 1_000_000_000n && got <= before + 60_000_000_000n).toBe(true);
  });
});

describe("time.format", () => {
  it.each([
    [FEB_5_2018_NOON, "2018-02-05T12:00:00Z"],
    [1517832000123456000, "2018-02-05T12:00:00.123456Z"],
    [[FEB_5_2018_NOON, "UTC"], "2018-02-05T12:00:00Z"],
    [[FEB_5_2018_NOON, "Europe/Paris"], "2018-02-05T13:00:00+01:00"],
    [[FEB_5_2018_NOON, "America/New_York", "RFC1123"], "Mon, 05 Feb 2018 07:00:00 EST"],
    [[FEB_5_2018_NOON, "Asia/Kolkata", "2006-01-02 15:04:05 -07:00"], "2018-02-05 17:30:00 +05:30"],
    [[FEB_5_2018_NOON, "UTC", "Mon Jan _2 3:04PM 2006 MST"], "Mon Feb  5 12:00PM 2018 UTC"],
    [
      [FEB_5_2018_NOON, "UTC", "Monday January 02 06 .000 002 Z0700"],
      "Monday February 05 18 .000 036 Z",
    ],
    [[-9223372036854775808, "UTC"], "1677-09-21T00:12:43.145224192Z"],
  ])("time.format(%j) = %j", (arg, want) => {
    expect(call("time.format", arg)).toBe(want);
  });

  it("rejects unknown zones and bad timestamps", () => {
    expect(errorOf("time.format", [0, "Nowhere/Special"])).toBe(
      "eval_builtin_error: time.format: unknown time zone Nowhere/Special",
    );
    expect(errorOf("time.format", [0, "america/new_york"])).toBe(
      "eval_builtin_error: time.format: unknown time zone america/new_york",
    );
    expect(errorOf("time.format", [0, "+01:00"])).toBe(
      "eval_builtin_error: time.format: unknown time zone +01:00",
    );
    expect(errorOf("time.date", 1.5)).toBe("eval_builtin_error: time.date: timestamp too big");
    expect(errorOf("time.date", 1e300)).toBe("eval_builtin_error: time.date: timestamp too big");
    expect(errorOf("time.date", "x")).toBe(
      "eval_type_error: time.date: operand 1 must be either number (ns) or [number (ns), string (tz)] but got string",
    );
    expect(lenient["time.date"]!("x")).toBeUndefined();
  });
});

describe("time.parse_ns and time.parse_rfc3339_ns", () => {
  it.each([
    ["2006-01-02", "2018-02-05", "1517788800000000000"],
    ["RFC3339", "2018-02-05T12:00:00Z", "1517832000000000000"],
    ["RFC3339", "2018-02-05T12:00:00.5+01:00", "1517828400500000000"],
    ["RFC822Z", "05 Feb 18 12:00 +0100", "1517828400000000000"],
    ["RFC1123", "Mon, 05 Feb 2018 12:00:00 EST", "1517832000000000000"],
    ["3:04PM Jan 2 2006", "1:30PM Feb 5 2018", "1517837400000000000"],
    ["Jan _2 2006", "Feb  5 2018", "1517788800000000000"],
    ["2006 002", "2018 036", "1517788800000000000"],
    ["02/01/2006 15:04:05.000", "05/02/2018 12:00:00.250", "1517832000250000000"],
  ])("time.parse_ns(%j, %j) = %s", (layout, value, want) => {
    expect(json(call("time.parse_ns", layout, value))).toBe(want);
  });

  it.each([
    ["2006-01-02", "2018-13-05", 'parsing time "2018-13-05": month out of range'],
    ["2006-01-02", "2018-02-30", 'parsing time "2018-02-30": day out of range'],
    ["2006-01-02", "2018-02-05x", 'parsing time "2018-02-05x": extra text: "x"'],
    [
      "2006-01-02",
      "18-02-05",
      'parsing time "18-02-05" as "2006-01-02": cannot parse "18-02-05" as "2006"',
    ],
    [
      "2006-01-02",
      "2018/02/05",
      'parsing time "2018/02/05" as "2006-01-02": cannot parse "/02/05" as "-"',
    ],
    ["15:04", "10:30", "time outside of valid range"],
  ])("time.parse_ns(%j, %j) fails: %s", (layout, value, message) => {
    expect(errorOf("time.parse_ns", layout, value)).toBe(
      `eval_builtin_error: time.parse_ns: ${message}`,
    );
  });

  it("parses RFC 3339 with Go's leniency", () => {
    expect(json(call("time.parse_rfc3339_ns", "2017-06-02T19:00:00.123456789123-07:00"))).toBe(
      "1496455200123456789",
    );
    expect(errorOf("time.parse_rfc3339_ns", "2017-06-02")).toContain('cannot parse "" as "T"');
  });
});

describe("time.parse_duration_ns", () => {
  it.each([
    ["1h30m", "5400000000000"],
    ["1.5s", "1500000000"],
    ["300ms", "300000000"],
    ["-2us", "-2000"],
    ["1µs", "1000"],
    ["+.5h", "1800000000000"],
    ["0", "0"],
    ["2562047h47m16.854775807s", "9223372036854775807"],
  ])("%j = %s", (text, want) => {
    expect(json(call("time.parse_duration_ns", text))).toBe(want);
  });

  it.each([
    ["", 'time: invalid duration ""'],
    [".s", 'time: invalid duration ".s"'],
    ["1", 'time: missing unit in duration "1"'],
    ["1d", 'time: unknown unit "d" in duration "1d"'],
    ["3000000h", 'time: invalid duration "3000000h"'],
  ])("%j fails: %s", (text, message) => {
    expect(errorOf("time.parse_duration_ns", text)).toBe(
      `eval_builtin_error: time.parse_duration_ns: ${message}`,
    );
  });
});

describe("calendar builtins", () => {
  it("date, clock and weekday honour the zone", () => {
    expect(call("time.date", [FEB_5_2018_NOON, "Pacific/Kiritimati"])).toEqual([2018, 2, 6]);
    expect(call("time.clock", [FEB_5_2018_NOON, "Asia/Kolkata"])).toEqual([17, 30, 0]);
    expect(call("time.weekday", [FEB_5_2018_NOON, "Pacific/Kiritimati"])).toBe("Tuesday");
    expect(call("time.weekday", FEB_5_2018_NOON)).toBe("Monday");
    expect(call("time.date", -1)).toEqual([1969, 12, 31]);
  });

  it("add_date normalises like Go's AddDate", () => {
    expect(json(call("time.add_date", FEB_5_2018_NOON, 0, 1, 0))).toBe("1520251200000000000");
    const jan31 = 1517400000 * 1e9; // 2018-01-31T12:00:00Z
    expect(call("time.date", Number(json(call("time.add_date", jan31, 0, 1, 0))))).toEqual([
      2018, 3, 3,
    ]);
    // across a DST change the wall clock is kept
    const beforeDst = [1520701200 * 1e9, "America/New_York"]; // 2018-03-10T12:00:00-05:00
    const next = Number(json(call("time.add_date", beforeDst, 0, 0, 1)));
    expect(call("time.clock", [next, "America/New_York"])).toEqual([12, 0, 0]);
    expect(errorOf("time.add_date", FEB_5_2018_NOON, 1.5, 0, 0)).toBe(
      "eval_type_error: time.add_date: operand 2 must be integer number but got floating-point number",
    );
  });

  it("diff returns the calendar difference, order-independent", () => {
    const later = 1551877262 * 1e9; // 2019-03-06T13:01:02Z
    expect(call("time.diff", FEB_5_2018_NOON, later)).toEqual([1, 1, 1, 1, 1, 2]);
    expect(call("time.diff", later, FEB_5_2018_NOON)).toEqual([1, 1, 1, 1, 1, 2]);
    const jan31 = 1517400000 * 1e9;
    const mar1 = 1519905600 * 1e9; // 2018-03-01T12:00:00Z
    expect(call("time.diff", jan31, mar1)).toEqual([0, 1, 1, 0, 0, 0]);
  });
});
