// Discovery, verdicts, error parsing and output formats, without compiling anything.
import { describe, expect, it } from "vitest";
import { parseModule } from "../../../rego/syntax/index.ts";
import {
  discoverTests,
  formatDuration,
  formatJson,
  formatPretty,
  parseEvalError,
} from "../../../rego/test/index.ts";
import type { TestReport } from "../../../rego/test/index.ts";
import { separateDuplicateTests } from "../../../rego/test/duplicates.ts";
import { judgeResultSet } from "../../../rego/test/judge.ts";

describe("discoverTests", () => {
  const modules = [
    parseModule(
      `package a.b
test_one if { true }
todo_test_later if { false }
helper := 1
test_one if { 1 == 1 }
test_fn(x) if { x }
test_cases[note] if { some note in ["x", "y"] }
nested.test_deep if { true }
`,
      "one.rego",
    ),
    parseModule(`package c["d-e"]\ntest_quoted if { true }\n`, "two.rego"),
  ];
  const tests = discoverTests(modules);

  it("finds test_ and todo_test_ rules, one per name, with their location", () => {
    expect(tests.map((t) => [t.package, t.name, t.skip])).toEqual([
      ["data.a.b", "test_one", false],
      ["data.a.b", "todo_test_later", true],
      ["data.a.b", "test_cases", false],
      ["data.a.b", "nested.test_deep", false],
      ['data.c["d-e"]', "test_quoted", false],
    ]);
    expect(tests[0]).toMatchObject({ file: "one.rego", row: 2, col: 1 });
    expect(tests[4]!.file).toBe("two.rego");
  });

  it("names the entrypoint by slash path and the rule by its ref", () => {
    expect(tests.map((t) => t.entrypoint)).toEqual([
      "a/b/test_one",
      "a/b/todo_test_later",
      "a/b/test_cases",
      "a/b/nested/test_deep",
      "c/d-e/test_quoted",
    ]);
    expect(tests[3]!.ref).toBe("data.a.b.nested.test_deep");
    expect(tests[4]!.ref).toBe('data.c["d-e"].test_quoted');
  });

  it("marks tests with a variable head part as having sub-tests", () => {
    expect(tests.filter((t) => t.hasSubResults).map((t) => t.name)).toEqual(["test_cases"]);
  });
});

describe("judgeResultSet", () => {
  it("passes only the value true", () => {
    expect(judgeResultSet([{ result: true }], false)).toEqual({ fail: false });
    expect(judgeResultSet([], false)).toEqual({ fail: true });
    expect(judgeResultSet([{ result: false }], false)).toEqual({ fail: true });
    expect(judgeResultSet([{ result: 1 }], false)).toEqual({ fail: true });
    expect(judgeResultSet([{ result: { x: true } }], false)).toEqual({ fail: true });
  });

  it("judges each key of a test with sub-tests", () => {
    const verdict = judgeResultSet([{ result: { b: true, a: false, c: { d: true } } }], true);
    expect(verdict.fail).toBe(true);
    expect(verdict.sub_results).toEqual({
      a: { name: "a", fail: true },
      b: { name: "b" },
      c: { name: "c", sub_results: { d: { name: "d" } } },
    });
  });
});

describe("parseEvalError", () => {
  it("takes location, code and message from opa-wasm's error text", () => {
    expect(
      parseEvalError(
        "x.rego:8: eval_conflict_error: complete rules must not produce multiple outputs",
      ),
    ).toEqual({
      code: "eval_conflict_error",
      message: "complete rules must not produce multiple outputs",
      location: { file: "x.rego", row: 8, col: 0 },
    });
    expect(parseEvalError("eval_builtin_error: div: divide by zero")).toEqual({
      code: "eval_builtin_error",
      message: "div: divide by zero",
    });
    expect(parseEvalError("timed out after 5 ms")).toEqual({ message: "timed out after 5 ms" });
  });
});

describe("formatDuration", () => {
  it("prints like Go's time.Duration", () => {
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(850)).toBe("850ns");
    expect(formatDuration(12_500)).toBe("12.5µs");
    expect(formatDuration(1_000)).toBe("1µs");
    expect(formatDuration(1_234_567)).toBe("1.234567ms");
    expect(formatDuration(2_500_000_000)).toBe("2.5s");
    expect(formatDuration(63_000_000_001)).toBe("1m3.000000001s");
    expect(formatDuration(3_600_000_000_000)).toBe("1h0m0s");
  });
});

const report: TestReport = {
  exitCode: 1,
  results: [
    {
      location: { file: "a.rego", row: 3, col: 1 },
      package: "data.a",
      name: "test_ok",
      duration: 1500,
    },
    {
      location: { file: "a.rego", row: 4, col: 1 },
      package: "data.a",
      name: "test_bad",
      fail: true,
      duration: 2000,
    },
    {
      location: { file: "a.rego", row: 5, col: 1 },
      package: "data.a",
      name: "todo_test_x",
      skip: true,
      duration: 0,
    },
    {
      location: { file: "b.rego", row: 2, col: 1 },
      package: "data.b",
      name: "test_err",
      error: {
        code: "eval_conflict_error",
        message: "complete rules must not produce multiple outputs",
        location: { file: "b.rego", row: 9, col: 0 },
      },
      duration: 3000,
    },
    {
      location: { file: "c.rego", row: 2, col: 18 },
      package: "data.c",
      name: "",
      error: {
        code: "rego_unsafe_var_error",
        message: "c.rego:2:18: rego_unsafe_var_error: var x is unsafe",
      },
      duration: 0,
    },
  ],
};

describe("formatPretty", () => {
  it("lists the tests that did not pass under their file:row, then the counts", () => {
    expect(formatPretty(report)).toBe(
      [
        "a.rego:4:",
        "data.a.test_bad: FAIL (2µs)",
        "a.rego:5:",
        "data.a.todo_test_x: SKIPPED",
        "",
        "b.rego:2:",
        "data.b.test_err: ERROR (3µs)",
        "  b.rego:9: eval_conflict_error: complete rules must not produce multiple outputs",
        "",
        "c.rego:2:",
        "c.rego: ERROR (0s)",
        "  c.rego:2:18: rego_unsafe_var_error: var x is unsafe",
        "-".repeat(80),
        "PASS: 1/5",
        "FAIL: 1/5",
        "SKIPPED: 1/5",
        "ERROR: 2/5",
        "",
      ].join("\n"),
    );
  });

  it("lists passing tests too when verbose, and prints only counts when all pass quietly", () => {
    expect(formatPretty(report, { verbose: true })).toContain(
      "a.rego:3:\ndata.a.test_ok: PASS (1.5µs)\n",
    );
    const passing: TestReport = { exitCode: 0, results: [report.results[0]!] };
    expect(formatPretty(passing)).toBe("PASS: 1/1\n");
  });

  it("counts sub-tests one each and shows the failing ones", () => {
    const withSubs: TestReport = {
      exitCode: 1,
      results: [
        {
          location: { file: "a.rego", row: 1, col: 1 },
          package: "data.a",
          name: "test_cases",
          fail: true,
          duration: 0,
          sub_results: { x: { name: "x" }, y: { name: "y", fail: true } },
        },
      ],
    };
    const text = formatPretty(withSubs);
    expect(text).toContain("data.a.test_cases: FAIL (0s)\n  y: FAIL\n");
    expect(text).not.toContain("x: PASS");
    expect(text).toContain("PASS: 1/2\nFAIL: 1/2\n");
  });
});

describe("formatJson", () => {
  it("writes opa test's result objects, leaving out false fields", () => {
    const parsed = JSON.parse(formatJson(report));
    expect(parsed[0]).toEqual({
      location: { file: "a.rego", row: 3, col: 1 },
      package: "data.a",
      name: "test_ok",
      duration: 1500,
    });
    expect(parsed[1].fail).toBe(true);
    expect(parsed[2].skip).toBe(true);
    expect(parsed[3].error).toEqual({
      code: "eval_conflict_error",
      message: "complete rules must not produce multiple outputs",
      location: { file: "b.rego", row: 9, col: 0 },
    });
    expect(Object.keys(parsed[3])).toEqual(["error", "location", "package", "name", "duration"]);
  });
});

describe("separateDuplicateTests", () => {
  it("renames the later definitions of a test in every file of the package, and reports them as test_x#NN", () => {
    const files = [
      {
        file: "a.rego",
        source:
          "package p\ntest_x if { true }\ntest_x if { false }\ntodo_test_y if { 1 }\ntodo_test_y if { 2 }\n",
      },
      { file: "b.rego", source: "package p\n# ünïcode\n  test_x if { 1 == 1 }\n" },
      { file: "c.rego", source: "package q\ntest_x if { true }\n" },
    ];
    const separated = separateDuplicateTests(files);
    expect(separated[2]).toBe(files[2]);
    const tests = discoverTests(separated.map((f) => parseModule(f.source, f.file)));
    expect(tests.map((t) => `${t.package}.${t.name}@${t.file}:${t.row}`)).toEqual([
      "data.p.test_x@a.rego:2",
      "data.p.test_x#01@a.rego:3",
      "data.p.todo_test_y@a.rego:4",
      "data.p.test_x#02@b.rego:3",
      "data.q.test_x@c.rego:2",
    ]);
    expect(new Set(tests.map((t) => t.entrypoint)).size).toBe(tests.length);
  });
});
