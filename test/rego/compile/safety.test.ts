import { describe, expect, it } from "vitest";
import { compile, compileIssues, issueLines, rulesOf } from "./helpers.ts";

describe("reordering", () => {
  it("moves an expression after the one that binds its vars", () => {
    const p = compile("package t\np if { x > 1; x = 2 }");
    expect(rulesOf(p, "t.p")).toEqual(["= true { eq(x, 2); gt(x, 1) }"]);
  });

  it("keeps source order otherwise", () => {
    const p = compile("package t\np if { input.a; x := 1; input.b; x > 0 }");
    expect(rulesOf(p, "t.p")).toEqual(["= true { input.a; eq(x, 1); input.b; gt(x, 0) }"]);
  });

  it("binds through unification on either side and array patterns", () => {
    const p = compile("package t\np := [a, b, c] if { b > a; 1 = a; [b, c] = input.pair }");
    expect(rulesOf(p, "t.p")).toEqual([
      "= [a, b, c] { eq(1, a); eq([b, c], input.pair); gt(b, a) }",
    ]);
  });

  it("binds var operands of refs by iteration and call outputs", () => {
    const p = compile(`package t
p contains i if { i > 0; input.xs[i] }
q := n if { n > 1; count(input.xs, n) }`);
    expect(rulesOf(p, "t.p")).toEqual(["contains i { input.xs[i]; gt(i, 0) }"]);
    expect(rulesOf(p, "t.q")).toEqual(["= n { count(input.xs, n); gt(n, 1) }"]);
  });

  it("evaluates not, builtin inputs and with values once their vars are bound", () => {
    const p = compile(`package t
q if input.ok
p if { not input.deny[x]; q with input as y; x = "a"; y = {"ok": true} }`);
    expect(rulesOf(p, "t.p")).toEqual([
      '= true { eq(x, "a"); eq(y, {"ok": true}); not { input.deny[x] }; { data.t.q } with input as y }',
    ]);
  });

  it("orders closures after the expressions binding the outer vars they read", () => {
    const p = compile("package t\np := ys if { ys := [v | some v in input.xs; v > m]; m = 1 }");
    expect(rulesOf(p, "t.p")).toEqual([
      "= ys { eq(m, 1); eq(ys, [v | eq(v, input.xs[__local0__]); gt(v, m)]) }",
    ]);
    const q = compile("package t\np if { every x in input.xs { x > m }; m = 1 }");
    expect(rulesOf(q, "t.p")).toEqual([
      "= true { eq(__local0__, input.xs); eq(m, 1); every x in __local0__ { gt(x, m) } }",
    ]);
  });

  it("orders comprehension bodies on their own", () => {
    const p = compile("package t\np := [x | x > 1; x = input.y]");
    expect(rulesOf(p, "t.p")).toEqual([
      "= __local0__ { eq(__local0__, [x | eq(x, input.y); gt(x, 1)]) }",
    ]);
  });
});

describe("unsafe vars", () => {
  it("reports vars that nothing binds, at the var", () => {
    expect(issueLines(compileIssues("package t\np if { count(x) > 0 }"))).toEqual([
      "rego_unsafe_var_error a.rego:2:14 var x is unsafe",
    ]);
  });

  it("requires vars of negated expressions to be bound outside", () => {
    expect(issueLines(compileIssues("package t\np if { not input.deny[x] }"))).toEqual([
      "rego_unsafe_var_error a.rego:2:23 var x is unsafe",
    ]);
  });

  it("requires head vars to be bound by the body", () => {
    expect(
      issueLines(
        compileIssues("package t\np := y if { x := 1 }\nq contains z if true\nr[k] := 1 if true"),
      ),
    ).toEqual([
      "rego_unsafe_var_error a.rego:2:6 var y is unsafe",
      "rego_unsafe_var_error a.rego:3:12 var z is unsafe",
      "rego_unsafe_var_error a.rego:4:3 var k is unsafe",
    ]);
  });

  it("reports unsafe vars inside comprehensions and every bodies", () => {
    expect(
      issueLines(compileIssues("package t\np := [1 | y > 1]\nq if { every x in [1] { x > z } }")),
    ).toEqual([
      "rego_unsafe_var_error a.rego:2:11 var y is unsafe",
      "rego_unsafe_var_error a.rego:3:29 var z is unsafe",
    ]);
  });

  it("treats a var declared by := after a closure as a different var (as OPA does)", () => {
    expect(
      issueLines(compileIssues("package t\np if { ys := [v | v := input.xs[_]; v > m]; m := 1 }")),
    ).toEqual(["rego_unsafe_var_error a.rego:2:41 var m is unsafe"]);
  });

  it("names wildcards and renamed vars as the user wrote them", () => {
    expect(issueLines(compileIssues("package t\np if { not input.a[_] }"))).toEqual([
      "rego_unsafe_var_error a.rego:2:20 var _ is unsafe",
    ]);
    expect(issueLines(compileIssues("package t\np if { x := 1; [x | x := 2; y > x] }"))).toEqual([
      "rego_unsafe_var_error a.rego:2:29 var y is unsafe",
    ]);
  });

  it("accepts function args as bound", () => {
    const p = compile("package t\nf([a, b], c) := a + b + c");
    expect(rulesOf(p, "t.f")).toEqual([
      "([a, b], c) = __local0__ { plus(a, b, __local1__); plus(__local1__, c, __local2__); eq(__local0__, __local2__) }",
    ]);
  });
});
