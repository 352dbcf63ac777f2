import { describe, expect, it } from "vitest";
import { parseModule, parseQuery, parseTerm } from "../../../rego/syntax/index.ts";
import type { CallExpr, Rule } from "../../../rego/syntax/ast.ts";
import { mod, q, show, showExpr } from "./helpers.ts";

describe("terms", () => {
  it.each([
    ["null", "null"],
    ["true", "true"],
    ["false", "false"],
    ["0", "0"],
    ["42", "42"],
    ["-7", "-7"],
    ["- 7", "-7"],
    ["3.25", "3.25"],
    ["1e10", "1e10"],
    ["-2.5E-3", "-2.5E-3"],
    ["0.5", "0.5"],
    ["0e5", "0e5"],
    ['"a\\"b"', '"a\\"b"'],
    ["`raw \\n`", '"raw \\\\n"'],
    ["x", "x"],
    ["_", "_"],
    ["input", "input"],
    ["data.a.b", "data.a.b"],
    ['input.a["b-c"][x][0]', 'input.a["b-c"][x][0]'],
    ["input.if.in.else", "input.if.in.else"],
    ["[]", "[]"],
    ["[1, [2], 3,]", "[1, [2], 3]"],
    ["{}", "{}"],
    ['{"a": 1, 2: [3], x: y,}', '{"a": 1, 2: [3], x: y}'],
    ["{1, 2, 3}", "set(1, 2, 3)"],
    ["{1}", "set(1)"],
    ["set()", "set()"],
    ["[x | x := xs[_]]", "[x | assign(x, xs[_])]"],
    ["{x | some x in xs; x > 1}", "{x | some x in xs; gt(x, 1)}"],
    ["{k: v | some k, v in o}", "{k: v | some k, v in o}"],
    ["[x | x = 1\n  y = 2\n]", "[x | eq(x, 1); eq(y, 2)]"],
    ["count(x)", "count(x)"],
    ["strings.reverse(s)", "strings.reverse(s)"],
    ["data.lib.f(1, 2)", "data.lib.f(1, 2)"],
    ["f(x)[0].y", "f(x)[0].y"],
    ["[1, 2][0]", "[1, 2][0]"],
    ["{1, 2}[x]", "set(1, 2)[x]"],
    ['contains(s, "a")', 'contains(s, "a")'],
    ["(1 + 2) * 3", "mul(plus(1, 2), 3)"],
    ["f(\n  1,\n  2,\n)", "f(1, 2)"],
  ])("%s", (src, want) => {
    expect(show(parseTerm(src))).toBe(want);
  });

  it("keeps number source text and decodes string escapes", () => {
    expect(parseTerm("1.50e+03")).toMatchObject({ type: "number", value: "1.50e+03" });
    expect(parseTerm('"\\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00"')).toMatchObject({
      type: "string",
      value: "\\ / \b \f \n \r \t é 😀",
    });
    expect(parseTerm('"\\ud800x"')).toMatchObject({ value: "\uFFFDx" });
    expect(parseTerm("`a\nb\\`")).toMatchObject({ type: "string", value: "a\nb\\" });
  });

  it("makes bare input and data refs", () => {
    expect(parseTerm("input")).toMatchObject({
      type: "ref",
      terms: [{ type: "var", name: "input" }],
    });
    expect(parseTerm("data")).toMatchObject({
      type: "ref",
      terms: [{ type: "var", name: "data" }],
    });
    expect(parseTerm("x")).toMatchObject({ type: "var", name: "x" });
  });

  it("builds refs and calls as ast.ts describes", () => {
    expect(parseTerm("a.b[c]")).toMatchObject({
      type: "ref",
      terms: [
        { type: "var", name: "a" },
        { type: "string", value: "b" },
        { type: "var", name: "c" },
      ],
    });
    expect(parseTerm("strings.reverse(s)")).toMatchObject({
      type: "call",
      operator: { type: "ref", terms: [{ name: "strings" }, { value: "reverse" }] },
      args: [{ type: "var", name: "s" }],
    });
    expect(parseTerm("x in xs")).toMatchObject({
      type: "call",
      operator: {
        terms: [
          { type: "var", name: "internal" },
          { type: "string", value: "member_2" },
        ],
      },
    });
  });

  it("continues refs and calls only when written without spaces", () => {
    expect(q("x\n[1]")).toEqual(["x", "[1]"]);
    expect(q("f\n(1)")).toEqual(["f", "1"]);
    expect(() => parseQuery("x [1]")).toThrow(/unexpected \[ token: expected \\n or ; or eof/);
  });
});

describe("operators", () => {
  it.each([
    ["1 + 2 * 3", "plus(1, mul(2, 3))"],
    ["1 * 2 + 3", "plus(mul(1, 2), 3)"],
    ["1 - 2 - 3", "minus(minus(1, 2), 3)"],
    ["8 / 4 / 2", "div(div(8, 4), 2)"],
    ["7 % 3 * 2", "mul(rem(7, 3), 2)"],
    ["a | b & c", "or(a, and(b, c))"],
    ["a & b | c", "or(and(a, b), c)"],
    ["a | b | c", "or(or(a, b), c)"],
    ["a + b & c", "and(plus(a, b), c)"],
    ["a == b | c", "equal(a, or(b, c))"],
    ["a < b == c", "equal(lt(a, b), c)"],
    ["a != b", "neq(a, b)"],
    ["a <= b", "lte(a, b)"],
    ["a >= b", "gte(a, b)"],
    ["a > b", "gt(a, b)"],
    ["x in xs == y", "internal.member_2(x, equal(xs, y))"],
    ["x == y in xs", "internal.member_2(equal(x, y), xs)"],
    ["a in b in c", "internal.member_2(internal.member_2(a, b), c)"],
    ["x - 1", "minus(x, 1)"],
    ["x -1", "minus(x, 1)"],
    ["x-1", "minus(x, 1)"],
    ["-1 + -2", "plus(-1, -2)"],
    ["(a + b) * c", "mul(plus(a, b), c)"],
    ["[1, 2 + 3]", "[1, plus(2, 3)]"],
    ["{a | b, c}", "set(or(a, b), c)"],
    ["f(x in xs, k, v)", "f(internal.member_2(x, xs), k, v)"],
  ])("%s", (src, want) => {
    expect(show(parseTerm(src))).toBe(want);
  });

  it.each([
    ["x := 1 + 2", "assign(x, plus(1, 2))"],
    ["x = y", "eq(x, y)"],
    ["x := a in b", "assign(x, internal.member_2(a, b))"],
    ["x == y", "equal(x, y)"],
    ["k, v in xs", "internal.member_3(k, v, xs)"],
    ["x := count(y)", "assign(x, count(y))"],
    ["count(x, n)", "count(x, n)"],
    ["a + b", "plus(a, b)"],
    ["x := 1 +\n  2", "assign(x, plus(1, 2))"],
    ["x := 1\n  + 2", "assign(x, plus(1, 2))"],
  ])("expression %s", (src, want) => {
    expect(q(src)).toEqual([want]);
  });

  it("turns top-level calls into call expressions and keeps nested ones as call terms", () => {
    const [e] = parseQuery("x := count(y)") as [CallExpr];
    expect(e).toMatchObject({ type: "call", operator: { terms: [{ name: "assign" }] } });
    expect(e.args[1]).toMatchObject({ type: "call", operator: { terms: [{ name: "count" }] } });
    expect(parseQuery("count(x, n)")[0]).toMatchObject({
      type: "call",
      args: [{ name: "x" }, { name: "n" }],
    });
    expect(parseQuery("x == y")[0]).toMatchObject({
      type: "call",
      operator: { terms: [{ name: "equal" }] },
    });
    expect(parseQuery("x")[0]).toMatchObject({ type: "term", term: { type: "var", name: "x" } });
  });
});

describe("expressions", () => {
  it.each([
    ["not f(x)", "not f(x)"],
    ["not x", "not x"],
    ["some x, y", "some x, y"],
    ["some x in xs", "some x in xs"],
    ["some k, v in xs", "some k, v in xs"],
    ["some [a, b] in pairs", "some [a, b] in pairs"],
    ["every x in xs { x > 1 }", "every x in xs { gt(x, 1) }"],
    ["every k, v in o { k != v; v }", "every k, v in o { neq(k, v); v }"],
    [
      "f(x) with input.a as 1 with data.b as 2 with g as h",
      "f(x) with input.a as 1 with data.b as 2 with g as h",
    ],
    ["not p with input as {}", "not p with input as {}"],
    ["x := 1\n  with input as 2", "assign(x, 1) with input as 2"],
    ["some x in xs with input as 1", "some x in xs with input as 1"],
  ])("%s", (src, want) => {
    expect(q(src)).toEqual([want]);
  });

  it("separates expressions by newlines and semicolons", () => {
    expect(q("a; b\nc ;d")).toEqual(["a", "b", "c", "d"]);
    expect(q("# comment\na # trailing\n\n  b")).toEqual(["a", "b"]);
  });

  it("gives some/every their parts", () => {
    expect(parseQuery("some k, v in xs")[0]).toMatchObject({
      type: "somein",
      key: { name: "k" },
      value: { name: "v" },
      collection: { name: "xs" },
    });
    const every = parseQuery("every x in [1] { true }")[0]!;
    expect(every).toMatchObject({ type: "every", value: { name: "x" }, domain: { type: "array" } });
    expect(every).not.toHaveProperty("key");
    expect(parseQuery("some x")[0]).toMatchObject({ type: "some", vars: [{ name: "x" }] });
  });
});

function rules(body: string): Rule[] {
  return mod(body).rules;
}

function head(r: Rule): string {
  const h = r.head;
  let s = h.ref
    .map((t, i) => (i === 0 ? show(t) : t.type === "string" ? `.${t.value}` : `[${show(t)}]`))
    .join("");
  if (h.args) s += `(${h.args.map(show).join(", ")})`;
  if (h.contains) s += ` contains ${show(h.key!)}`;
  if (h.value) s += ` ${h.assign ? ":=" : "="} ${show(h.value)}`;
  return (r.default ? "default " : "") + s;
}

describe("rules", () => {
  it.each([
    ["default allow := false", "default allow := false", []],
    ["default f(_) := 1", "default f(_) := 1", []],
    ['default p = {"a": [1]}', 'default p = {"a": [1]}', []],
    ["p := 1", "p := 1", []],
    ["p = 1", "p = 1", []],
    ["p := 1 if { x }", "p := 1", ["x"]],
    ["p = 1 if { x }", "p = 1", ["x"]],
    ["p if { x; y }", "p = true", ["x", "y"]],
    ["p if x == 1", "p = true", ["equal(x, 1)"]],
    ["p if {\n  x\n  y\n}", "p = true", ["x", "y"]],
    ["p if { x }", "p = true", ["x"]],
    ["p if {}", "p = true", ["{}"]],
    ["p contains x if { x := 1 }", "p contains x", ["assign(x, 1)"]],
    ['p contains "a"', 'p contains "a"', []],
    ["p contains x if some x in xs", "p contains x", ["some x in xs"]],
    ["p[k] := v if { k := 1; v := 2 }", "p[k] := v", ["assign(k, 1)", "assign(v, 2)"]],
    ["p[x] if { x := 1 }", "p[x] = true", ["assign(x, 1)"]],
    ["a.b.c := 1", "a.b.c := 1", []],
    ["a.b[x].c := y if { x := 1; y := 2 }", "a.b[x].c := y", ["assign(x, 1)", "assign(y, 2)"]],
    ["a.b contains 1 if true", "a.b contains 1", ["true"]],
    ["f(x, y) := z if { z := x + y }", "f(x, y) := z", ["assign(z, plus(x, y))"]],
    ["f(x) if { x }", "f(x) = true", ["x"]],
    ["f(x) = y if y := x", "f(x) = y", ["assign(y, x)"]],
    ["f(1) := 2", "f(1) := 2", []],
    ["a.b.f(x) := 1 if x", "a.b.f(x) := 1", ["x"]],
    ["p := x if {\n  x := [\n    1,\n  ]\n}", "p := x", ["assign(x, [1])"]],
  ])("%s", (src, wantHead, wantBody) => {
    const [r] = rules(src) as [Rule];
    expect(head(r)).toBe(wantHead);
    expect(r.body.map(showExpr)).toEqual(wantBody);
  });

  it("materialises implicit values and flags", () => {
    const [p, c, f] = rules("p if true\nc contains 1 if true\nf(x) if x");
    expect(p!.head).toMatchObject({
      ref: [{ type: "var", name: "p" }],
      value: { type: "boolean", value: true },
      assign: false,
      contains: false,
    });
    expect(c!.head).toMatchObject({ contains: true, key: { type: "number", value: "1" } });
    expect(c!.head.value).toBeUndefined();
    expect(f!.head).toMatchObject({
      args: [{ name: "x" }],
      value: { type: "boolean", value: true },
    });
    expect(rules("p := 1")[0]!.head.assign).toBe(true);
    expect(rules("p = 1")[0]!.head.assign).toBe(false);
  });

  it("parses else chains", () => {
    const [r] = rules('f(x) := "a" if { x == 1 } else := "b" if { x == 2 } else = "c"') as [Rule];
    expect(head(r)).toBe('f(x) := "a"');
    expect(head(r.else!)).toBe('f(x) := "b"');
    expect(r.else!.body.map(showExpr)).toEqual(["equal(x, 2)"]);
    expect(head(r.else!.else!)).toBe('f(x) = "c"');
    expect(r.else!.else!.body).toEqual([]);
    expect(r.else!.else!.else).toBeUndefined();

    const [s] = rules("p := 1 if { false } else if { true }") as [Rule];
    expect(s.else!.head.value).toMatchObject({ type: "boolean", value: true });
    const [t] = rules("p := 1 if false\nelse := 2 if true") as [Rule];
    expect(t.else!.body.map(showExpr)).toEqual(["true"]);
  });

  it("reads one rule per body in `p if { a } { b }`", () => {
    const rs = rules("p if { a } { b }");
    expect(rs.map((r) => r.body.map(showExpr))).toEqual([["a"], ["b"]]);
  });

  it("reads packages and imports", () => {
    const m = parseModule(
      [
        'package a["b-c"].d',
        "import data.x",
        "import data.x.y as z",
        "import input.foo",
        "import rego.v1",
        "import future.keywords",
        "import future.keywords.in",
        "import future.keywords.if",
        "import future.keywords.contains",
        "import future.keywords.every",
      ].join("\n"),
      "m.rego",
    );
    expect(show(m.package)).toBe('data.a["b-c"].d');
    expect(m.imports.map((i) => show(i.path) + (i.alias ? ` as ${i.alias}` : ""))).toEqual([
      "data.x",
      "data.x.y as z",
      "input.foo",
      "rego.v1",
      "future.keywords",
      "future.keywords.in",
      "future.keywords.if",
      "future.keywords.contains",
      "future.keywords.every",
    ]);
    expect(m).toMatchObject({ file: "m.rego", regoVersion: 1, rules: [] });
  });

  it("parses METADATA annotations onto the following rule", () => {
    const m = mod(
      "# METADATA\n# title: Allow\n# custom:\n#   severity: high\nallow if true\n\nother if true",
    );
    expect(m.rules[0]!.annotations).toMatchObject([
      { scope: "rule", title: "Allow", custom: { severity: "high" } },
    ]);
    expect(m.rules[1]!.annotations).toBeUndefined();
  });
});

describe("locations", () => {
  it("records 1-based rows and columns on nodes", () => {
    const m = parseModule("package p\n\nallow if {\n\tx := input.a + 1\n}\n", "loc.rego");
    const r = m.rules[0]!;
    expect(r.loc).toEqual({ file: "loc.rego", row: 3, col: 1 });
    expect(r.head.loc).toMatchObject({ row: 3, col: 1 });
    const e = r.body[0] as CallExpr;
    expect(e.loc).toMatchObject({ row: 4, col: 2 });
    expect(e.operator.loc).toMatchObject({ row: 4, col: 4 });
    expect(e.args[0]!.loc).toMatchObject({ row: 4, col: 2 });
    const plus = e.args[1]!;
    expect(plus.loc).toMatchObject({ row: 4, col: 7 }); // an infix call sits at its left operand
    expect(plus.type === "call" && plus.operator.loc).toMatchObject({ row: 4, col: 15 });
    expect(m.package.loc).toMatchObject({ row: 1, col: 1 });
  });

  it("counts columns in code points", () => {
    const [x, y] = parseQuery('x := "😀é"; y');
    expect(x!.loc.col).toBe(1);
    expect(y!.loc).toMatchObject({ row: 1, col: 12 });
  });

  it("counts rows across multi-line raw strings", () => {
    expect(parseQuery("x := `a\nb\nc`\ny")[1]!.loc).toMatchObject({ row: 4, col: 1 });
  });
});
