// The GitHub Actions workflows of .github/workflows: they parse, run what they promise, and keep
// workflow inputs out of shell text (inputs reach scripts through env only).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { steps: Step[]; services?: Record<string, unknown>; if?: string }>;
}

function workflow(name: string): Workflow {
  const path = fileURLToPath(new URL(`../../.github/workflows/${name}`, import.meta.url));
  return parse(readFileSync(path, "utf8"), { strict: true, uniqueKeys: true }) as Workflow;
}

const runs = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ""));

describe(".github/workflows", () => {
  it("ci.yml runs .ci/run on pushes to main and on pull requests, with the PostgreSQL the tests use", () => {
    const ci = workflow("ci.yml");
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push"]);
    expect(ci.on.push).toEqual({ branches: ["main"] });
    expect(runs(ci)).toContain(".ci/run");
    // only what the tests reach: PostgreSQL (the audit store tests); no test uses Redis
    const services = (ci.jobs.test!.services ?? {}) as Record<
      string,
      { env?: Record<string, string>; ports?: string[] }
    >;
    expect(Object.keys(services)).toEqual(["postgres"]);
    const fixtures = readFileSync(
      fileURLToPath(new URL("../gateway/audit/fixtures.ts", import.meta.url)),
      "utf8",
    );
    expect(fixtures).toContain('"postgres://postgres@127.0.0.1:5432/test"');
    expect(services.postgres).toMatchObject({
      env: { POSTGRES_DB: "test", POSTGRES_HOST_AUTH_METHOD: "trust" },
      ports: ["5432:5432"],
    });
    // .ci/run makes a missing service a failure, not a skip
    const ciRun = readFileSync(fileURLToPath(new URL("../../.ci/run", import.meta.url)), "utf8");
    expect(ciRun).toContain("export GATEHOUSE_REQUIRE_SERVICES=1");
  });

  it("policy-repo.yml is a reusable workflow: check, test with a coverage threshold, diff on PRs", () => {
    const repo = workflow("policy-repo.yml");
    const call = repo.on.workflow_call as { inputs: Record<string, { default: unknown }> };
    expect(Object.keys(call.inputs).sort()).toEqual([
      "changed-decisions-label",
      "coverage-threshold",
      "decisions",
      "gatehouse-package",
      "node-version",
      "policies",
    ]);
    expect(call.inputs["coverage-threshold"]!.default).toBe(90);
    const scripts = runs(repo).join("\n");
    expect(scripts).toContain('gatehouse policy check "$POLICIES"');
    expect(scripts).toContain(
      'gatehouse policy test "$POLICIES" --coverage --threshold "$THRESHOLD"',
    );
    expect(scripts).toMatch(/args=\(policy diff --base "\$BASE_SHA" --head HEAD/);
    expect(repo.jobs["decision-diff"]!.if).toBe("github.event_name == 'pull_request'");
    const comment = repo.jobs["decision-diff"]!.steps.find((s) =>
      s.uses?.startsWith("actions/github-script@"),
    );
    expect(String(comment?.with?.script)).toContain("github.rest.issues.createComment");
  });

  it("no run script splices a ${{ }} expression into shell text", () => {
    for (const name of ["ci.yml", "policy-repo.yml"]) {
      for (const script of runs(workflow(name))) expect(script).not.toContain("${{");
    }
  });
});
