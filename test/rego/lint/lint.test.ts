// Each lint rule on a module that has the problem and on one that does not.
import { describe, expect, it } from "vitest";
import { lintModules, type LintFinding, type LintOptions } from "../../../rego/lint/index.ts";
import { parseModule } from "../../../rego/syntax/index.ts";

function lint(sources: string[], options: LintOptions = {}): LintFinding[] {
  return lintModules(
    sources.map((s, i) => parseModule(s, `m${i}.rego`)),
    options,
  );
}

/** `rule@row:col` of each finding, for compact expectations. */
function found(sources: string[], options: LintOptions = {}): string[] {
  return lint(sources, options).map((f) => `${f.rule}@${f.location.row}:${f.location.col}`);
}

describe("lint/unused-rule", () => {
  it("reports functions and _ rules nothing refers to, not public rules or tests", () => {
    const src = [
      "package p",
      "_helper := 1", // 2
      "f(x) := x", // 3
      "public := 2",
      "test_public if public == 2",
      "used(x) := x",
      "r := used(1)",
    ].join("\n");
    expect(found([src])).toEqual(["unused-rule@2:1", "unused-rule@3:1"]);
    expect(lint([src])[1]!.severity).toBe("warning");
  });

  it("counts references from other packages through imports, aliases and data refs", () => {
    const lib = ["package lib", "f(x) := x", "g(x) := x", "_h := 1"].join("\n");
    const app = [
      "package app",
      "import data.lib as l",
      "a := l.f(1)",
      "b := data.lib.g(2)",
      "c := data.lib._h",
    ].join("\n");
    expect(found([lib, app])).toEqual([]);
  });

  it("with entrypoints, reports every rule outside them that nothing refers to", () => {
    const src = [
      "package p",
      "decision := {'allow': allow}".replace(/'/g, '"'),
      "allow if input.ok",
      "stray := 1",
    ].join("\n");
    expect(found([src], { entrypoints: ["p/decision"] })).toEqual(["unused-rule@4:1"]);
    expect(found([src])).toEqual([]);
  });
});

describe("lint/unused-import", () => {
  it("reports an import the module never uses", () => {
    expect(found(["package p\nimport data.a\nimport data.b\nx := a.y"])).toEqual([
      "unused-import@3:1",
    ]);
  });
  it("accepts rego.v1 and used aliases", () => {
    expect(found(["package p\nimport rego.v1\nimport data.a as z\nx := z"])).toEqual([]);
  });
});

describe("lint/shadowed-import and lint/shadowed-builtin", () => {
  it("reports rules, arguments and locals named like an import", () => {
    const src = [
      "package p",
      "import data.roles",
      "import data.lib.tools",
      "roles_of(roles) := roles", // 4: argument
      "r if {",
      "\tsome roles in input.x", // 6
      "\troles == roles_of(1)",
      "}",
      "tools := 1", // 9: rule
    ].join("\n");
    expect(found([src])).toEqual([
      "unused-import@3:1", // the rule hides it
      "shadowed-import@4:10",
      "shadowed-import@6:7",
      "shadowed-import@9:1",
    ]);
  });

  it("reports names of builtins and builtin namespaces", () => {
    const src = ["package p", "count := 1", "r if {", "\ttime := 2", "\ttime > 1", "}"].join("\n");
    expect(found([src])).toEqual(["shadowed-builtin@2:1", "shadowed-builtin@4:2"]);
  });

  it("accepts names that shadow nothing", () => {
    expect(found(["package p\nimport data.a\nr if {\n\tx := a.b\n\tx\n}"])).toEqual([]);
  });
});

describe("lint/default-allow-true", () => {
  it("reports allow-like defaults that are true, as errors", () => {
    const src = [
      "package p",
      "default allow := true",
      "default is_permitted := true",
      'default decision := {"allow": true}',
    ].join("\n");
    expect(found([src])).toEqual([
      "default-allow-true@2:1",
      "default-allow-true@3:1",
      "default-allow-true@4:1",
    ]);
    expect(lint([src]).every((f) => f.severity === "error")).toBe(true);
  });

  it("accepts false defaults and true defaults of other decisions", () => {
    expect(
      found(["package p\ndefault allow := false\ndefault deny := true\ndefault allowance := true"]),
    ).toEqual([]);
  });
});

describe("lint/never-true", () => {
  it.each([
    ["false", "r if false"],
    ["distinct numbers", "r if 1 == 2"],
    ["distinct strings", 'r if "a" == "b"'],
    ["constant inequality", 'r if "a" != "a"'],
    ["negated true", "r if not true"],
    ["ordering of constants", "r if 2 < 1"],
    ["self inequality", "r if input.x != input.x"],
    ["big integers compared exactly", "r if 28857836529306024611913 == 28857836529306024611912"],
  ])("reports a body with %s", (_, rule) => {
    const findings = lint([`package p\n${rule}`]);
    expect(findings.map((f) => [f.rule, f.severity, f.location.row])).toEqual([
      ["never-true", "error", 2],
    ]);
  });

  it("reports contradictory equalities on one value", () => {
    const src = [
      "package p",
      "r if {",
      '\tinput.role == "admin"',
      '\t"guest" = input.role',
      "}",
    ].join("\n");
    expect(found([src])).toEqual(["never-true@4:2"]);
    expect(lint([src])[0]!.message).toContain('input.role cannot be both "admin" and "guest"');
  });

  it("reports else branches and comprehensions that can never produce anything", () => {
    const src = [
      "package p",
      "r := 1 if input.a",
      "else := 2 if false", // 3
      "s := [x | some x in input.xs; 1 == 0]", // 4
    ].join("\n");
    expect(lint([src]).map((f) => [f.location.row, f.message.split(", so ")[1]])).toEqual([
      [3, "this else branch of r is never taken: fix the condition or remove it"],
      [4, "this comprehension in s is always empty: fix the condition or remove it"],
    ]);
  });

  it("accepts conditions that depend on the input", () => {
    const src = [
      "package p",
      "r if {",
      '\tinput.items[_].name == "a"', // each _ is a new variable
      '\tinput.items[_].name == "b"',
      "\t1 == 1",
      "\tnot false",
      "\tinput.x != 1",
      "}",
      "s if { some v in input.xs; v == 1; v != 2 }",
      "t if 1 == 1.0",
    ].join("\n");
    expect(found([src])).toEqual([]);
  });
});

describe("lint/self-comparison", () => {
  it("reports a value compared with itself", () => {
    expect(found(["package p\nr if input.x == input.x"])).toEqual(["self-comparison@2:6"]);
  });
  it("accepts comparisons of different values", () => {
    expect(found(["package p\nr if input.x == input.y"])).toEqual([]);
  });
});

describe("lint over policies/", () => {
  it("finds nothing in the default policy set", async () => {
    const { loadPolicyDirectory } = await import("../../../rego/bundle/index.ts");
    const dir = new URL("../../../policies", import.meta.url).pathname;
    const modules = loadPolicyDirectory([dir]).files.map((f) => parseModule(f.source, f.file));
    expect(
      lintModules(modules).map((f) => `${f.location.file}:${f.location.row}: ${f.message}`),
    ).toEqual([]);
    expect(lintModules(modules, { entrypoints: ["gatehouse/decision"] })).toEqual([]);
  });
});
