import { describe, expect, it } from "vitest";
import { compile, compileIssues, issueLines, rulesOf } from "./helpers.ts";

describe("lifting", () => {
  it("lifts nested calls into call expressions in evaluation order", () => {
    const p = compile("package t\nf(x) := [x]\np if { count(f(input.x)) > 1 }");
    expect(rulesOf(p, "t.p")).toEqual([
      "= true { data.t.f(input.x, __local0__); count(__local0__, __local1__); gt(__local1__, 1) }",
    ]);
  });

  it("turns := into eq and keeps == as equal", () => {
    const p = compile("package t\np if { x := input.a; x == 1 }");
    expect(rulesOf(p, "t.p")).toEqual(["= true { eq(x, input.a); equal(x, 1) }"]);
  });

  it("lifts refs nested in ref operands and call or composite ref heads", () => {
    const p = compile(`package t
a if input.a[input.b].c
b if { [1, 2][i] > 1 }
c := sort(input.xs)[0]`);
    expect(rulesOf(p, "t.a")).toEqual([
      "= true { eq(__local0__, input.b); input.a[__local0__].c }",
    ]);
    expect(rulesOf(p, "t.b")).toEqual(["= true { eq(__local1__, [1, 2]); gt(__local1__[i], 1) }"]);
    expect(rulesOf(p, "t.c")).toEqual([
      "= __local2__ { sort(input.xs, __local3__); eq(__local2__, __local3__[0]) }",
    ]);
  });

  it("moves head values that need evaluation into the body", () => {
    const p = compile("package t\np contains input.x[_]\nq[k] := count(input.y[k])");
    expect(rulesOf(p, "t.p")).toEqual([
      "contains __local1__ { eq(__local1__, input.x[__local0__]) }",
    ]);
    expect(rulesOf(p, "t.q")).toEqual([
      "[k] = __local2__ { count(input.y[k], __local3__); eq(__local2__, __local3__) }",
    ]);
  });

  it("keeps lifted values of a negated expression inside the not", () => {
    const p = compile("package t\np if { not count(input.xs) > 1 }");
    expect(rulesOf(p, "t.p")).toEqual([
      "= true { not { count(input.xs, __local0__); gt(__local0__, 1) } }",
    ]);
  });

  it("turns print(a, b) into internal.print of one set of values per argument, as OPA does", () => {
    const p = compile('package t\np if { print("hi", input.x); true }');
    expect(rulesOf(p, "t.p")).toEqual([
      '= true { internal.print([{__local0__ | eq(__local0__, "hi")}, {__local1__ | eq(__local1__, input.x)}]); true }',
    ]);
  });

  it("reports an unsafe print argument by its own name, and print used as a value", () => {
    expect(issueLines(compileIssues("package t\np if { print(y) }\nq := print(1)"))).toEqual([
      "rego_type_error a.rego:3:6 undefined function print",
    ]);
    expect(issueLines(compileIssues("package t\np if { print(y) }"))).toEqual([
      "rego_unsafe_var_error a.rego:2:14 var y is unsafe",
    ]);
  });
});

describe("some, in and every", () => {
  it("rewrites some-in into unification with an iterating ref", () => {
    const p = compile(`package t
a contains x if some x in input.xs
b contains [k, v] if some k, v in input.o
c contains a if some [a, 1] in input.pairs
d contains x if some x in {1, 2}`);
    expect(rulesOf(p, "t.a")).toEqual(["contains x { eq(x, input.xs[__local0__]) }"]);
    expect(rulesOf(p, "t.b")).toEqual(["contains [k, v] { eq(v, input.o[k]) }"]);
    expect(rulesOf(p, "t.c")).toEqual(["contains a { eq([a, 1], input.pairs[__local1__]) }"]);
    expect(rulesOf(p, "t.d")).toEqual([
      "contains x { eq(__local3__, {1, 2}); eq(x, __local3__[__local2__]) }",
    ]);
  });

  it("keeps `x in xs` and `k, v in xs` as membership calls", () => {
    const p = compile('package t\np if { 1 in input.xs; "a", 2 in input.o }');
    expect(rulesOf(p, "t.p")).toEqual([
      'true { internal.member_2(1, input.xs); internal.member_3("a", 2, input.o) }'.replace(
        /^/,
        "= ",
      ),
    ]);
  });

  it("binds every's domain to a local and compiles its body", () => {
    const p = compile("package t\np if { every k, v in input.o { k != v; count(v) > 0 } }");
    expect(rulesOf(p, "t.p")).toEqual([
      "= true { eq(__local0__, input.o); every k, v in __local0__ { neq(k, v); count(v, __local1__); gt(__local1__, 0) } }",
    ]);
  });
});

describe("with", () => {
  it("wraps the expression and what was lifted from it; values are evaluated outside", () => {
    const p = compile(`package t
q := input.x
p if { count(q) > 1 with input.x as [input.y[0]] with data.cfg as {"a": 1} }`);
    expect(rulesOf(p, "t.p")).toEqual([
      '= true { eq(__local1__, [input.y[0]]); { count(data.t.q, __local2__); gt(__local2__, 1) } with input.x as __local1__ with data.cfg as {"a": 1} }',
    ]);
  });

  it("replaces builtins and functions with values, functions or builtins", () => {
    const p = compile(`package t
f(x) := x
g(x) := 2 * x
a if f(1) == 1 with f as g
b if count([]) == 3 with count as 3
c if data.t.f(1) == 1 with data.t.f as count`);
    expect(rulesOf(p, "t.a")).toEqual([
      "= true { { data.t.f(1, __local2__); equal(__local2__, 1) } with data.t.f as data.t.g }",
    ]);
    expect(rulesOf(p, "t.b")).toEqual([
      "= true { { count([], __local3__); equal(__local3__, 3) } with count as 3 }",
    ]);
    expect(rulesOf(p, "t.c")).toEqual([
      "= true { { data.t.f(1, __local4__); equal(__local4__, 1) } with data.t.f as count }",
    ]);
  });

  it("puts not around with", () => {
    const p = compile("package t\nq if input.x\np if { not q with input as {} }");
    expect(rulesOf(p, "t.p")).toEqual(["= true { not { { data.t.q } with input as {} } }"]);
  });

  it("rejects targets that are not input, data or a function", () => {
    expect(issueLines(compileIssues("package t\np if { true with foo.bar as 1 }"))).toEqual([
      "rego_type_error a.rego:2:18 with keyword target must reference existing input, data, or a function",
    ]);
  });

  it("rejects partial replacement of rules and replacing internal builtins", () => {
    expect(
      issueLines(compileIssues("package t\nq := {}\np if { true with data.t.q.r as 1 }")),
    ).toEqual([
      "rego_compile_error a.rego:3:18 with keyword cannot partially replace virtual document(s)",
    ]);
    expect(
      issueLines(compileIssues("package t\np if { true with internal.member_2 as 1 }")),
    ).toEqual([
      'rego_compile_error a.rego:2:18 with keyword replacing built-in function: replacement of internal function "internal.member_2" invalid',
    ]);
  });
});

describe("call targets", () => {
  it("reports undefined functions", () => {
    expect(issueLines(compileIssues("package t\np if foo(1)\nq if data.x.g(1)"))).toEqual([
      "rego_type_error a.rego:2:6 undefined function foo",
      "rego_type_error a.rego:3:6 undefined function data.x.g",
    ]);
  });

  it("reports arity mismatches of builtins and user functions", () => {
    expect(
      issueLines(
        compileIssues("package t\nf(x) := x\np if count(1, 2, 3)\nq if f(1, 2, 3)\nr := f(1, 2)"),
      ),
    ).toEqual([
      "rego_type_error a.rego:3:6 count: arity mismatch (have 3 arguments, want 1 or 2 with an output)",
      "rego_type_error a.rego:4:6 function data.t.f has arity 1, got 3 arguments",
      "rego_type_error a.rego:5:6 function data.t.f has arity 1, got 2 arguments",
    ]);
  });

  it("calls with one more argument than the arity capture the output", () => {
    const p = compile('package t\np := y if split("a.b", ".", y)');
    expect(rulesOf(p, "t.p")).toEqual(['= y { split("a.b", ".", y) }']);
  });
});
