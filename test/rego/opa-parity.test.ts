// Behaviours that differed from OPA (issue 17), each checked through the whole toolchain: parse,
// compile, plan, Wasm, evaluated by @open-policy-agent/opa-wasm with the host builtins.
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { buildPolicy, hostBuiltins } from "../../rego/index.ts";
import { RegoError } from "../../rego/errors.ts";

/** The value of `data.<entrypoint>` (undefined when the document is undefined). */
async function evaluate(source: string, entrypoint: string, input?: unknown): Promise<unknown> {
  const built = buildPolicy([{ file: "p.rego", source }], {
    entrypoints: [entrypoint],
    strictBuiltinErrors: true,
  });
  const policy = await loadPolicy(
    built.wasm,
    undefined,
    hostBuiltins({ strictBuiltinErrors: true }),
  );
  const results = policy.evaluate(input ?? {}, entrypoint) as { result: unknown }[];
  return results[0]?.result;
}

async function evaluationError(source: string, entrypoint: string, input?: unknown) {
  try {
    return `no error, result ${JSON.stringify(await evaluate(source, entrypoint, input))}`;
  } catch (err) {
    return err instanceof Error ? err.message : String(err); // opa-wasm throws the abort text
  }
}

function parseErrors(source: string): string {
  try {
    buildPolicy([{ file: "p.rego", source }], { entrypoints: ["p"] });
    return "no error";
  } catch (err) {
    if (err instanceof RegoError) return err.message;
    throw err;
  }
}

describe("a package without rules", () => {
  it("is the empty document {}, not undefined", async () => {
    const source = "package test\n\nimport data.foo\nimport input.bar\n";
    expect(await evaluate(source, "test")).toEqual({});
  });

  it("is an empty object inside its parent's document", async () => {
    const source = "package a.b\n\nimport data.foo\n";
    expect(await evaluate(source, "a")).toEqual({ b: {} });
  });
});

describe("else in a v1 module", () => {
  it("needs `if` before its body", () => {
    const source = "package p\n\nx := 1 if {\n\tfalse\n} else = 5 {\n\ttrue\n}\n";
    expect(parseErrors(source)).toBe(
      "p.rego:5:3: rego_parse_error: `if` keyword is required before rule body",
    );
  });

  it("names a function's body as such", () => {
    const source = "package p\n\nf(x) := 1 if {\n\tx\n} else := 2 {\n\ttrue\n}\n";
    expect(parseErrors(source)).toBe(
      "p.rego:5:3: rego_parse_error: `if` keyword is required before function body",
    );
  });

  it("is accepted with `if`, or with a value and no body", async () => {
    const source =
      "package p\n\nx := 1 if { false } else = 5 if { true }\n\ny := 1 if { false } else := 2\n";
    expect(await evaluate(source, "p")).toEqual({ x: 5, y: 2 });
  });
});

describe("builtins", () => {
  it("semver.is_valid of a number is false", async () => {
    expect(await evaluate("package p\n\nx := semver.is_valid(1)\n", "p/x")).toBe(false);
    expect(await evaluate("package p\n\nx := semver.is_valid(input.v)\n", "p/x", { v: 1 })).toBe(
      false,
    );
  });

  it("sprintf keeps the text of numbers beyond float64", async () => {
    const source = 'package p\n\nx := sprintf("%v %v", [2e308, [-1e400]])\n';
    expect(await evaluate(source, "p/x")).toBe("2e308 [-1e400]");
  });

  it("json.remove and json.filter name the type of a bad path as OPA does", async () => {
    const remove = 'package p\n\nx := json.remove({"a": 1}, [input.v])\n';
    expect(await evaluationError(remove, "p/x", { v: 1 })).toContain(
      "eval_type_error: json.remove: operand 2 must be one of {set, array} containing string " +
        "paths or array of path segments but got number",
    );
    const filter = 'package p\n\nx := json.filter({"a": 1}, {input.v})\n';
    expect(await evaluationError(filter, "p/x", { v: {} })).toContain(
      "eval_type_error: json.filter: operand 2 must be one of {set, array} containing string " +
        "paths or array of path segments but got object",
    );
    const paths = 'package p\n\nx := json.remove({"a": 1}, input.v)\n';
    expect(await evaluationError(paths, "p/x", { v: 1 })).toContain(
      "eval_type_error: json.remove: operand 2 must be one of {set, array} but got number",
    );
  });

  it("lower and upper map each letter on its own (no Greek final-sigma rule)", async () => {
    const source = 'package p\n\nx := [lower("ὈΔΥΣΣΕΎΣ"), upper("ὀδυσσεύς")]\n';
    expect(await evaluate(source, "p/x")).toEqual(["ὀδυσσεύσ", "ὈΔΥΣΣΕΎΣ"]);
  });

  it("regex.globs_match is true when some non-empty string matches both patterns", async () => {
    const source =
      'package p\n\nx := [regex.globs_match("a.a.[0-9]+z", ".b.b2359825792*594823z"), ' +
      'regex.globs_match("[a-z]+", "[0-9]*")]\n';
    expect(await evaluate(source, "p/x")).toEqual([true, false]);
  });
});
