import { describe, expect, it } from "vitest";
import { query, run } from "./run.ts";
import { call, eq, fcall, group, n, ref, rule, s, v } from "./terms.ts";

const p = group("test.p", "complete", [rule([], { value: n(1) })]);
const q = group("test.q", "set", [rule([eq(v("y"), ref("input", v("i")))], { key: v("y") })]);
const f = group("test.f", "function", [rule([], { args: [v("a")], value: v("a") })], { arity: 1 });
const never = group("test.never", "complete", [rule([call("equal", n(1), n(2))])]);
const deep = group("test.a.b.c", "complete", [rule([], { value: s("deep") })]);

describe("refs into data", () => {
  it("reads base data where no rules are defined", () => {
    expect(query([p], "other.k", undefined, { other: { k: "v" } })).toEqual([{ x: "v" }]);
    expect(query([p], "other.missing", undefined, { other: {} })).toEqual([]);
  });

  it("builds a package's virtual document merged with its base data (functions left out)", () => {
    const data = { test: { base: true, a: { b: { extra: 1 } } } };
    expect(query([p, q, f, never, deep], "test", ["z"], data)).toEqual([
      { x: { base: true, p: 1, q: ["z"], a: { b: { c: "deep", extra: 1 } } } },
    ]);
  });

  it("yields the whole data document for `data`", () => {
    const body = [eq(ref("data"), v("x"))];
    expect(run([p], body, ["x"], undefined, { other: 1 })).toEqual([
      { x: { other: 1, test: { p: 1 } } },
    ]);
  });

  it("iterates rule keys and base keys for a var segment", () => {
    const body = [eq(ref("data", "test", v("k")), v("val"))];
    const rows = run([p, never, deep, f], body, ["k", "val"], undefined, { test: { base: 2 } });
    expect(rows).toEqual([
      { k: "p", val: 1 },
      { k: "a", val: { b: { c: "deep" } } },
      { k: "base", val: 2 },
    ]);
  });

  it("checks a bound var segment against rule keys and base keys", () => {
    const body = [eq(v("k"), ref("input")), eq(ref("data", "test", v("k")), v("val"))];
    expect(run([p], body, ["val"], "p", { test: { base: 2 } })).toEqual([{ val: 1 }]);
    expect(run([p], body, ["val"], "base", { test: { base: 2 } })).toEqual([{ val: 2 }]);
    expect(run([p], body, ["val"], "nope", { test: { base: 2 } })).toEqual([]);
  });

  it("dots into a rule's value and scans partial sets", () => {
    const o = group("test.o", "complete", [
      rule([], { value: { type: "object", items: [[s("k"), s("v")]], loc: p.rules[0]!.loc } }),
    ]);
    expect(query([o], "test.o.k")).toEqual([{ x: "v" }]);
    const body = [eq(ref("data", "test", "q", v("e")), v("e"))];
    expect(run([q], body, ["e"], [2, 1])).toEqual([{ e: 1 }, { e: 2 }]);
  });

  it("merges a rule group with rules nested below its path (ref heads)", () => {
    // p[k] := 1 if k := "x" ; p.y.z := 2
    const pk = group("test.p", "object", [
      rule([eq(v("k"), s("x"))], { keys: [v("k")], value: n(1) }),
    ]);
    const pyz = group("test.p.y.z", "complete", [rule([], { value: n(2) })]);
    expect(query([pk, pyz], "test.p")).toEqual([{ x: { x: 1, y: { z: 2 } } }]);
  });

  it("calls user functions by path", () => {
    expect(run([f], [fcall("test.f", s("a"), v("r"))], ["r"])).toEqual([{ r: "a" }]);
  });
});
