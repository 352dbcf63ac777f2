import { describe, expect, it } from "vitest";
import { query, run } from "./run.ts";
import {
  arr,
  arrComp,
  b,
  call,
  eq,
  every,
  fcall,
  group,
  n,
  not,
  objComp,
  ref,
  rule,
  s,
  setComp,
  term,
  v,
  withs,
  loc,
} from "./terms.ts";

describe("comprehensions", () => {
  it("collect values and are defined when empty", () => {
    const body = [
      eq(v("a"), arrComp(v("y"), eq(v("y"), ref("input", v("i"))), call("gt", v("y"), n(1)))),
      eq(v("st"), setComp(v("z"), eq(v("z"), ref("input", v("j"))))),
      eq(v("o"), objComp(v("kk"), v("vv"), eq(v("vv"), ref("input", v("kk"))))),
    ];
    expect(run([], body, ["a", "st", "o"], [2, 1, 2])).toEqual([
      { a: [2, 2], st: [1, 2], o: { "0": 2, "1": 1, "2": 2 } },
    ]);
    expect(run([], body, ["a", "st", "o"], [])).toEqual([{ a: [], st: [], o: {} }]);
  });
});

describe("not", () => {
  it("negates its body", () => {
    const body = [not(call("equal", ref("input"), n(1)))];
    expect(run([], body, [], 1)).toEqual([]);
    expect(run([], body, [], 2)).toEqual([{}]);
    expect(run([], [not(term(ref("input", "missing")))], [], {})).toEqual([{}]);
  });
});

describe("every", () => {
  const body = (domain = ref("input")) => [
    every(v("k"), v("x"), domain, call("gt", v("x"), v("k"))),
  ];
  it("holds when the body holds for every element, including empty domains", () => {
    expect(run([], body(), [], [1, 2, 3])).toEqual([{}]);
    expect(run([], body(), [], [1, 0, 3])).toEqual([]);
    expect(run([], body(), [], [])).toEqual([{}]);
  });
  it("is undefined for an undefined domain", () => {
    expect(run([], body(ref("input", "nope")), [], {})).toEqual([]);
  });
});

describe("builtin calls", () => {
  it("iterates relations such as walk", () => {
    const body = [
      call("walk", ref("input"), arr(v("path"), v("val"))),
      call("equal", v("val"), n(2)),
    ];
    expect(run([], body, ["path"], { a: [1, 2] })).toEqual([{ path: ["a", 1] }]);
  });
  it("treats a call without output as a truth test", () => {
    expect(run([], [call("count", ref("input"))], [], [1])).toEqual([{}]);
    expect(run([], [call("gt", ref("input"), n(1))], [], 0)).toEqual([]);
  });
});

describe("with", () => {
  // p if input.x == 1 ; q := data.cfg.v
  const p = group("test.p", "complete", [rule([call("equal", ref("input", "x"), n(1))])]);
  const cfg = group("test.cfg", "complete", [
    rule([eq(v("c"), ref("data", "conf", "v"))], { value: v("c") }),
  ]);

  it("replaces input for the rules its body reads, and restores it afterwards", () => {
    const body = [
      withs(
        [{ loc: loc, target: { kind: "input", path: ["x"] }, value: n(1) }],
        eq(ref("data", "test", "p"), v("a")),
      ),
      eq(v("i"), ref("input")),
    ];
    expect(run([p], body, ["a", "i"], { x: 2 })).toEqual([{ a: true, i: { x: 2 } }]);
    const after = [...body, eq(ref("data", "test", "p"), v("again"))];
    expect(run([p], after, ["a", "again"], { x: 2 })).toEqual([]);
  });

  it("replaces data, including a rule's own value", () => {
    const readCfg = [
      withs(
        [{ loc: loc, target: { kind: "data", path: ["conf", "v"] }, value: s("mock") }],
        eq(ref("data", "test", "cfg"), v("a")),
      ),
    ];
    expect(run([cfg], readCfg, ["a"], undefined, { conf: { v: "real" } })).toEqual([{ a: "mock" }]);
    const replaceRule = [
      withs(
        [{ loc: loc, target: { kind: "data", path: ["test", "p"] }, value: s("mocked") }],
        eq(ref("data", "test", "p"), v("a")),
      ),
    ];
    expect(run([p], replaceRule, ["a"], { x: 2 })).toEqual([{ a: "mocked" }]);
  });

  it("mocks builtins and functions with values, builtins and functions, through rules", () => {
    // r if count(input) == 1 ; g(x) := 7 ; h(x) := 5
    const r = group("test.r", "complete", [
      rule([call("count", ref("input"), v("c")), call("equal", v("c"), n(1))]),
    ]);
    const g = group("test.g", "function", [rule([], { args: [v("x")], value: n(7) })], {
      arity: 1,
    });
    const h = group("test.h", "function", [rule([], { args: [v("x")], value: n(5) })], {
      arity: 1,
    });
    const read = eq(ref("data", "test", "r"), v("a"));
    const mockCount = (
      value: ReturnType<typeof n>,
      valueFunction?: { kind: "builtin"; name: string } | { kind: "function"; path: string[] },
    ) =>
      withs(
        [
          {
            loc: loc,
            target: { kind: "builtin", name: "count" },
            value,
            ...(valueFunction ? { valueFunction } : {}),
          },
        ],
        read,
      );
    expect(run([r], [mockCount(n(1))], ["a"], [1, 2])).toEqual([{ a: true }]);
    expect(run([r], [eq(v("m"), n(1)), mockCount(v("m"))], ["a"], [1, 2])).toEqual([{ a: true }]);
    expect(run([r], [mockCount(n(2))], ["a"], [1, 2])).toEqual([]);
    expect(run([r], [read], ["a"], [1, 2])).toEqual([]);
    expect(
      run(
        [r, g],
        [mockCount(ref("data", "test", "g"), { kind: "function", path: ["data", "test", "g"] })],
        ["a"],
        [1],
      ),
    ).toEqual([]);
    // function mocked by a function
    const callG = [
      withs(
        [
          {
            loc: loc,
            target: { kind: "function", path: ["data", "test", "g"] },
            value: ref("data", "test", "h"),
            valueFunction: { kind: "function", path: ["data", "test", "h"] },
          },
        ],
        fcall("test.g", n(0), v("out")),
      ),
    ];
    expect(run([g, h], callG, ["out"])).toEqual([{ out: 5 }]);
  });
});

describe("queries", () => {
  it("bind every solution's vars", () => {
    expect(query([], "k", undefined, { k: [1] })).toEqual([{ x: [1] }]);
    expect(run([], [eq(v("e"), ref("input", v("i")))], ["i", "e"], ["a", "b"])).toEqual([
      { i: 0, e: "a" },
      { i: 1, e: "b" },
    ]);
    expect(run([], [term(b(false))], [], null)).toEqual([]);
  });
});
