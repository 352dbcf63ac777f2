// runTests end to end: compile with the real toolchain, evaluate with opa-wasm in a worker thread.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  formatJson,
  formatPretty,
  outcomeOf,
  runTests,
  runTestsInPaths,
} from "../../../rego/test/index.ts";
import type { TestReport, TestResult } from "../../../rego/test/index.ts";

const slow = 600_000;

const library = {
  file: "lib.rego",
  source: `package lib
limit := 10
allowed if input.user == "alice"
double(x) := 2 * x
answer := v if { some v in data.numbers; v >= 2 }
`,
};

const suite = {
  file: "lib_test.rego",
  source: `package lib_test
import data.lib

test_passes if { lib.double(2) == 4 }
test_fails if { lib.double(2) == 5 }
test_undefined_fails if { lib.allowed }
test_non_boolean_fails := 7
todo_test_not_yet if { false }
test_input_mock if { lib.allowed with input as {"user": "alice"} }
test_data_mock if { lib.limit == 3 with data.lib.limit as 3 }
test_base_data if { data.numbers == [1, 2, 3] }
test_conflict_errors if { lib.answer }
test_forever if {
  every i in numbers.range(1, 1000000) { every j in numbers.range(1, 1000000) { j > 0 } }
}
test_after_timeout if { lib.double(1) == 2 }
test_cases[note] if { some note in ["one", "two"] }
test_twice if { true }
test_twice if { false }
test_cases_failing[note] := ok if { some note in ["one", "two"]; ok := note == "one" }
`,
};

const broken = {
  file: "broken_test.rego",
  source: `package broken_test
test_unsafe if { x }
`,
};

const unparsable = { file: "unparsable.rego", source: "package unparsable\ntest_x if {\n" };

function byName(report: TestReport, name: string): TestResult {
  const found = report.results.find((r) => r.name === name);
  if (!found)
    throw new Error(`no result named ${name} in ${report.results.map((r) => r.name).join(", ")}`);
  return found;
}

describe("runTests", () => {
  let report: TestReport;
  beforeAll(async () => {
    report = await runTests([library, suite, broken, unparsable], {
      data: { numbers: [1, 2, 3] },
      timeoutMs: 3000,
      // the time limit, not the evaluation budget, must stop test_forever here
      budget: Number.MAX_SAFE_INTEGER,
    });
  }, slow);

  it("passes a test whose value is true and fails false, undefined and non-boolean values", () => {
    expect(outcomeOf(byName(report, "test_passes"))).toBe("PASS");
    expect(outcomeOf(byName(report, "test_fails"))).toBe("FAIL");
    expect(outcomeOf(byName(report, "test_undefined_fails"))).toBe("FAIL");
    expect(outcomeOf(byName(report, "test_non_boolean_fails"))).toBe("FAIL");
  });

  it("skips todo_test_ rules without running them", () => {
    const skipped = byName(report, "todo_test_not_yet");
    expect(skipped.skip).toBe(true);
    expect(skipped.duration).toBe(0);
  });

  it("applies with-mocks of input and data, and the base data given", () => {
    expect(outcomeOf(byName(report, "test_input_mock"))).toBe("PASS");
    expect(outcomeOf(byName(report, "test_data_mock"))).toBe("PASS");
    expect(outcomeOf(byName(report, "test_base_data"))).toBe("PASS");
  });

  it("reports an evaluation error with its code", () => {
    const conflict = byName(report, "test_conflict_errors");
    expect(outcomeOf(conflict)).toBe("ERROR");
    expect(conflict.error?.code).toBe("eval_conflict_error");
  });

  it("stops a test that does not terminate and goes on with the next in a fresh worker", () => {
    const forever = byName(report, "test_forever");
    expect(forever.error?.message).toBe("timed out after 3000 ms");
    expect(outcomeOf(byName(report, "test_after_timeout"))).toBe("PASS");
  });

  it("judges each key of a test with a variable head", () => {
    const cases = byName(report, "test_cases");
    expect(outcomeOf(cases)).toBe("PASS");
    expect(Object.keys(cases.sub_results ?? {})).toEqual(["one", "two"]);
    const failing = byName(report, "test_cases_failing");
    expect(outcomeOf(failing)).toBe("FAIL");
    expect(failing.sub_results).toEqual({ one: { name: "one" }, two: { name: "two", fail: true } });
  });

  it("runs each definition of a test defined twice as its own test, named as OPA names it", () => {
    expect(outcomeOf(byName(report, "test_twice"))).toBe("PASS");
    const second = byName(report, "test_twice#01");
    expect(outcomeOf(second)).toBe("FAIL");
    expect(second.location?.row).toBe(byName(report, "test_twice").location!.row + 1);
  });

  it("reports each broken file as one error with its problems and still runs the others", () => {
    const files = report.results
      .filter((r) => r.name === "")
      .map((r) => [r.location?.file, r.error?.code]);
    expect(files).toEqual([
      ["broken_test.rego", "rego_unsafe_var_error"],
      ["unparsable.rego", "rego_parse_error"],
    ]);
    expect(byName(report, "").error?.message).toMatch(
      /^broken_test\.rego:2:\d+: rego_unsafe_var_error: var x is unsafe/,
    );
    expect(report.results.filter((r) => r.package === "data.lib_test")).toHaveLength(15);
  });

  it("lists results in file and source order and exits 1", () => {
    expect(report.results.slice(0, 3).map((r) => r.name)).toEqual([
      "test_passes",
      "test_fails",
      "test_undefined_fails",
    ]);
    expect(report.exitCode).toBe(1);
  });

  it("prints the pretty and JSON reports", () => {
    const pretty = formatPretty(report);
    expect(pretty).toMatch(/^lib_test\.rego:5:\ndata\.lib_test\.test_fails: FAIL \(/);
    expect(pretty).toContain("data.lib_test.todo_test_not_yet: SKIPPED\n");
    expect(pretty).toContain("  timed out after 3000 ms\n");
    expect(pretty).toContain("data.lib_test.test_cases_failing: FAIL (");
    expect(pretty).toContain("\n  two: FAIL\n");
    // sub-tests count one each
    expect(pretty).toMatch(/-{80}\nPASS: 9\/19\nFAIL: 5\/19\nSKIPPED: 1\/19\nERROR: 4\/19\n$/);
    const json = JSON.parse(formatJson(report));
    expect(json.find((r: { name: string }) => r.name === "test_fails")).toMatchObject({
      package: "data.lib_test",
      fail: true,
    });
  });
});

describe("runTests with a filter", () => {
  it(
    "runs only the tests whose full name matches",
    async () => {
      const report = await runTests([library, suite], {
        run: /data\.lib_test\.test_(passes|input_mock|data_)/,
      });
      expect(report.results.map((r) => [r.name, outcomeOf(r)])).toEqual([
        ["test_passes", "PASS"],
        ["test_input_mock", "PASS"],
        ["test_data_mock", "PASS"],
      ]);
      expect(report.exitCode).toBe(0);
    },
    slow,
  );
});

describe("runTestsInPaths", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-rego-tests-"));
    mkdirSync(join(dir, "limits"));
    writeFileSync(join(dir, "limits", "data.yaml"), "max: 3\n");
    writeFileSync(join(dir, "policy.rego"), "package policy\nok if data.limits.max == 3\n");
    writeFileSync(
      join(dir, "policy_test.rego"),
      "package policy_test\ntest_ok if data.policy.ok\ntodo_test_more if false\n",
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "loads modules and data from a folder and exits 0 when nothing fails",
    async () => {
      const report = await runTestsInPaths([dir]);
      expect(report.results.map((r) => [r.name, outcomeOf(r)])).toEqual([
        ["test_ok", "PASS"],
        ["todo_test_more", "SKIPPED"],
      ]);
      expect(report.results[0]!.location?.file).toBe(join(dir, "policy_test.rego"));
      expect(report.exitCode).toBe(0);
    },
    slow,
  );
});
