import { describe, expect, it } from "vitest";
import { compile, compileIssues, group, issueLines, rulesOf } from "./helpers.ts";

describe("rule tree", () => {
  it("groups rules by full path and kind", () => {
    const p = compile(`package a.b
allow if input.x == 1
allow if input.y == 2
names contains n if some n in input.names
obj[k] := v if some k, v in input.o
f(x) := x + 1
default allow := false`);
    expect(p.groups.map((g) => [g.path.join("."), g.kind, g.arity, g.rules.length])).toEqual([
      ["a.b.allow", "complete", 0, 2],
      ["a.b.names", "set", 0, 1],
      ["a.b.obj", "object", 0, 1],
      ["a.b.f", "function", 1, 1],
    ]);
    expect(group(p, "a.b.allow").default?.value).toMatchObject({ type: "boolean", value: false });
    expect(p.files).toEqual(["a.rego"]);
  });

  it("merges modules of one package and keeps rule order", () => {
    const p = compile("package x\np := 1 if input.a", "package x\np := 1 if input.b\nq := p");
    expect(rulesOf(p, "x.p")).toEqual(["= 1 { input.a }", "= 1 { input.b }"]);
    expect(rulesOf(p, "x.q")).toEqual(["= __local0__ { eq(__local0__, data.x.p) }"]);
    expect(p.files).toEqual(["a.rego", "b.rego"]);
  });

  it("puts general ref heads at their ground prefix with the rest as keys", () => {
    const p = compile(`package t
a.b[x].c := 1 if some x in input.xs
a.b.d := 2
p[q] contains r if { q := "k"; r := 1 }`);
    expect(group(p, "t.a.b").kind).toBe("object");
    expect(rulesOf(p, "t.a.b")).toEqual(['[x]["c"] = 1 { eq(x, input.xs[__local0__]) }']);
    expect(rulesOf(p, "t.a.b.d")).toEqual(["= 2 {  }"]);
    expect(group(p, "t.p").kind).toBe("set");
    expect(rulesOf(p, "t.p")).toEqual(['[q] contains r { eq(q, "k"); eq(r, 1) }']);
  });

  it("keeps else chains on their rule, sharing the function's args", () => {
    const p = compile(`package t
f(x) := "pos" if x > 0
else := "neg" if x < 0
else := "zero"`);
    expect(rulesOf(p, "t.f")).toEqual([
      '(x) = "pos" { gt(x, 0) } else (x) = "neg" { lt(x, 0) } else (x) = "zero" {  }',
    ]);
  });

  it("rejects rules of different kinds at one path", () => {
    expect(issueLines(compileIssues("package t\np := 1\np contains 2"))).toEqual([
      "rego_type_error a.rego:2:1 conflicting rules data.t.p found",
    ]);
  });

  it("rejects functions of different arity", () => {
    expect(issueLines(compileIssues("package t\nf(x) := 1\nf(x, y) := 2"))).toEqual([
      "rego_type_error a.rego:2:1 conflicting rules data.t.f found",
    ]);
  });

  it("rejects multiple default rules, also across modules", () => {
    expect(
      issueLines(compileIssues("package t\ndefault p := 1", "package t\ndefault p := 2")),
    ).toEqual([
      "rego_type_error a.rego:2:1 multiple default rules data.t.p found at a.rego:2:1, b.rego:2:1",
    ]);
  });

  it("rejects a single-value rule with rules inside it", () => {
    expect(issueLines(compileIssues("package t\np := 1\np.q.r := 2"))).toEqual([
      "rego_type_error a.rego:2:1 rule data.t.p conflicts with [data.t.p.q.r]",
    ]);
    expect(issueLines(compileIssues("package x\np := 1", "package x.p.q\nr := 2"))).toEqual([
      "rego_type_error a.rego:2:1 rule data.x.p conflicts with [data.x.p.q data.x.p.q.r]",
    ]);
  });

  it("allows rules inside the extent of a rule with a variable in its ref", () => {
    const p = compile("package t\np[x] := 1 if x := input.k\np.q := 2");
    expect(p.groups.map((g) => g.path.join("."))).toEqual(["t.p", "t.p.q"]);
  });

  it("rejects rules named like a root document", () => {
    expect(issueLines(compileIssues("package t\ninput := 1"))).toEqual([
      "rego_compile_error a.rego:2:1 rules must not shadow input (use a different rule name)",
    ]);
  });
});
