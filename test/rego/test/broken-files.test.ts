// A file that does not parse or compile is one ERROR result with hints; the files that use it are
// not run (their tests would fail only because its rules are missing), and its result says so.
import { describe, expect, it } from "vitest";
import { undefinedFunctionHint } from "../../../rego/compile/undefined-function-hint.ts";
import { parseModule } from "../../../rego/syntax/index.ts";
import { declaredPackage, filesUsingBroken } from "../../../rego/test/dependents.ts";
import { formatPretty, runTests } from "../../../rego/test/index.ts";

const parsed = (files: Record<string, string>) =>
  Object.entries(files).map(([file, source]) => ({ file, module: parseModule(source, file) }));

describe("filesUsingBroken", () => {
  const files = parsed({
    "lib.rego": "package lib\nf(x) := x\nallow if input.ok\n",
    "lib_test.rego": "package lib_test\nimport data.lib\ntest_f if lib.f(1) == 1\n",
    "same.rego": "package lib\nalso if allow\n",
    "wrapper.rego": "package wrapper\nw if data.lib_test.test_f\n",
    "whole.rego": "package whole\nall := data\n",
    "pkg.rego": "package pkg_user\nx := data.lib\n",
    "other.rego": "package other\nok := data.library.f\n",
  });

  it("finds direct, same-package, indirect, whole-data and package users", () => {
    expect(filesUsingBroken(files, new Set(["lib.rego"]), [])).toEqual(
      new Map([
        ["lib_test.rego", "lib.rego"],
        ["same.rego", "lib.rego"],
        ["whole.rego", "lib.rego"],
        ["pkg.rego", "lib.rego"],
        ["wrapper.rego", "lib.rego"],
      ]),
    );
  });

  it("knows only the package of a file that did not parse: references into it and its package count", () => {
    const rest = files.filter((f) => f.file !== "lib.rego");
    const unparsed = [{ file: "lib.rego", package: ["lib"] }];
    expect([...filesUsingBroken(rest, new Set(["lib.rego"]), unparsed).keys()].sort()).toEqual([
      "lib_test.rego",
      "pkg.rego",
      "same.rego",
      "whole.rego",
      "wrapper.rego",
    ]);
    // without a package line nothing is known of it
    expect(filesUsingBroken(rest, new Set(["lib.rego"]), [{ file: "lib.rego" }])).toEqual(
      new Map(),
    );
  });

  it("finds nothing when nothing is broken", () => {
    expect(filesUsingBroken(files, new Set(), [])).toEqual(new Map());
  });
});

describe("declaredPackage", () => {
  it("reads the package line of a file that does not parse", () => {
    expect(declaredPackage('# c\npackage a.b["c-d"]\n\nallow if {\n')).toEqual(["a", "b", "c-d"]);
    expect(declaredPackage("allow if {\n")).toBeUndefined();
    expect(declaredPackage("package\n")).toBeUndefined();
  });
});

describe("undefinedFunctionHint", () => {
  const hint = (message: string) => undefinedFunctionHint({ code: "rego_type_error", message });

  it("says whether the name is unknown, a removed OPA builtin, a missing data function or print", () => {
    expect(hint("undefined function foo.bar")).toBe(
      "unknown function foo.bar: not an OPA builtin and not defined in any module",
    );
    expect(hint("undefined function cast_array")).toBe(
      "unknown function cast_array: an OPA builtin that was deprecated and removed in Rego v1; Gatehouse does not support it",
    );
    expect(hint("undefined function data.lib.f")).toBe(
      "unknown function data.lib.f: no module defines a function with this name",
    );
    expect(hint("undefined function print")).toBe(
      "print(...) is a statement: it has no value to use",
    );
    expect(hint("var x is unsafe")).toBeUndefined();
    expect(
      undefinedFunctionHint({ code: "rego_parse_error", message: "undefined function f" }),
    ).toBeUndefined();
  });
});

describe("runTests with broken files", { timeout: 120_000 }, () => {
  it("reports a broken file once, naming the files it kept from running, and runs the rest", async () => {
    const report = await runTests([
      { file: "lib.rego", source: "package lib\n\nallow if {\n" },
      { file: "lib_test.rego", source: "package lib\n\ntest_a if allow\n\ntest_b if not allow\n" },
      { file: "calc.rego", source: "package calc\n\ndouble(x) := twice(x)\n" },
      {
        file: "calc_test.rego",
        source: "package calc_test\n\ntest_double if data.calc.double(2) == 4\n",
      },
      { file: "ok_test.rego", source: "package ok_test\n\ntest_ok if true\n" },
    ]);
    expect(report.exitCode).toBe(1);
    expect(formatPretty(report).replace(/\(\d[\d.]*[a-zµ]+\)/g, "(<duration>)")).toBe(
      [
        "lib.rego:4:",
        "lib.rego: ERROR (<duration>)",
        "  lib.rego:4:1: rego_parse_error: unexpected eof token: expected term",
        "  not run: 2 tests in lib_test.rego, which depends on this file",
        "",
        "calc.rego:3:",
        "calc.rego: ERROR (<duration>)",
        "  calc.rego:3:14: rego_type_error: undefined function twice",
        "    hint: unknown function twice: not an OPA builtin and not defined in any module",
        "  not run: 1 test in calc_test.rego, which depends on this file",
        "-".repeat(80),
        "PASS: 1/3",
        "ERROR: 2/3",
        "",
      ].join("\n"),
    );
  });
});
