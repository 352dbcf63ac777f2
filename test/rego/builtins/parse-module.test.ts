// rego.parse_module: a module's AST in OPA's JSON form (no locations), parse errors as builtin
// errors.
import { describe, expect, it } from "vitest";
import { call, errorOf, lenient } from "./helpers.ts";

const ref = (...names: string[]) => ({
  type: "ref",
  value: names.map((n, i) => (i === 0 ? { type: "var", value: n } : { type: "string", value: n })),
});
const v = (name: string) => ({ type: "var", value: name });
const num = (value: number) => ({ type: "number", value });
const base64 = (text: string) => Buffer.from(text).toString("base64");
/** A comment as OPA's JSON writes it: the text after `#`, and its location with the whole text. */
const comment = (row: number, text: string) => ({
  Text: base64(text),
  Location: { file: "x.rego", row, col: 1, text: base64(`#${text}`) },
});

describe("rego.parse_module", () => {
  it("returns package, imports, rules and annotations as OPA writes them", () => {
    const module = call(
      "rego.parse_module",
      "x.rego",
      [
        "package a.b",
        "",
        "import data.lib as l",
        "",
        "# METADATA",
        "# title: max",
        "max := 3",
        "",
        "deny contains msg if {",
        "\tnot input.ok",
        '\tmsg := sprintf("%d", [count(input.xs)])',
        "}",
      ].join("\n"),
    );
    const title = { scope: "rule", title: "max" };
    expect(module).toEqual({
      package: {
        path: [v("data"), { type: "string", value: "a" }, { type: "string", value: "b" }],
      },
      imports: [{ path: ref("data", "lib"), alias: "l" }],
      rules: [
        {
          head: { name: "max", ref: [v("max")], value: num(3), assign: true },
          body: [{ index: 0, terms: { type: "boolean", value: true } }],
          annotations: [title],
        },
        {
          head: { name: "deny", ref: [v("deny")], key: v("msg") },
          body: [
            { index: 0, negated: true, terms: ref("input", "ok") },
            {
              index: 1,
              terms: [
                ref("assign"),
                v("msg"),
                {
                  type: "call",
                  value: [
                    ref("sprintf"),
                    { type: "string", value: "%d" },
                    {
                      type: "array",
                      value: [{ type: "call", value: [ref("count"), ref("input", "xs")] }],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
      annotations: [title],
      comments: [comment(5, " METADATA"), comment(6, " title: max")],
    });
  });

  it("also reads Rego v0 rule bodies, as OPA's conformance case expects", () => {
    const module = call(
      "rego.parse_module",
      "x.rego",
      "package foo\n\np { a = true }\nq[x] { x := 1 }",
    ) as {
      rules: unknown[];
    };
    expect(module.rules).toEqual([
      {
        head: { name: "p", ref: [v("p")], value: { type: "boolean", value: true } },
        body: [{ index: 0, terms: [ref("eq"), v("a"), { type: "boolean", value: true }] }],
      },
      {
        head: { name: "q", ref: [v("q")], key: v("x") },
        body: [{ index: 0, terms: [ref("assign"), v("x"), num(1)] }],
      },
    ]);
  });

  it("keeps number literals exact", () => {
    const module = call(
      "rego.parse_module",
      "x.rego",
      "package p\nn := 12345678901234567890.5",
    ) as {
      rules: { head: { value: { value: unknown } } }[];
    };
    expect(JSON.stringify(module.rules[0]!.head.value.value)).toBe("12345678901234567890.5");
  });

  it("fails with the parse error, or is undefined outside strict mode", () => {
    expect(errorOf("rego.parse_module", "x.rego", "package foo.")).toBe(
      "eval_builtin_error: rego.parse_module: x.rego:1:13: rego_parse_error: unexpected eof token: expected ident",
    );
    expect(lenient["rego.parse_module"]!("x.rego", "package foo.")).toBeUndefined();
    expect(errorOf("rego.parse_module", 1, "package p")).toBe(
      "eval_type_error: rego.parse_module: operand 1 must be string but got number",
    );
  });

  it("refuses module text over 1 MiB characters", () => {
    const big = `package p\n# ${"x".repeat(1 << 20)}`;
    expect(errorOf("rego.parse_module", "x.rego", big)).toMatch(/more than 1048576$/);
  });
});
