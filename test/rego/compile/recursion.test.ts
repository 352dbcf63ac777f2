import { describe, expect, it } from "vitest";
import { compile, compileIssues, issueLines } from "./helpers.ts";

describe("recursion", () => {
  it("reports rules that depend on themselves through other rules", () => {
    expect(issueLines(compileIssues("package x\np if q\nq if r\nr if p"))).toEqual([
      "rego_recursion_error a.rego:2:1 rule data.x.p is recursive: data.x.p -> data.x.q -> data.x.r -> data.x.p",
      "rego_recursion_error a.rego:3:1 rule data.x.q is recursive: data.x.q -> data.x.r -> data.x.p -> data.x.q",
      "rego_recursion_error a.rego:4:1 rule data.x.r is recursive: data.x.r -> data.x.p -> data.x.q -> data.x.r",
    ]);
  });

  it("reports recursive functions and dependencies through iteration over data", () => {
    expect(issueLines(compileIssues("package x\nf(n) := f(n - 1)"))).toEqual([
      "rego_recursion_error a.rego:2:1 rule data.x.f is recursive: data.x.f -> data.x.f",
    ]);
    expect(issueLines(compileIssues("package x\np contains k if data.x[k]"))).toEqual([
      "rego_recursion_error a.rego:2:1 rule data.x.p is recursive: data.x.p -> data.x.p",
    ]);
  });

  it("accepts refs that cannot reach the rule", () => {
    expect(() => compile("package x\np := data.x.q[1]\nq := [1, 2]\nr := data[2]")).not.toThrow();
  });
});
