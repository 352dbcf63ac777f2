import { describe, expect, it } from "vitest";
import { compile, issueLines, issuesOf, query } from "./helpers.ts";

describe("queries", () => {
  const policy = compile(
    "package test\np := 1\nq[k] := k if some k in input.ks",
    "package generated\np(x) := x + 1",
  );

  it("compiles rule lookups and keeps user vars as bindings", () => {
    expect(query("data.test.p = x", policy)).toEqual({ body: "eq(data.test.p, x)", vars: ["x"] });
    expect(query("x = data.test.q[z]", policy)).toEqual({
      body: "eq(x, data.test.q[z])",
      vars: ["x", "z"],
    });
    expect(query("result = data.test", policy)).toEqual({
      body: "eq(result, data.test)",
      vars: ["result"],
    });
  });

  it("compiles function calls and builtins without user vars", () => {
    expect(query("data.generated.p(1) = x", policy)).toEqual({
      body: "data.generated.p(1, __local0__); eq(__local0__, x)",
      vars: ["x"],
    });
    expect(query("1 / 0", policy)).toEqual({ body: "div(1, 0)", vars: [] });
  });

  it("reorders and checks safety like rule bodies", () => {
    expect(query("x > 1; x = 2", policy)).toEqual({ body: "eq(x, 2); gt(x, 1)", vars: ["x"] });
    expect(query("x := 2; y := x + 1", policy)).toEqual({
      body: "eq(x, 2); plus(x, 1, __local0__); eq(y, __local0__)",
      vars: ["x", "y"],
    });
    expect(issueLines(issuesOf(() => query("count(y)", policy)))).toEqual([
      "rego_unsafe_var_error <query>:1:7 var y is unsafe",
    ]);
    expect(issueLines(issuesOf(() => query("data.generated.p(1, 2, 3)", policy)))).toEqual([
      "rego_type_error <query>:1:1 function data.generated.p has arity 1, got 3 arguments",
    ]);
  });
});
