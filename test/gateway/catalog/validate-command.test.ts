// `gatehouse catalog validate`, run as a user runs it (the bin launcher in a child process).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const launcher = join(root, "cli/bin/gatehouse.js");

function gatehouse(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [launcher, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "gatehouse-catalog-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("gatehouse catalog validate", () => {
  it("prints a one-line summary and exits 0 for the default catalog", () => {
    const run = gatehouse(["catalog", "validate", "catalog"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      "catalog: valid: 2 servers (everything, filesystem), 1 virtual server (eng), 32 tools with metadata\n",
    );
  });

  it("prints every problem with its file and field path and exits 1", () => {
    const run = gatehouse(["catalog", "validate", "test/gateway/catalog/fixtures/broken"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(21);
    expect(lines).toContain(
      "test/gateway/catalog/fixtures/broken/servers/github.yaml: transport.command: required",
    );
    expect(lines).toContain(
      "test/gateway/catalog/fixtures/broken/virtual/eng.yaml: tools[1].server: unknown server jira (servers: github, stream)",
    );
  });

  it("with --check-secrets, names unresolvable references and prints no secret value", () => {
    mkdirSync(join(tmp, "servers"), { recursive: true });
    writeFileSync(
      join(tmp, "servers", "api.yaml"),
      [
        "name: api",
        "transport:",
        "  type: stdio",
        "  command: api-mcp",
        "  env:",
        "    API_TOKEN: env:GATEHOUSE_TEST_API_TOKEN",
        "    DB_PASSWORD: env:GATEHOUSE_TEST_UNSET_PASSWORD",
        "",
      ].join("\n"),
    );
    const secret = "tok_very-secret-value";
    const withoutCheck = gatehouse(["catalog", "validate", tmp]);
    expect(withoutCheck.code).toBe(0);

    const run = gatehouse(["catalog", "validate", tmp, "--check-secrets"], {
      GATEHOUSE_TEST_API_TOKEN: secret,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `${join(tmp, "servers", "api.yaml")}: transport.env.DB_PASSWORD: secret reference env:GATEHOUSE_TEST_UNSET_PASSWORD: ` +
        "environment variable GATEHOUSE_TEST_UNSET_PASSWORD is not set\n",
    );
    expect(run.stdout + run.stderr).not.toContain(secret);

    const resolved = gatehouse(["catalog", "validate", tmp, "--check-secrets"], {
      GATEHOUSE_TEST_API_TOKEN: secret,
      GATEHOUSE_TEST_UNSET_PASSWORD: "pw-value",
    });
    expect(resolved.code).toBe(0);
    expect(resolved.stdout).toMatch(/every secret reference resolves\n$/);
    expect(resolved.stdout).not.toContain(secret);
    expect(resolved.stdout).not.toContain("pw-value");
  });
});
