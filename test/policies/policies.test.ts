// The repository's own policies/ must pass their Rego tests, run as `gatehouse policy test policies/`
// runs them (data files under their folder's path, e.g. policies/access/data.yaml => data.access).
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { formatPretty, outcomeOf, runTestsInPaths } from "../../rego/test/index.ts";
import type { TestReport, TestResult } from "../../rego/test/index.ts";

const policies = fileURLToPath(new URL("../../policies", import.meta.url));

function describeResult(r: TestResult): string {
  const name = r.name === "" ? r.location?.file : `${r.package}.${r.name}`;
  const detail = r.error ? `: ${r.error.code ? `${r.error.code}: ` : ""}${r.error.message}` : "";
  const subs = Object.values(r.sub_results ?? {})
    .filter((s) => s.fail)
    .map((s) => ` [${s.name}: FAIL]`)
    .join("");
  return `${name}: ${outcomeOf(r)}${subs}${detail}`;
}

describe("policies/", () => {
  let report: TestReport;
  beforeAll(async () => {
    report = await runTestsInPaths([policies]);
  }, 600_000);

  it("has Rego tests, including the gatehouse decision's", () => {
    expect(
      report.results.filter((r) => r.package === "data.gatehouse_test").length,
    ).toBeGreaterThan(0);
  });

  it("passes every Rego test", () => {
    const notPassing = report.results.filter((r) => !["PASS", "SKIPPED"].includes(outcomeOf(r)));
    if (notPassing.length > 0) console.log(formatPretty(report));
    expect(notPassing.map(describeResult)).toEqual([]);
    expect(report.exitCode).toBe(0);
  });
});
