// Line coverage of Rego test runs: the instrumented build (CoverStmt + a line table in the Wasm
// module), the figures against hand-counted fixtures, and normal builds left untouched.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildPolicy } from "../../../rego/index.ts";
import { loadPolicyDirectory } from "../../../rego/bundle/index.ts";
import type { Policy } from "../../../rego/plan/ir.ts";
import { forEachStmt } from "../../../rego/wasm/coverage.ts";
import { parseModule } from "../../../rego/syntax/index.ts";
import {
  coverableRows,
  outcomeOf,
  parseDuration,
  runTestsInPaths,
} from "../../../rego/test/index.ts";
import { toRanges } from "../../../rego/test/coverage.ts";

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/policy-test/${name}`, import.meta.url));
const slow = 120_000;

function countCoverStmts(ir: Policy): number {
  let n = 0;
  forEachStmt(ir, (s) => {
    if (s.type === "CoverStmt") n++;
  });
  return n;
}

describe("coverage of a test run", () => {
  it(
    "covers expressions that ran and heads of rules that produced a value (hand-counted)",
    async () => {
      // lib.rego: heads 3 5 7 11 17 23 28 30, expressions 6 8 13 14 18 19 25 31 (12 and 24 are
      // `some ... in`, counted only when they run). The tests reach the else branch of grade
      // (6 runs and fails, so head 5 is not covered; 8 and head 7 are), the comprehension, every
      // and double; not the default (3), by_id (23, 25) or unused (30, 31).
      const report = await runTestsInPaths([fixture("constructs")], { coverage: true });
      expect(report.results.map(outcomeOf)).toEqual(["PASS", "PASS", "PASS", "PASS"]);
      const files = report.coverage!.files;
      const lib = files[`${fixture("constructs")}/lib.rego`]!;
      expect(lib.covered).toEqual(toRanges([6, 7, 8, 11, 12, 13, 14, 17, 18, 19, 28]));
      expect(lib.not_covered).toEqual(toRanges([3, 5, 23, 25, 30, 31]));
      expect(lib.coverage).toBeCloseTo((100 * 11) / 17, 6);
      const tests = files[`${fixture("constructs")}/lib_test.rego`]!;
      expect(tests.covered).toEqual(toRanges([5, 6, 9, 10, 13, 14, 17, 18]));
      expect(tests.not_covered).toBeUndefined();
      expect(report.coverage!.covered_lines).toBe(19);
      expect(report.coverage!.not_covered_lines).toBe(6);
      expect(report.coverage!.coverage).toBeCloseTo(76, 6);
    },
    slow,
  );

  it(
    "runs every kind of mock in a coverage build as in a normal one",
    async () => {
      const [normal, covered] = await Promise.all([
        runTestsInPaths([fixture("mocks")]),
        runTestsInPaths([fixture("mocks")], { coverage: true }),
      ]);
      const outcomes = (r: typeof normal) => r.results.map((t) => [t.name, outcomeOf(t)]);
      expect(outcomes(normal)).toEqual([
        ["test_time_mocked", "PASS"],
        ["test_time_not_expired", "PASS"],
        ["test_function_mocked", "PASS"],
        ["test_builtin_mocked_by_function", "PASS"],
        ["test_input_and_data", "PASS"],
        ["test_base_data_without_mocks", "PASS"],
      ]);
      expect(outcomes(covered)).toEqual(outcomes(normal));
      expect(normal.coverage).toBeUndefined();
      // clock.rego: every line with a rule ran and produced a value under some mock
      const clock = covered.coverage!.files[`${fixture("mocks")}/clock.rego`]!;
      expect(clock.covered).toEqual(toRanges([5, 7, 9, 11]));
      expect(clock.not_covered).toBeUndefined();
    },
    slow,
  );

  it(
    "leaves normal builds without instrumentation and instruments coverage builds",
    () => {
      const { files } = loadPolicyDirectory([fixture("coverage")]);
      const queries = [{ name: "t", query: "x = data.authz_test.test_level_low" }];
      const normal = buildPolicy(files, { queries });
      const instrumented = buildPolicy(files, { queries, coverage: true });
      expect(countCoverStmts(normal.ir)).toBe(0);
      expect(normal.coverage).toBeUndefined();
      expect(countCoverStmts(instrumented.ir)).toBeGreaterThan(0);
      expect(instrumented.coverage!.lines).toContainEqual({
        file: files.find((f) => f.file.endsWith("authz.rego"))!.file,
        row: 20,
      });
      // the same build twice is the same module: the comparison above is between like things
      expect(buildPolicy(files, { queries }).wasm).toEqual(normal.wasm);
      expect(instrumented.wasm).not.toEqual(normal.wasm);
    },
    slow,
  );
});

describe("policies/", () => {
  it(
    "reach at least 90% line coverage with their own tests",
    async () => {
      const policies = fileURLToPath(new URL("../../../policies", import.meta.url));
      const report = await runTestsInPaths([policies], { coverage: true });
      expect(report.exitCode).toBe(0);
      expect(report.coverage!.coverage).toBeGreaterThanOrEqual(90);
    },
    slow,
  );
});

describe("coverable lines", () => {
  it("are rule heads (else included) and expressions, nested ones too, but not `some`", () => {
    const module = parseModule(
      [
        "package p", //                                     1
        "f(x) := y if {", //                                2 head
        "  some z", //                                      3 declaration: not counted
        "  y := [v | some v in x; v > 1]", //               4 expression; 4 again (comprehension)
        "} else := 0", //                                   5 else head
        "q if {", //                                        6 head
        "  every k in input.ks {", //                       7 expression
        "    k != 0", //                                    8 nested expression
        "  }", //                                           9
        "}", //                                             10
      ].join("\n"),
      "p.rego",
    );
    expect([...new Set(coverableRows(module))].sort((a, b) => a - b)).toEqual([2, 4, 5, 6, 7, 8]);
  });

  it("merge into ranges of consecutive rows", () => {
    expect(toRanges([5, 3, 4, 9, 9])).toEqual([
      { start: { row: 3 }, end: { row: 5 } },
      { start: { row: 9 }, end: { row: 9 } },
    ]);
    expect(toRanges([])).toEqual([]);
  });
});

describe("parseDuration", () => {
  it("reads Go durations in nanoseconds and rejects other text", () => {
    expect(parseDuration("5s")).toBe(5e9);
    expect(parseDuration("250ms")).toBe(2.5e8);
    expect(parseDuration("1m30s")).toBe(9e10);
    expect(parseDuration("1.5h")).toBe(5.4e12);
    expect(parseDuration("10us")).toBe(1e4);
    expect(parseDuration("0")).toBe(0);
    for (const bad of ["", "5", "5 s", "s", "1d", "-1s", "1s "]) {
      expect(parseDuration(bad)).toBeUndefined();
    }
  });
});
