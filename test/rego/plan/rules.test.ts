import { describe, expect, it } from "vitest";
import { IRRuntimeError } from "./ir-interpreter.ts";
import { query, run } from "./run.ts";
import { arr, b, call, eq, fcall, group, n, obj, ref, rule, s, term, v } from "./terms.ts";

describe("complete rules", () => {
  const p = group("test.p", "complete", [
    rule([call("equal", ref("input", "x"), n(1))], { value: s("one") }),
  ]);

  it("is defined when the body holds", () => {
    expect(query([p], "test.p", { x: 1 })).toEqual([{ x: "one" }]);
    expect(query([p], "test.p", { x: 2 })).toEqual([]);
  });

  it("raises a conflict when two definitions produce different values", () => {
    const two = group("test.p", "complete", [rule([], { value: n(1) }), rule([], { value: n(2) })]);
    expect(() => query([two], "test.p")).toThrow(
      "complete rules must not produce multiple outputs",
    );
    const same = group("test.p", "complete", [
      rule([], { value: n(1) }),
      rule([], { value: n(1) }),
    ]);
    expect(query([same], "test.p")).toEqual([{ x: 1 }]);
  });

  it("raises a conflict when one body yields several values", () => {
    const many = group("test.p", "complete", [
      rule([eq(v("y"), ref("input", v("i")))], { value: v("y") }),
    ]);
    expect(() => query([many], "test.p", [1, 2])).toThrow(IRRuntimeError);
    expect(query([many], "test.p", [3, 3])).toEqual([{ x: 3 }]);
  });

  it("falls back to the default value", () => {
    const allow = group(
      "test.allow",
      "complete",
      [rule([call("equal", ref("input", "user"), s("admin"))])],
      {
        default: rule([], { value: b(false) }),
      },
    );
    expect(query([allow], "test.allow", { user: "admin" })).toEqual([{ x: true }]);
    expect(query([allow], "test.allow", { user: "bob" })).toEqual([{ x: false }]);
  });

  it("evaluates else branches only when earlier bodies are undefined", () => {
    const chain = group("test.p", "complete", [
      rule([call("equal", ref("input"), n(1))], {
        value: s("a"),
        else: rule([call("equal", ref("input"), n(2))], {
          value: s("b"),
          else: rule([], { value: s("c") }),
        }),
      }),
    ]);
    expect(query([chain], "test.p", 1)).toEqual([{ x: "a" }]);
    expect(query([chain], "test.p", 2)).toEqual([{ x: "b" }]);
    expect(query([chain], "test.p", 3)).toEqual([{ x: "c" }]);
  });
});

describe("functions", () => {
  // f(x) := y if y := x + 1 ; f("z") := 0
  const f = group(
    "test.f",
    "function",
    [
      rule([call("plus", v("a"), n(1), v("y"))], { args: [v("a")], value: v("y") }),
      rule([], { args: [s("z")], value: n(0) }),
    ],
    { arity: 1 },
  );

  it("unifies args with params and captures outputs", () => {
    expect(run([f], [fcall("test.f", n(41), v("r"))], ["r"])).toEqual([{ r: 42 }]);
    expect(run([f], [fcall("test.f", s("z"), v("r"))], ["r"])).toEqual([{ r: 0 }]);
  });

  it("reports conflicting outputs for the same inputs", () => {
    const g = group(
      "test.g",
      "function",
      [rule([], { args: [v("a")], value: n(1) }), rule([], { args: [v("b")], value: n(2) })],
      {
        arity: 1,
      },
    );
    expect(() => run([g], [fcall("test.g", n(1), v("r"))], ["r"])).toThrow(
      "functions must not produce multiple outputs for same inputs",
    );
  });

  it("destructures array args and uses the result as a truth value without an output", () => {
    // h([a, b]) if a == b
    const h = group(
      "test.h",
      "function",
      [rule([call("equal", v("a"), v("b"))], { args: [arr(v("a"), v("b"))] })],
      {
        arity: 1,
      },
    );
    expect(run([h], [fcall("test.h", arr(n(1), n(1)))], [])).toEqual([{}]);
    expect(run([h], [fcall("test.h", arr(n(1), n(2)))], [])).toEqual([]);
    expect(run([h], [fcall("test.h", arr(n(1)))], [])).toEqual([]);
  });

  it("uses default functions when no definition applies", () => {
    const d = group(
      "test.d",
      "function",
      [rule([call("gt", v("a"), n(0))], { args: [v("a")], value: s("pos") })],
      {
        arity: 1,
        default: rule([], { args: [v("_")], value: s("other") }),
      },
    );
    expect(run([d], [fcall("test.d", n(1), v("r"))], ["r"])).toEqual([{ r: "pos" }]);
    expect(run([d], [fcall("test.d", n(-1), v("r"))], ["r"])).toEqual([{ r: "other" }]);
  });
});

describe("partial rules", () => {
  it("collects a partial set", () => {
    const q = group("test.q", "set", [
      rule([eq(v("y"), ref("input", v("i"))), call("gt", v("y"), n(1))], { key: v("y") }),
      rule([], { key: s("k") }),
    ]);
    expect(query([q], "test.q", [3, 1, 2, 3])).toEqual([{ x: [2, 3, "k"] }]);
    expect(query([q], "test.q", 5)).toEqual([{ x: ["k"] }]);
  });

  it("collects a partial object and rejects conflicting keys", () => {
    const o = group("test.o", "object", [
      rule([eq(v("y"), ref("input", v("k")))], { keys: [v("y")], value: v("k") }),
    ]);
    expect(query([o], "test.o", ["a", "b"])).toEqual([{ x: { a: 0, b: 1 } }]);
    expect(() => query([o], "test.o", ["a", "a"])).toThrow("object keys must be unique");
    expect(query([o], "test.o.b", ["a", "b"])).toEqual([{ x: 1 }]);
  });

  it("builds nested objects for multi-key ref heads", () => {
    // p[q].r := i if { __arr = ["a", "b"]; q = __arr[i] }
    const p = group("test.p", "object", [
      rule([eq(v("__arr"), arr(s("a"), s("b"))), eq(v("q"), ref("__arr", v("i")))], {
        keys: [v("q"), s("r")],
        value: v("i"),
      }),
    ]);
    expect(query([p], "test.p")).toEqual([{ x: { a: { r: 0 }, b: { r: 1 } } }]);
    const dup = group("test.p", "object", [
      rule([eq(v("q"), ref("input", v("i")))], { keys: [v("q"), s("r")], value: v("i") }),
    ]);
    expect(() => query([dup], "test.p", ["a", "a"])).toThrow("object keys must be unique");
  });

  it("iterates over a partial set's elements with more ref operands", () => {
    const q = group("test.q", "set", [rule([eq(v("y"), ref("input", v("i")))], { key: v("y") })]);
    const body = [eq(ref("data", "test", "q", v("e")), v("e"))];
    expect(run([q], body, ["e"], ["b", "a"])).toEqual([{ e: "a" }, { e: "b" }]);
  });
});

describe("terms", () => {
  it("plans composites containing vars and unifies patterns both ways", () => {
    const body = [
      eq(arr(v("a"), obj([s("k"), v("b")])), ref("input")),
      eq(v("c"), obj([s("sum"), arr(v("a"), v("b"))])),
    ];
    expect(run([], body, ["a", "b", "c"], [1, { k: 2 }])).toEqual([
      { a: 1, b: 2, c: { sum: [1, 2] } },
    ]);
    expect(run([], body, ["a", "b", "c"], [1, { k: 2, z: 3 }])).toEqual([]);
    expect(run([], body, ["a", "b", "c"], { k: 2 })).toEqual([]);
  });

  it("treats bare terms as truth tests", () => {
    expect(run([], [term(ref("input", "ok"))], [], { ok: true })).toEqual([{}]);
    expect(run([], [term(ref("input", "ok"))], [], { ok: false })).toEqual([]);
    expect(run([], [term(ref("input", "ok"))], [], { ok: 0 })).toEqual([{}]);
  });

  it("makes big and fractional numbers from their literal text", () => {
    expect(
      run([], [eq(v("a"), n("2.5")), eq(v("b"), n("12345678901234567890"))], ["a", "b"]),
    ).toEqual([{ a: 2.5, b: 12345678901234567890 }]);
  });
});
