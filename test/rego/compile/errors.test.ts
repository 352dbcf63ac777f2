import { describe, expect, it } from "vitest";
import { compile, compileIssues, issueLines, rulesOf } from "./helpers.ts";
import { RegoError } from "../../../rego/errors.ts";

describe("error reporting", () => {
  it("reports every problem of a stage at once, sorted by location", () => {
    const issues = compileIssues(
      "package t\np if foo(1)\nq if { x := 1; x := 2 }",
      "package t\nr if count(1, 2, 3)",
    );
    expect(issueLines(issues)).toEqual([
      "rego_type_error a.rego:2:6 undefined function foo",
      "rego_compile_error a.rego:3:16 var x assigned above",
      "rego_type_error b.rego:2:6 count: arity mismatch (have 3 arguments, want 1 or 2 with an output)",
    ]);
  });

  it("throws a RegoError whose message carries code and location", () => {
    try {
      compile("package t\np if { x > 1 }");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RegoError);
      expect((e as RegoError).message).toBe("a.rego:2:8: rego_unsafe_var_error: var x is unsafe");
      expect((e as RegoError).code).toBe("rego_unsafe_var_error");
    }
  });
});

describe("generated names", () => {
  it("never collide with names written in the sources", () => {
    const p = compile("package t\np := __local0__ if { __local0__ := count(input.x) }");
    expect(rulesOf(p, "t.p")).toEqual([
      "= __local0__ { count(input.x, __local1__); eq(__local0__, __local1__) }",
    ]);
  });
});
