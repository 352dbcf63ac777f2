import { describe, expect, it } from "vitest";
import { compile, compileIssues, issueLines, rulesOf } from "./helpers.ts";

describe("name resolution", () => {
  it("resolves rule names of the package, across its modules", () => {
    const p = compile("package t\np if q", "package t\nq := true");
    expect(rulesOf(p, "t.p")).toEqual(["= true { data.t.q }"]);
  });

  it("resolves imports, with and without alias, of data and input", () => {
    const p = compile(
      `package t
import data.lib.util
import data.lib.util.f as g
import input.request as req
import rego.v1
import future.keywords.in
p if { util.f(1); g(2); req.user == "a" }`,
      "package lib.util\nf(x) := x",
    );
    expect(rulesOf(p, "t.p")).toEqual([
      '= true { data.lib.util.f(1); data.lib.util.f(2); equal(input.request.user, "a") }',
    ]);
  });

  it("calls functions of other packages by their full path", () => {
    const p = compile("package a\np := data.b.double(2)", "package b\ndouble(x) := x * 2");
    expect(rulesOf(p, "a.p")).toEqual([
      "= __local0__ { data.b.double(2, __local1__); eq(__local0__, __local1__) }",
    ]);
  });

  it("lets locals shadow rule names", () => {
    const p = compile("package t\nq := 1\np := q if { q := 2 }");
    expect(rulesOf(p, "t.p")).toEqual(["= q { eq(q, 2) }"]);
  });

  it("rejects duplicate import names", () => {
    expect(
      issueLines(compileIssues("package t\nimport data.a.x\nimport data.b.x\np := x")),
    ).toEqual(["rego_compile_error a.rego:3:1 import must not shadow import data.a.x"]);
  });
});

describe("locals", () => {
  it("renames a := in a comprehension that shadows an outer var", () => {
    const p = compile("package t\np := y if { x := 1; y := [x | x := 2] }");
    expect(rulesOf(p, "t.p")).toEqual([
      "= y { eq(x, 1); eq(y, [__local0__ | eq(__local0__, 2)]) }",
    ]);
  });

  it("lets a comprehension read an outer var of the same name (unification, not declaration)", () => {
    const p = compile("package t\np := y if { x := 1; y := [x | x = 1] }");
    expect(rulesOf(p, "t.p")).toEqual(["= y { eq(x, 1); eq(y, [x | eq(x, 1)]) }"]);
  });

  it("keeps vars of sibling comprehensions apart", () => {
    const p = compile("package t\np := [a, b] if { a := [x | x := input[_]]; b := {x | x = 1} }");
    expect(rulesOf(p, "t.p")).toEqual([
      "= [a, b] { eq(a, [x | eq(x, input[__local0__])]); eq(b, {__local1__ | eq(__local1__, 1)}) }",
    ]);
  });

  it("gives each wildcard its own local", () => {
    const p = compile("package t\np if { input.a[_] == input.b[_] }");
    expect(rulesOf(p, "t.p")).toEqual([
      "= true { equal(input.a[__local0__], input.b[__local1__]) }",
    ]);
  });

  it("keeps locals of else branches apart", () => {
    const p = compile("package t\np := x if { x := input.a } else := x if { x := input.b }");
    expect(rulesOf(p, "t.p")).toEqual([
      "= x { eq(x, input.a) } else = __local0__ { eq(__local0__, input.b) }",
    ]);
  });

  it("drops `some x` declarations and makes the name local", () => {
    const p = compile("package t\nq := 1\np if { some q; input.a[q] }");
    expect(rulesOf(p, "t.p")).toEqual(["= true { input.a[q] }"]);
  });

  it("reports := redeclarations", () => {
    expect(issueLines(compileIssues("package t\np if { x := 1; x := 2 }"))).toEqual([
      "rego_compile_error a.rego:2:16 var x assigned above",
    ]);
    expect(issueLines(compileIssues("package t\np if { x = 1; x := 2 }"))).toEqual([
      "rego_compile_error a.rego:2:15 var x referenced above",
    ]);
    expect(issueLines(compileIssues("package t\nf(x) := y if { x := 1; y := 2 }"))).toEqual([
      "rego_compile_error a.rego:2:16 arg x redeclared",
    ]);
  });

  it("reports := to input, data or a ref, and inside not", () => {
    expect(issueLines(compileIssues("package t\np if { input := 1 }"))).toEqual([
      "rego_compile_error a.rego:2:8 variables must not shadow input (use a different variable name)",
    ]);
    expect(issueLines(compileIssues("package t\np if { input.x := 1 }"))).toEqual([
      "rego_compile_error a.rego:2:8 cannot assign to ref",
    ]);
    expect(issueLines(compileIssues("package t\np if { not x := 1 }"))).toEqual([
      "rego_compile_error a.rego:2:8 cannot assign vars inside negated expression",
    ]);
  });

  it("reports unused `some` declarations", () => {
    expect(issueLines(compileIssues("package t\np if { some x; true }"))).toEqual([
      "rego_compile_error a.rego:2:8 declared var x unused",
    ]);
  });

  it("rejects function args named like a root document", () => {
    expect(issueLines(compileIssues("package t\nf(input) := 1"))).toEqual([
      "rego_compile_error a.rego:2:3 args must not shadow input (use a different variable name)",
    ]);
  });
});
