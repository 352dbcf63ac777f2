// `gatehouse policy test` as a user runs it: the real launcher in a child process, over the
// fixtures in test/fixtures/policy-test/ (paths in the output are relative to the repository).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkOptions } from "../../cli/commands/policy/test.ts";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const launcher = fileURLToPath(new URL("../../cli/bin/gatehouse.js", import.meta.url));
const fixtures = "test/fixtures/policy-test";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function policyTest(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, "policy", "test", ...args], { cwd: repo });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("gatehouse policy test", { timeout: 120_000 }, () => {
  it("reports passing, failing and erroring tests, broken files and a timeout, and exits 1", async () => {
    // a budget test_forever cannot spend: the time limit is what stops it
    const run = await policyTest(
      `${fixtures}/mixed`,
      "-v",
      "--timeout",
      "1s",
      "--budget",
      String(Number.MAX_SAFE_INTEGER),
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    const out = run.stdout;
    // every outcome under its file:line
    expect(out).toContain(
      `${fixtures}/mixed/mixed_test.rego:5:\ndata.mixed_test.test_passes: PASS (`,
    );
    expect(out).toContain(
      `${fixtures}/mixed/mixed_test.rego:9:\ndata.mixed_test.test_fails: FAIL (`,
    );
    expect(out).toContain(`data.mixed_test.test_errors: ERROR (`);
    expect(out).toContain(
      `  ${fixtures}/mixed/lib.rego:5: eval_conflict_error: complete rules must not produce multiple outputs\n`,
    );
    // a test that never ends is stopped; the next one still runs
    expect(out).toContain(`data.mixed_test.test_forever: ERROR (1s)\n  timed out after 1000 ms\n`);
    expect(out).toContain("data.mixed_test.test_after_forever: PASS (");
    // files that do not parse or compile are reported with file:line:col; the rest ran
    expect(out).toContain(
      `  ${fixtures}/mixed/broken.rego:5:1: rego_parse_error: unexpected } token: expected term\n`,
    );
    expect(out).toContain(
      `  ${fixtures}/mixed/unsafe_test.rego:4:2: rego_unsafe_var_error: var x is unsafe\n`,
    );
    expect(out).toMatch(/-{80}\nPASS: 2\/7\nFAIL: 1\/7\nERROR: 4\/7\n$/);
  });

  it("shows print() and trace() output under a failing test, and under every test with -v", async () => {
    const [quiet, verbose] = await Promise.all([
      policyTest(`${fixtures}/printing`),
      policyTest(`${fixtures}/printing`, "-v"),
    ]);
    expect(quiet.stderr).toBe("");
    expect(quiet.code).toBe(1);
    const file = `${fixtures}/printing/print_test.rego`;
    const failing = [
      `${file}:3:`,
      "data.print_test.test_prints_and_fails: FAIL (<duration>)",
      "",
      '  user: {"groups": {"admin", "eng"}, "name": "alice"} missing: <undefined>',
      "  trace: checked the user",
      "",
    ];
    const summary = ["-".repeat(80), "PASS: 1/2", "FAIL: 1/2", ""];
    const durations = (text: string) => text.replace(/\((?:\d[\d.]*[a-zµ]+)+\)/g, "(<duration>)");
    expect(durations(quiet.stdout)).toBe([...failing, ...summary].join("\n"));
    expect(durations(verbose.stdout)).toBe(
      [
        ...failing,
        `${file}:10:`,
        "data.print_test.test_prints_and_passes: PASS (<duration>)",
        "",
        "  passing test output",
        "",
        ...summary,
      ].join("\n"),
    );
  });

  it("reports a file that does not compile once, with hints, and does not run the tests that use it", async () => {
    const run = await policyTest(`${fixtures}/uses-broken`);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    const dir = `${fixtures}/uses-broken`;
    expect(run.stdout).toBe(
      [
        `${dir}/authz.rego:3:`,
        `${dir}/authz.rego: ERROR (0s)`,
        `  ${dir}/authz.rego:3:10: rego_type_error: undefined function strings.upper_case`,
        "    hint: unknown function strings.upper_case: not an OPA builtin and not defined in any module",
        `  ${dir}/authz.rego:5:10: rego_type_error: undefined function cast_set`,
        "    hint: unknown function cast_set: an OPA builtin that was deprecated and removed in Rego v1; Gatehouse does not support it",
        // authz_test uses authz; report_test uses it through report.rego
        `  not run: 2 tests in ${dir}/authz_test.rego, which depends on this file`,
        `  not run: 1 test in ${dir}/report_test.rego, which depends on this file`,
        "-".repeat(80),
        "PASS: 1/2",
        "ERROR: 1/2",
        "",
      ].join("\n"),
    );
  });

  it("shows only failures without -v, and runs the tests --run selects", async () => {
    const run = await policyTest(`${fixtures}/mocks`, "--run", "time_");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("PASS: 2/2\n");
  });

  it("prints coverage as OPA's JSON report with the results, and exits 2 below --threshold", async () => {
    const run = await policyTest(`${fixtures}/coverage`, "--format", "json", "--threshold", "90");
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout);
    const policy = report.files[`${fixtures}/coverage/authz.rego`];
    expect(policy.covered).toEqual([
      { start: { row: 3 }, end: { row: 3 } },
      { start: { row: 5 }, end: { row: 7 } },
      { start: { row: 11 }, end: { row: 11 } },
      { start: { row: 20 }, end: { row: 21 } },
    ]);
    expect(policy.not_covered).toEqual([
      { start: { row: 10 }, end: { row: 10 } },
      { start: { row: 14 }, end: { row: 16 } },
      { start: { row: 19 }, end: { row: 19 } },
    ]);
    expect([policy.covered_lines, policy.not_covered_lines]).toEqual([7, 5]);
    expect([report.covered_lines, report.not_covered_lines]).toEqual([13, 5]);
    expect(report.coverage).toBeCloseTo((100 * 13) / 18, 6);
    expect(report.tests.map((t: { name: string }) => t.name)).toEqual([
      "test_alice_reads",
      "test_bob_denied",
      "test_level_low",
    ]);
    expect(run.stderr).toBe(
      [
        "Code coverage threshold not met: got 72.22 instead of 90.00",
        "Lines not covered:",
        `\t${fixtures}/coverage/authz.rego:10`,
        `\t${fixtures}/coverage/authz.rego:14-16`,
        `\t${fixtures}/coverage/authz.rego:19`,
        "",
      ].join("\n"),
    );
  });

  it("prints a coverage summary after the results and exits 0 at or above --threshold", async () => {
    const run = await policyTest(`${fixtures}/coverage`, "--coverage", "--threshold", "72");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "PASS: 3/3",
        "Coverage: 72.22% (13/18 lines)",
        `   58.33%  ${fixtures}/coverage/authz.rego  not covered: 10, 14-16, 19`,
        `  100.00%  ${fixtures}/coverage/authz_test.rego`,
        "",
      ].join("\n"),
    );
  });

  it("reports a test past --budget as an ERROR naming the budget, and exits 1", async () => {
    const [limited, unlimited] = await Promise.all([
      policyTest(`${fixtures}/budget`, "-v", "--budget", "100000"),
      policyTest(`${fixtures}/budget`, "-v"),
    ]);
    expect(limited.stderr).toBe("");
    expect(limited.code).toBe(1);
    expect(limited.stdout).toContain("data.budget_test.test_pairs: ERROR (");
    expect(limited.stdout).toContain(
      "  eval_budget_exceeded: the evaluation used more than its budget of 100000 instructions\n",
    );
    expect(limited.stdout).toContain("data.budget_test.test_light: PASS (");
    // within the default budget both pass
    expect(unlimited.code).toBe(0);
    expect(unlimited.stdout).toMatch(/PASS: 2\/2\n$/);
  });

  it("exits 2 with a clear message on bad options and paths", async () => {
    const runs = await Promise.all([
      policyTest(`${fixtures}/mocks`, "--timeout", "5"),
      policyTest(`${fixtures}/no-such-folder`),
      policyTest(`${fixtures}/mocks`, "--format", "xml"),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(runs.map((r) => r.stdout)).toEqual(["", "", ""]);
    expect(runs[0]!.stderr).toBe(
      '--timeout "5": give a positive duration such as 500ms, 5s or 1m\n',
    );
    expect(runs[1]!.stderr).toBe(`${fixtures}/no-such-folder: no such file or directory\n`);
    expect(runs[2]!.stderr).toContain(
      "argument 'xml' is invalid. Allowed choices are pretty, json.",
    );
  });
});

describe("policy test options", () => {
  const base = { format: "pretty", timeout: "5s" } as const;

  it("converts the timeout, the filter and the threshold, which implies coverage", () => {
    expect(
      checkOptions({ ...base, timeout: "1m30s", run: "^data\\.a\\.", threshold: "90.5" }),
    ).toEqual({
      coverage: true,
      run: /^data\.a\./,
      threshold: 90.5,
      timeoutMs: 90_000,
    });
    expect(checkOptions({ ...base, coverage: true })).toEqual({ coverage: true, timeoutMs: 5000 });
    expect(checkOptions({ ...base, budget: "250000", maxMemory: "64" })).toEqual({
      coverage: false,
      timeoutMs: 5000,
      budget: 250_000,
      maxMemoryPages: 1024,
    });
  });

  it("names the option and what to give instead", () => {
    expect(checkOptions({ ...base, threshold: "120" })).toBe(
      '--threshold "120": give a percentage between 0 and 100',
    );
    expect(checkOptions({ ...base, threshold: "" })).toBe(
      '--threshold "": give a percentage between 0 and 100',
    );
    expect(checkOptions({ ...base, run: "(" })).toMatch(/^--run "\(": not a regular expression: /);
    expect(checkOptions({ ...base, timeout: "0" })).toBe(
      '--timeout "0": give a positive duration such as 500ms, 5s or 1m',
    );
    expect(checkOptions({ ...base, budget: "0" })).toBe(
      '--budget "0": give an integer from 1 to 9007199254740991',
    );
    expect(checkOptions({ ...base, budget: "1e6" })).toBe(
      '--budget "1e6": give an integer from 1 to 9007199254740991',
    );
    expect(checkOptions({ ...base, maxMemory: "5000" })).toBe(
      '--max-memory "5000": give a number of MiB from 1 to 4096',
    );
  });
});
