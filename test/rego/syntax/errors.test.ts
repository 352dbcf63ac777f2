import { describe, expect, it } from "vitest";
import { parseModule, parseQuery, parseTerm } from "../../../rego/syntax/index.ts";
import { RegoError } from "../../../rego/errors.ts";
import { issuesOf } from "./helpers.ts";

/** `row:col: message` of each issue parsing `source` as a module. */
function moduleErrors(source: string): string[] {
  return issuesOf(() => parseModule(source, "e.rego")).map((i) => {
    expect(i.code).toBe("rego_parse_error");
    expect(i.location?.file).toBe("e.rego");
    return `${i.location!.row}:${i.location!.col}: ${i.message}`;
  });
}

describe("parse errors", () => {
  it.each([
    ["unclosed string", 'package p\n\nx := 1\ny := "abc\n', ["4:6: non-terminated string"]],
    [
      "unclosed string mid-line",
      'package p\n\np if {\n\tx := "oops\n}\n',
      ["4:7: non-terminated string"],
    ],
    ["unclosed raw string", "package p\nx := `abc\n", ["2:6: non-terminated string"]],
    ["bad escape", 'package p\nx := "a\\qb"', ["2:6: illegal escape sequence"]],
    ["unexpected token", "package p\np if { x := }", ["2:13: unexpected } token: expected term"]],
    ["missing if", "package p\n\np { true }", ["3:1: `if` keyword is required before rule body"]],
    [
      "missing if (function)",
      "package p\nf(x) { x }",
      ["2:1: `if` keyword is required before function body"],
    ],
    [
      "v0 partial set",
      "package p\np[x] { x := 1 }",
      [
        "2:1: `contains` keyword is required for partial set rules",
        "2:1: `if` keyword is required before rule body",
      ],
    ],
    [
      "unclosed array",
      "package p\nx := [1, 2",
      ['2:11: unexpected eof token: expected "," or "]"'],
    ],
    [
      "unclosed body",
      "package p\np if {\n  x := 1\n",
      ["4:1: unexpected eof token: expected term"],
    ],
    [
      "two expressions on a line",
      "package p\np if { a b }",
      ["2:10: unexpected identifier token: expected \\n or ; or }"],
    ],
    ["empty body", "package p\np if { x | }", ["2:12: unexpected } token: expected term"]],
    [
      "keyword as variable",
      "package p\np if { if := 1 }",
      ["2:8: unexpected if keyword: expected term"],
    ],
    ["keyword as rule name", "package p\nin := 1", ["2:1: unexpected in keyword: expected rule"]],
    ["bare rule name", "package p\np", ["2:1: var cannot be used for rule name"]],
    ["missing package", "p := 1", ["1:1: package expected"]],
    ["second package", "package p\npackage q", ["2:1: unexpected package"]],
    ["empty module", "# just a comment\n", ["2:1: empty module"]],
    [
      "leading zero",
      "package p\nx := 012",
      ["2:6: unexpected number token: expected number without leading zero"],
    ],
    ["bad number", "package p\nx := 1.e5", ["2:6: expected fraction"]],
    [
      "unary minus on a var",
      "package p\nx := -y",
      ["2:7: unexpected identifier token: expected number"],
    ],
    [
      "negated some",
      "package p\np if { not some x }",
      ["2:12: unexpected some keyword: illegal negation of 'some'"],
    ],
    [
      "every without body",
      "package p\np if { every x in xs }",
      ["2:22: unexpected } token: missing body"],
    ],
    [
      "every on non-var",
      "package p\np if { every 1 in xs { true } }",
      ["2:22: unexpected { token: expected value to be a variable"],
    ],
    [
      "with without as",
      "package p\np if { x with input 1 }",
      ["2:21: unexpected number token: expected as keyword"],
    ],
    ["illegal character", "package p\nx := 1 ! 2", ["2:8: illegal ! character"]],
    ["non-ascii outside strings", "package p\nx := é", ["2:6: illegal token"]],
    ["unterminated parenthesis", "package p\nx := (1 + 2", ["2:12: non-terminated expression"]],
    [
      "default with a var",
      "package p\ndefault p := x",
      ["2:1: illegal default rule (value cannot contain var)"],
    ],
    [
      "default without value",
      "package p\ndefault p",
      ["2:1: illegal default rule (must have a value)"],
    ],
    [
      "else on multi-value rule",
      "package p\np contains 1 if true else := 2",
      ["2:22: else keyword cannot be used on multi-value rules"],
    ],
    [
      "bad import root",
      "package p\nimport foo.bar",
      [
        "2:8: unexpected import path, must begin with one of: {data, future, input, rego}, got: foo",
      ],
    ],
    [
      "bad rego import",
      "package p\nimport rego.v2",
      ["2:8: invalid import `rego.v2`, must be `rego.v1`"],
    ],
    [
      "bad future import",
      "package p\nimport future.keywords.nope",
      ["2:8: unexpected keyword, must be one of [contains every if in]"],
    ],
    [
      "aliased future import",
      "package p\nimport future.keywords as k",
      ["2:8: `future` imports cannot be aliased"],
    ],
    [
      "ref with space after dot",
      "package p\nx := input. a",
      ["2:12: unexpected whitespace token: expected ident"],
    ],
    [
      "ref ending in a dot",
      "package p\nx := input.",
      ["2:12: unexpected eof token: expected ident"],
    ],
    ["illegal ref head", 'package p\nx := "a".b', ["2:6: illegal ref (head cannot be string)"]],
  ])("%s", (_, source, want) => {
    expect(moduleErrors(source)).toEqual(want);
  });

  it("collects errors from several statements", () => {
    const errs = moduleErrors(
      "package p\n\na if { x := }\n\nb := [1,\nc := 2\nd { true }\ne := 1\n",
    );
    expect(errs).toEqual([
      "3:13: unexpected } token: expected term",
      '6:3: unexpected assign token: expected "," or "]"',
      "7:1: `if` keyword is required before rule body",
    ]);
  });

  it("reports every problem in one RegoError with file:row:col in its message", () => {
    try {
      parseModule("package p\np { true }\nq { true }", "two.rego");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RegoError);
      const err = e as RegoError;
      expect(err.code).toBe("rego_parse_error");
      expect(err.issues).toHaveLength(2);
      expect(err.message).toContain(
        "two.rego:2:1: rego_parse_error: `if` keyword is required before rule body",
      );
      expect(err.message).toContain("two.rego:3:1:");
    }
  });

  it("reports query and term errors", () => {
    expect(issuesOf(() => parseQuery("x :=")).map((i) => i.message)).toEqual([
      "unexpected eof token: expected term",
    ]);
    expect(issuesOf(() => parseQuery("")).map((i) => i.location)).toEqual([
      { file: "<query>", row: 1, col: 1 },
    ]);
    expect(issuesOf(() => parseTerm("[1, 2] x"))[0]!.message).toBe(
      "unexpected identifier token: expected end of term",
    );
  });

  it("rejects bad METADATA yaml", () => {
    const [issue] = issuesOf(() =>
      parseModule("package p\n# METADATA\n# title: [unclosed\np := 1\n", "m.rego"),
    );
    expect(issue).toMatchObject({ code: "rego_parse_error", location: { row: 2, col: 1 } });
    expect(issue!.message).toMatch(/^invalid METADATA block/);
  });
});

describe("garbage input", () => {
  const seed = `package gatehouse.fuzz

import rego.v1

default allow := false

allow if {
	input.user.roles[_] == "admin"
	count({r | some r in input.roles; startswith(r, "x")}) > 0
	not deny with input.x as [1, 2.5e3, "s\\u00e9"]
}

deny contains msg if {
	some k, v in input.args
	every x in v { x != k }
	msg := sprintf("%s", [\`raw\`])
}

f(x) := y if { y := x * 2 - -1 } else := 0
`;

  function mustFailCleanly(source: string): void {
    for (const parse of [
      () => parseModule(source, "f.rego"),
      () => parseQuery(source),
      () => parseTerm(source),
    ]) {
      try {
        parse();
      } catch (e) {
        if (!(e instanceof RegoError))
          throw new Error(`non-RegoError for ${JSON.stringify(source)}: ${String(e)}`);
        for (const i of e.issues) {
          expect(i.location!.row).toBeGreaterThanOrEqual(1);
          expect(i.location!.col).toBeGreaterThanOrEqual(1);
          expect(i.message).not.toBe("");
        }
      }
    }
  }

  it("parses the seed", () => {
    expect(parseModule(seed, "f.rego").rules).toHaveLength(4);
  });

  it("survives every truncation of a policy", () => {
    for (let cut = 0; cut < seed.length; cut++) mustFailCleanly(seed.slice(0, cut));
  });

  it("survives random edits and random bytes", () => {
    let s = 7;
    const rnd = (n: number) => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return s % n;
    };
    const alphabet =
      '{}[]()|&=:;,."`\\#\n \t-+*/%<>!abxyz019_ifelsecontainsinsomeeverynotwith$é😀\u0000\r';
    for (let k = 0; k < 1500; k++) {
      let m = seed;
      for (let e = 1 + rnd(4); e > 0; e--) {
        const p = rnd(m.length + 1);
        m =
          rnd(2) === 0
            ? m.slice(0, p) + alphabet[rnd(alphabet.length)] + m.slice(p)
            : m.slice(0, p) + m.slice(p + 1 + rnd(8));
      }
      mustFailCleanly(m);
      let r = "";
      for (let j = rnd(80); j > 0; j--) r += alphabet[rnd(alphabet.length)];
      mustFailCleanly(r);
    }
  });

  it("bounds nesting depth instead of overflowing the stack", () => {
    for (const open of ["[", "{", "(", "f(", "[a | ", "{a: "]) {
      const src = `package p\nx := ${open.repeat(50_000)}1`;
      expect(issuesOf(() => parseModule(src, "d.rego"))[0]!.message).toBe(
        "max parsing recursion depth exceeded",
      );
    }
    const everys = `package p\np if { ${"every x in y { ".repeat(50_000)}`;
    expect(issuesOf(() => parseModule(everys, "d.rego"))[0]!.message).toBe(
      "max parsing recursion depth exceeded",
    );
    const deep = `package p\nx := ${"[".repeat(100)}1${"]".repeat(100)}`;
    expect(parseModule(deep, "d.rego").rules).toHaveLength(1);
    const elses = `package p\nf(x) := 1 if false ${"else := 1 if false ".repeat(5000)}`;
    expect(parseModule(elses, "d.rego").rules).toHaveLength(1);
  });
});
