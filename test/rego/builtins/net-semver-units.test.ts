import { describe, expect, it } from "vitest";
import { call, errorOf, json, lenient } from "./helpers.ts";

describe("net.cidr_*", () => {
  it.each([
    ["10.0.0.0/8", "11.0.0.1", false],
    ["10.0.0.0/8", "10.255.255.255", true],
    ["10.0.0.0/8", "::ffff:10.1.2.3", true],
    ["10.0.0.0/8", "10.0.0.0/7", false],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
    ["2001:db8::/32", "10.0.0.1", false],
    ["0.0.0.0/0", "255.255.255.255", true],
  ])("cidr_contains(%j, %j) = %j", (cidr, other, want) => {
    expect(call("net.cidr_contains", cidr, other)).toBe(want);
  });

  it("rejects what Go's parsers reject", () => {
    expect(errorOf("net.cidr_contains", "10.0.0.0/8", "010.0.0.1")).toBe(
      "eval_builtin_error: net.cidr_contains: not a valid textual representation of an IP address or CIDR: 010.0.0.1",
    );
    expect(errorOf("net.cidr_contains", "10.0.0.0", "10.0.0.1")).toBe(
      "eval_builtin_error: net.cidr_contains: invalid CIDR address: 10.0.0.0",
    );
    expect(lenient["net.cidr_contains"]!("bad", "10.0.0.1")).toBeUndefined();
  });

  it("cidr_intersects", () => {
    expect(call("net.cidr_intersects", "192.168.0.0/16", "192.168.2.0/24")).toBe(true);
    expect(
      call("net.cidr_intersects", "fd1e:5bfe:8af3:9ddc::/64", "fd1e:5bfe:8af3:9ddc:1::/80"),
    ).toBe(true);
    expect(call("net.cidr_intersects", "fd1e::/16", "10.0.0.0/8")).toBe(false);
  });

  it.each([
    ["10.0.0.0/8", true],
    ["10.0.0.1/32", true],
    ["::/0", true],
    ["2001:db8::1:0:0:1/64", true],
    ["10.0.0.0/33", false],
    ["10.0.0.0", false],
    ["1.2.3.256/8", false],
    ["1:2:3:4:5:6:7:8:9/64", false],
    [1, false],
  ])("cidr_is_valid(%j) = %j", (cidr, want) => {
    expect(call("net.cidr_is_valid", cidr)).toBe(want);
  });

  it("cidr_expand lists addresses in Go's notation, and refuses huge ranges", () => {
    expect(call("net.cidr_expand", "192.168.1.1/30")).toEqual([
      "192.168.1.0",
      "192.168.1.1",
      "192.168.1.2",
      "192.168.1.3",
    ]);
    expect(call("net.cidr_expand", "2001:db8::/127")).toEqual(["2001:db8::", "2001:db8::1"]);
    expect(call("net.cidr_expand", "2001:db8:0:0:1:0:0:1/128")).toEqual(["2001:db8::1:0:0:1"]);
    expect((call("net.cidr_expand", "10.0.0.0/16") as string[]).length).toBe(65536);
    expect(errorOf("net.cidr_expand", "10.0.0.0/8")).toContain(
      "eval_builtin_error: net.cidr_expand:",
    );
  });
});

describe("semver", () => {
  const ordered = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.1.0",
    "2.0.0",
    "10.0.0",
  ];
  it("orders versions by SemVer 2.0.0 precedence", () => {
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(call("semver.compare", ordered[i], ordered[i + 1])).toBe(-1);
      expect(call("semver.compare", ordered[i + 1], ordered[i])).toBe(1);
    }
    expect(call("semver.compare", "1.0.0+build.1", "1.0.0+build.2")).toBe(0);
    expect(call("semver.compare", "v1.2.3", "1.2.3")).toBe(0);
  });

  it.each([
    ["1.0.0-rc.1+build.5", true],
    ["v1.0.0", true],
    ["1.0", false],
    ["1.0.0-rc_1", false],
    ["a.b.c", false],
    [null, false],
  ])("is_valid(%j) = %j", (v, want) => {
    expect(call("semver.is_valid", v)).toBe(want);
  });

  it("names the bad operand", () => {
    expect(errorOf("semver.compare", "x", "1.0.0")).toBe(
      'eval_builtin_error: semver.compare: operand 1: string "x" is not a valid SemVer',
    );
    expect(errorOf("semver.compare", 1, "1.0.0")).toBe(
      "eval_type_error: semver.compare: operand 1 must be string but got number",
    );
  });
});

describe("units", () => {
  it.each([
    ["units.parse", "10k", "10000"],
    ["units.parse", "1.5M", "1500000"],
    ["units.parse", "100m", "0.1"],
    ["units.parse", "1Ki", "1024"],
    ["units.parse", "1e3", "1000"],
    ["units.parse", "1m", "0.001"],
    ["units.parse", "10E", "10000000000000000000"],
    ["units.parse_bytes", "1.5GB", "1500000000"],
    ["units.parse_bytes", "1KiB", "1024"],
    ["units.parse_bytes", "2.5e3", "2500"],
    ["units.parse_bytes", "100PiB", "112589990684262400"],
  ])("%s(%j) = %s", (fn, text, want) => {
    expect(json(call(fn, text))).toBe(want);
  });

  it.each([
    ["units.parse", "1kb", "units.parse: unit kb not recognized"],
    ["units.parse", "", "units.parse: no amount provided"],
    ["units.parse", "1..2K", "units.parse: could not parse amount to a number"],
    ["units.parse_bytes", "10zz", "units.parse_bytes: byte unit zz not recognized"],
    ["units.parse_bytes", "1e1234567", "units.parse_bytes: exponent too large"],
  ])("%s(%j) fails: %s", (fn, text, message) => {
    expect(errorOf(fn, text)).toBe(`eval_builtin_error: ${fn}: ${message}`);
    expect(lenient[fn]!(text)).toBeUndefined();
  });
});
