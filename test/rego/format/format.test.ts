// Layout rules of `gatehouse policy fmt`, each checked on a small module; the expected texts follow
// what `opa fmt` (OPA 1.x) prints for the same input.
import { describe, expect, it } from "vitest";
import { formatSource } from "../../../rego/format/index.ts";
import { RegoError } from "../../../rego/errors.ts";
import { parseModule } from "../../../rego/syntax/index.ts";

const fmt = (lines: string[]): string => formatSource(lines.join("\n"), "t.rego");
const text = (lines: string[]): string => `${lines.join("\n")}\n`;

describe("policy fmt layout", () => {
  it("indents with tabs, uses := in heads and drops the implicit `= true`", () => {
    expect(
      fmt(["package  a.b", "p = 1", "q := true if {", "    input.x", "    input.y", "}"]),
    ).toBe(text(["package a.b", "", "p := 1", "", "q if {", "\tinput.x", "\tinput.y", "}"]));
  });

  it("writes a one-expression body on the head's line as `if <expr>`, a set term keeps braces", () => {
    expect(fmt(["package p", "", "a if { input.x == 1 }", "", "b if { {1} }"])).toBe(
      text(["package p", "", "a if input.x == 1", "", "b if {", "\t{1}", "}"]),
    );
  });

  it("keeps a body written over several lines as a block", () => {
    expect(fmt(["package p", "", "a if {", "  input.x", "}"])).toBe(
      text(["package p", "", "a if {", "\tinput.x", "}"]),
    );
  });

  it("keeps adjacent one-liners together and separates every other rule by one blank line", () => {
    expect(
      fmt([
        "package p",
        "x := 1",
        "y := 2",
        "",
        "",
        "",
        "default allow := false",
        "allow if input.ok",
        "z if {",
        "\tinput.a",
        "\tinput.b",
        "}",
      ]),
    ).toBe(
      text([
        "package p",
        "",
        "x := 1",
        "y := 2",
        "",
        "default allow := false",
        "",
        "allow if input.ok",
        "",
        "z if {",
        "\tinput.a",
        "\tinput.b",
        "}",
      ]),
    );
  });

  it("puts a blank line before an `else` on its own line and keeps `} else` inline", () => {
    expect(
      fmt([
        "package p",
        "r = 1 if input.a",
        "else = 2 if input.b",
        "else = 3",
        "",
        "s := 1 if {",
        "\tinput.a",
        "} else := 2",
      ]),
    ).toBe(
      text([
        "package p",
        "",
        "r := 1 if input.a",
        "",
        "else := 2 if input.b",
        "",
        "else := 3",
        "",
        "s := 1 if {",
        "\tinput.a",
        "} else := 2",
      ]),
    );
  });

  it("sorts imports within blank-line groups and drops future.keywords next to rego.v1", () => {
    // groups are taken after the drop: the removed line still separates rego.v1 from input.x
    expect(
      fmt([
        "package p",
        "import data.z",
        "import data.a as b # why",
        "",
        "import rego.v1",
        "import future.keywords.in",
        "import input.x",
        "",
        "r := [b, z, x]",
      ]),
    ).toBe(
      text([
        "package p",
        "",
        "import data.a as b # why",
        "import data.z",
        "",
        "import rego.v1",
        "",
        "import input.x",
        "",
        "r := [b, z, x]",
      ]),
    );
  });

  it("spaces operators and parenthesizes nested infix calls", () => {
    expect(
      fmt(["package p", "r if {", "\tx:=1+2*3", "\ty = (x+1)+2", "\tx==y", "\tf((x+1)/2)", "}"]),
    ).toBe(
      text([
        "package p",
        "",
        "r if {",
        "\tx := 1 + (2 * 3)",
        "\ty = (x + 1) + 2",
        "\tx == y",
        "\tf((x + 1) / 2)",
        "}",
      ]),
    );
  });

  it("writes refs with dots where it can and keeps strings as written", () => {
    expect(
      fmt([
        "package p",
        'r if input["a"]["b-c"][x].not == `raw\\n`',
        's := "tab\\t\\u00e9"',
        "t := set()",
        'u := {(1 | 2): "k", "v": [(a | b)]}',
      ]),
    ).toBe(
      text([
        "package p",
        "",
        'r if input.a["b-c"][x].not == `raw\\n`',
        's := "tab\\t\\u00e9"',
        "t := set()",
        'u := {(1 | 2): "k", "v": [(a | b)]}',
      ]),
    );
  });

  it("writes two-segment rule heads in brackets unless the module has deeper ref heads", () => {
    expect(fmt(["package p", "a.b := 1", "c[x] := 2 if x := 1"])).toBe(
      text(["package p", "", 'a["b"] := 1', "c[x] := 2 if x := 1"]),
    );
    expect(fmt(["package p", "a.b := 1", "d.e.f := 2"])).toBe(
      text(["package p", "", "a.b := 1", "d.e.f := 2"]),
    );
  });

  it("lays out collections and call arguments by the rows their elements were on", () => {
    expect(
      fmt([
        "package p",
        "a := [1, 2,",
        "  3]",
        "b := {",
        '  "k": 1}',
        "c := sprintf(",
        '  "%s", [1])',
        'd := concat("/",',
        '  ["x", "y"])',
      ]),
    ).toBe(
      text([
        "package p",
        "",
        "a := [",
        "\t1, 2,",
        "\t3,",
        "]",
        "",
        "b := {",
        '\t"k": 1,',
        "}",
        "",
        'c := sprintf("%s", [1])',
        "",
        "d := concat(",
        '\t"/",',
        '\t["x", "y"],',
        ")",
      ]),
    );
  });

  it("formats comprehensions, every, some and with as opa fmt does", () => {
    expect(
      fmt([
        "package p",
        "r if {",
        "\txs := [x|some x in input.xs;x>1]",
        "\tys := {k:v|some k,v in input.m",
        "\t\tv}",
        "\tevery x in xs {x>0}",
        "\tsome i",
        "\tdata.q with input as {} with data.z as 1",
        "\tdata.q",
        "\t\twith input as {}",
        "}",
      ]),
    ).toBe(
      text([
        "package p",
        "",
        "r if {",
        "\txs := [x | some x in input.xs; x > 1]",
        "\tys := {k: v |",
        "\t\tsome k, v in input.m",
        "\t\tv",
        "\t}",
        "\tevery x in xs { x > 0 }",
        "\tsome i",
        "\tdata.q with input as {} with data.z as 1",
        "\tdata.q",
        "\t\twith input as {}",
        "}",
      ]),
    );
  });

  it("keeps one blank line between body expressions where the source had any", () => {
    expect(fmt(["package p", "r if {", "\tinput.a", "", "", "\tinput.b", "}"])).toBe(
      text(["package p", "", "r if {", "\tinput.a", "", "\tinput.b", "}"]),
    );
  });
});

describe("policy fmt comments", () => {
  const source = [
    "# file header",
    "",
    "# about the package",
    "package p",
    "",
    "import data.lib # the library",
    "",
    "# METADATA",
    "# title: Allow",
    "allow if { # on the head",
    "\t# before the first expression",
    "\tinput.a # after it",
    "\t# before the closing brace",
    "} # after the closing brace",
    "",
    "x := [",
    "\t1, # one",
    "\t# before two",
    "\t2,",
    "]",
    "",
    "# trailing comment at the end",
  ];

  it("keeps every comment in place, METADATA blocks still attached to their rule", () => {
    const out = fmt(source);
    expect(out).toBe(text(source));
    const before = parseModule(source.join("\n"), "t.rego");
    const after = parseModule(out, "t.rego");
    expect(after.rules[0]!.annotations).toMatchObject([{ scope: "rule", title: "Allow" }]);
    expect(after.rules[0]!.annotations).toEqual(before.rules[0]!.annotations);
  });

  it("moves a comment from inside a collapsed term to the end of its line, losing none", () => {
    const out = fmt(["package p", "", "r if f(1, # one", "\t2)"]);
    expect(out).toBe(text(["package p", "", "r if f(", "\t1, # one", "\t2,", ")"]));
    const comments = (s: string) => s.split("\n").filter((l) => l.includes("#")).length;
    expect(comments(out)).toBe(1);
  });
});

describe("policy fmt guarantees", () => {
  it("is stable: formatting formatted text changes nothing", () => {
    const once = fmt(["package p", "a = [1,", "2]", "b if { input.x; input.y } # c"]);
    expect(formatSource(once, "t.rego")).toBe(once);
  });

  it("reports broken Rego with its position and formats nothing", () => {
    let error: unknown;
    try {
      formatSource("package p\n\nr if {\n\tinput.x ==\n}\n", "broken.rego");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RegoError);
    expect((error as RegoError).issues[0]).toMatchObject({
      code: "rego_parse_error",
      location: { file: "broken.rego", row: 5, col: 1 },
    });
  });
});
