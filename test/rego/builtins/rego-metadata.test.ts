// rego.metadata.chain() and rego.metadata.rule(): the compiler replaces them with the rule's
// annotations, so the module evaluates them without any host builtin.
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { buildPolicy, hostBuiltins } from "../../../rego/index.ts";
import { compileIssues, issueLines } from "../compile/helpers.ts";

const root = [
  "# METADATA",
  "# scope: subpackages",
  "# title: everything under org",
  "package org",
].join("\n");

const app = [
  "# METADATA",
  "# description: the app package",
  "package org.app",
  "",
  "# METADATA",
  "# scope: document",
  "# title: all of allow",
  "allow if false",
  "",
  "# METADATA",
  "# title: farther",
  "# METADATA",
  "# title: closest",
  "# authors: [Ann <ann@example.com>]",
  "allow if {",
  "\tchain := rego.metadata.chain()",
  '\tchain[0].annotations.title == "closest"',
  "}",
  "",
  "allow_chain := rego.metadata.chain()",
  "",
  "# METADATA",
  "# title: own",
  "own := rego.metadata.rule()",
  "",
  "none := rego.metadata.rule()",
  "",
  "# METADATA",
  "# title: first branch",
  'branch := "first" if input.first',
  "else := rego.metadata.chain()",
  "",
  "# METADATA",
  "# title: f",
  "f(x) := [x, rego.metadata.rule().title]",
  "",
  "from_function := f(1)",
  "",
  "rule_as_output if rego.metadata.rule(m)",
  "",
  "m_bound := m if rego.metadata.rule(m)",
].join("\n");

let evaluate: (entrypoint: string) => unknown;
let builtinFuncs: string[];

beforeAll(async () => {
  const entrypoints = [
    "org/app/allow",
    "org/app/allow_chain",
    "org/app/own",
    "org/app/none",
    "org/app/branch",
    "org/app/from_function",
    "org/app/rule_as_output",
    "org/app/m_bound",
  ];
  const built = buildPolicy(
    [
      { file: "root.rego", source: root },
      { file: "app.rego", source: app },
    ],
    { entrypoints },
  );
  builtinFuncs = built.ir.static.builtin_funcs.map((b) => b.name);
  const policy = await loadPolicy(built.wasm, undefined, hostBuiltins());
  evaluate = (entrypoint) => (policy.evaluate({}, entrypoint) as { result: unknown }[])[0]?.result;
}, 120_000);

const packageLinks = [
  { path: ["org", "app"], annotations: { scope: "package", description: "the app package" } },
  { path: ["org"], annotations: { scope: "subpackages", title: "everything under org" } },
];

describe("rego.metadata.chain()", () => {
  it("lists the rule's blocks (closest first), the document's, the package's, then subpackages'", () => {
    expect(evaluate("org/app/allow")).toBe(true);
    expect(evaluate("org/app/allow_chain")).toEqual([
      { path: ["org", "app", "allow_chain"] },
      ...packageLinks,
    ]);
  });

  it("gives an else branch no blocks of its own, as OPA does", () => {
    expect(evaluate("org/app/branch")).toEqual([
      { path: ["org", "app", "branch"] },
      ...packageLinks,
    ]);
  });

  it("is compiled to constants: the module imports no metadata builtin", () => {
    expect(builtinFuncs.filter((name) => name.startsWith("rego."))).toEqual([]);
  });
});

describe("rego.metadata.rule()", () => {
  it("is the rule's own rule-scope block, or {} without one", () => {
    expect(evaluate("org/app/own")).toEqual({ scope: "rule", title: "own" });
    expect(evaluate("org/app/none")).toEqual({});
    expect(evaluate("org/app/from_function")).toEqual([1, "f"]);
  });

  it("binds an output argument like any call", () => {
    expect(evaluate("org/app/rule_as_output")).toBe(true);
    expect(evaluate("org/app/m_bound")).toEqual({});
  });
});

describe("metadata outside rules and conflicting blocks", () => {
  it("refuses the call in a query, as OPA does", async () => {
    const built = buildPolicy([{ file: "p.rego", source: "package p" }], {
      queries: [{ name: "q", query: "x := rego.metadata.chain()" }],
      strictBuiltinErrors: true,
    });
    const policy = await loadPolicy(
      built.wasm,
      undefined,
      hostBuiltins({ strictBuiltinErrors: true }),
    );
    expect(() => policy.evaluate({}, "q")).toThrow(
      "eval_builtin_error: rego.metadata.chain: the rego.metadata.chain function must only be called within the scope of a rule",
    );
  }, 60_000);

  it("rejects a second package or document block for the same path", () => {
    const pkg = (title: string) => `# METADATA\n# title: ${title}\npackage p\n`;
    expect(issueLines(compileIssues(pkg("one"), pkg("two")))).toEqual([
      "rego_type_error b.rego:1:1 package annotation redeclared: a.rego:1:1",
    ]);
    const doc =
      "package q\n# METADATA\n# scope: document\nx := 1 if false\n# METADATA\n# scope: document\nx := 2\n";
    expect(issueLines(compileIssues(doc))).toEqual([
      "rego_type_error a.rego:5:1 document annotation redeclared: a.rego:2:1",
    ]);
  });
});
