// `gatehouse policy check`: parse, compile and lint errors with file:line:col, severities and exit
// codes, in pretty and JSON output.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useTempDir } from "../helpers/temp-dir.ts";
import { runGatehouse, spawnGatehouse } from "./policy-check-run.ts";

const tmp = useTempDir("gatehouse-check");
const policiesDir = fileURLToPath(new URL("../../policies", import.meta.url));

describe("gatehouse policy check", { timeout: 180_000 }, () => {
  it("passes the default policies/ clean (real process, exit 0)", () => {
    const run = spawnGatehouse(
      tmp.path,
      "policy",
      "check",
      policiesDir,
      "-e",
      "gatehouse/decision",
    );
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^\d+ files checked: 0 errors, 0 warnings\n$/);
    expect(run.code).toBe(0);
  });

  it("reports every file that does not parse with its position, and exits 1", async () => {
    const a = tmp.put("p/a.rego", "package a\n\nr if {\n\tinput.x ==\n}\n");
    const b = tmp.put("p/b.rego", "package b\n\ns contains x if input.y[x]\nt := 1 +\n");
    tmp.put("p/ok.rego", "package ok\n\nu := 1\n");
    const run = await runGatehouse("policy", "check", `${tmp.path}/p`);
    expect(run.code).toBe(1);
    const lines = run.stdout.split("\n");
    expect(lines.filter((l) => l.includes("rego_parse_error:"))).toEqual([
      `${a}:5:1: rego_parse_error: unexpected } token: expected term`,
      expect.stringMatching(new RegExp(`^${b}:\\d+:\\d+: rego_parse_error: `)),
    ]);
    expect(run.stdout).toContain("hint (rego_parse_error): fix the syntax at the position shown");
    expect(run.stdout).toContain("compile and lint skipped: fix the parse errors first");
    expect(lines).toContain("3 files checked: 2 errors, 0 warnings");
  });

  it("reports compile errors with OPA's codes and what to do", async () => {
    tmp.put("c/c.rego", "package c\n\nr if {\n\tx > 1\n}\n");
    const run = await runGatehouse("policy", "check", `${tmp.path}/c`);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `${tmp.path}/c/c.rego:4:2: rego_unsafe_var_error: var x is unsafe`,
    );
    expect(run.stdout).toContain("hint (rego_unsafe_var_error): bind the variable");
  });

  it("fails on lint errors, prints each as file:line:col: lint/<rule>: <severity>: message", async () => {
    const file = tmp.put(
      "l/authz.rego",
      ["package authz", "", "default allow := true", "", "helper(x) := x", ""].join("\n"),
    );
    const run = await runGatehouse("policy", "check", `${tmp.path}/l`);
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n").slice(0, 2)).toEqual([
      `${file}:3:1: lint/default-allow-true: error: default allow allows whatever no rule decides (fail-open): make the default false and allow with explicit rules`,
      `${file}:5:1: lint/unused-rule: warning: function data.authz.helper is not referenced by any rule: remove it, or use it where it was meant to apply`,
    ]);
    expect(run.stdout).toContain("1 file checked: 1 error, 1 warning");
  });

  it("passes with warnings only, fails with them under --strict; JSON lists each problem", async () => {
    tmp.put("w/w.rego", "package w\n\nimport data.unused\n\nr := 1\n");
    const relaxed = await runGatehouse("policy", "check", `${tmp.path}/w`);
    expect(relaxed.code).toBe(0);

    const strict = await runGatehouse(
      "policy",
      "check",
      "--strict",
      "--format",
      "json",
      `${tmp.path}/w`,
    );
    expect(strict.code).toBe(1);
    const report = JSON.parse(strict.stdout);
    expect(report).toMatchObject({ files: 1, compiled: true, errors: 0, warnings: 1 });
    expect(report.problems).toEqual([
      {
        file: `${tmp.path}/w/w.rego`,
        row: 3,
        col: 1,
        code: "lint/unused-import",
        severity: "warning",
        message: "import unused is not used in this module: remove it",
        hint: expect.stringContaining("docs/policy-cli.md"),
      },
    ]);
  });
});
