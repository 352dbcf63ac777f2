// METADATA blocks: YAML read into OPA's annotation fields, attached to the statement below, scopes
// defaulted and checked as OPA does.
import { describe, expect, it } from "vitest";
import { parseModule } from "../../../rego/syntax/index.ts";
import { RegoError } from "../../../rego/errors.ts";

const parse = (...lines: string[]) => parseModule(lines.join("\n"), "m.rego");

function errorsOf(...lines: string[]): string[] {
  try {
    parse(...lines);
  } catch (e) {
    if (!(e instanceof RegoError)) throw e;
    return e.issues.map((i) => `${i.location?.row}:${i.location?.col}: ${i.message}`);
  }
  throw new Error("expected a parse error");
}

describe("METADATA fields", () => {
  it("reads every field OPA knows, in its short and long forms", () => {
    const m = parse(
      "package p",
      "",
      "# METADATA",
      "# title: Allow admins",
      "# description: Lets admins in.",
      "# organizations: [Acme]",
      "# related_resources:",
      "# - https://example.com/runbook",
      "# - ref: https://example.com/doc",
      "#   description: the design",
      "# authors:",
      "# - Jane Q. Doe <jane@example.com>",
      "# - name: John",
      "# - email: ops@example.com",
      "# schemas:",
      "# - input.user: schema.user",
      "# - input.limit: {type: integer}",
      "# custom:",
      "#   severity: high",
      "#   tags: [a, b]",
      "# unknown_key: ignored",
      "allow if input.admin",
    );
    const [a] = m.rules[0]!.annotations!;
    expect(a).toMatchObject({
      loc: { file: "m.rego", row: 3, col: 1 },
      scope: "rule",
      title: "Allow admins",
      description: "Lets admins in.",
      organizations: ["Acme"],
      relatedResources: [
        { ref: "https://example.com/runbook" },
        { ref: "https://example.com/doc", description: "the design" },
      ],
      authors: [
        { name: "Jane Q. Doe", email: "jane@example.com" },
        { name: "John" },
        { email: "ops@example.com" },
      ],
      custom: { severity: "high", tags: ["a", "b"] },
    });
    expect(
      a!.schemas!.map((s) =>
        s.path.map((t) => (t.type === "var" ? t.name : t.type === "string" ? t.value : "?")),
      ),
    ).toEqual([
      ["input", "user"],
      ["input", "limit"],
    ]);
    expect(a!.schemas![0]!.schema).toMatchObject([
      { type: "var", name: "schema" },
      { type: "string", value: "user" },
    ]);
    expect(a!.schemas![1]!.definition).toEqual({ type: "integer" });
    expect(m.annotations).toEqual([a]);
  });

  it("gives a package its package scope, a rule rule scope, and an entrypoint rule document scope", () => {
    const m = parse(
      "# METADATA",
      "# title: the package",
      "package p",
      "",
      "# METADATA",
      "# entrypoint: true",
      "allow if true",
      "",
      "# METADATA",
      "# scope: document",
      "# title: all of deny",
      "deny contains 1 if true",
      "",
      "# METADATA",
      "# title: closer",
      "deny contains 2 if true",
    );
    expect(m.annotations!.map((a) => a.scope)).toEqual(["package", "document", "document", "rule"]);
    expect(m.rules.map((r) => r.annotations?.map((a) => a.scope))).toEqual([
      ["document"],
      ["document"],
      ["rule"],
    ]);
    expect(m.rules[0]!.annotations![0]!.entrypoint).toBe(true);
  });

  it("starts a block only at a column-1 METADATA comment and ends it at a gap or another header", () => {
    const m = parse(
      "package p",
      "# METADATA",
      "# title: first",
      "# METADATA",
      "# description: second",
      "p := 1 # METADATA",
      "",
      "# METADATA",
      "# title: third",
      "",
      "# title: not part of it",
      "q := 2",
    );
    expect(m.rules[0]!.annotations!.map((a) => a.title ?? a.description)).toEqual([
      "first",
      "second",
    ]);
    expect(m.rules[1]!.annotations!.map((a) => a.title)).toEqual(["third"]);
  });
});

describe("METADATA errors (rego_parse_error at the METADATA line)", () => {
  it.each([
    [
      "a package scope on a rule",
      ["package p", "# METADATA", "# scope: package", "p := 1"],
      "2:1: annotation scope 'package' must be applied to package (have rule)",
    ],
    [
      "a rule scope on the package",
      ["# METADATA", "# scope: rule", "package p"],
      "1:1: annotation scope 'rule' must be applied to rule (have package)",
    ],
    [
      "an unknown scope",
      ["package p", "# METADATA", "# scope: everything", "p := 1"],
      "2:1: invalid annotation scope 'everything'. Use one of 'rule', 'document', 'package', or 'subpackages'",
    ],
    [
      "a block above an import",
      ["package p", "# METADATA", "# title: t", "import input.x"],
      "2:1: invalid annotation scope 'import'. Use one of 'rule', 'document', 'package', or 'subpackages'",
    ],
    [
      "a block with nothing below it",
      ["package p", "p := 1", "# METADATA", "# title: t"],
      "3:1: invalid annotation scope ''. Use one of 'rule', 'document', 'package', or 'subpackages'",
    ],
    [
      "an entrypoint in rule scope",
      ["package p", "# METADATA", "# scope: rule", "# entrypoint: true", "p := 1"],
      "2:1: annotation entrypoint applied to non-document or package scope 'rule'",
    ],
    [
      "an empty block",
      ["package p", "# METADATA", "#", "p := 1"],
      "2:1: expected METADATA block, found whitespace",
    ],
    [
      "a block that is not a mapping",
      ["package p", "# METADATA", "# - a", "p := 1"],
      "2:1: invalid METADATA block: expected a mapping",
    ],
    [
      "a title that is a list",
      ["package p", "# METADATA", "# title: [a]", "p := 1"],
      "2:1: invalid METADATA block: title must be a string",
    ],
    [
      "an author without name or email",
      ["package p", "# METADATA", "# authors: [{url: x}]", "p := 1"],
      "2:1: invalid METADATA block: invalid author definition: 'name' and/or 'email' values required in object",
    ],
    [
      "a schema that is not under schema",
      ["package p", "# METADATA", "# schemas: [{input: data.x}]", "p := 1"],
      "2:1: invalid METADATA block: invalid schema reference",
    ],
    [
      "custom data that is not JSON",
      ["package p", "# METADATA", "# custom: {x: .inf}", "p := 1"],
      "2:1: invalid METADATA block: invalid custom: Infinity is not a JSON number",
    ],
  ])("refuses %s", (_, lines, want) => {
    expect(errorsOf(...lines)).toEqual([want]);
  });
});
