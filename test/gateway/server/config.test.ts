import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_LIMITS, loadConfig } from "../../../gateway/config.ts";

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "gatehouse-config-")), "gatehouse.yaml");
  writeFileSync(file, text);
  return file;
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("has the documented defaults, with loopback names allowed on a loopback bind", () => {
    const config = loadConfig();
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      dev: false,
      catalogDir: "catalog",
      policyDirs: ["policies"],
      separator: "__",
      devGroups: ["eng"],
    });
    expect(config.limits).toEqual(DEFAULT_LIMITS);
    expect(config.limits.maxBodyBytes).toBe(1024 * 1024);
    expect(config.allowedHosts).toEqual(["localhost", "127.0.0.1", "[::1]"]);
    expect(config.allowedOrigins).toContain("http://localhost");
  });

  it("merges defaults < file < env < flags, limits field by field", () => {
    const file = configFile(
      "port: 9000\nhost: 127.0.0.1\ncatalogDir: from-file\nlimits:\n  maxSessions: 7\n  maxBodyBytes: 2048\n",
    );
    const config = loadConfig({
      file,
      env: { GATEHOUSE_PORT: "9100", GATEHOUSE_POLICIES: "a, b", GATEHOUSE_CATALOG: "from-env" },
      flags: { catalogDir: "from-flag", limits: { maxBodyBytes: 4096 } },
    });
    expect(config.port).toBe(9100);
    expect(config.policyDirs).toEqual(["a", "b"]);
    expect(config.catalogDir).toBe("from-flag");
    expect(config.limits.maxSessions).toBe(7);
    expect(config.limits.maxBodyBytes).toBe(4096);
    expect(config.limits.sessionIdleMs).toBe(DEFAULT_LIMITS.sessionIdleMs);
  });

  it("reads the file named by GATEHOUSE_CONFIG when --config is absent", () => {
    const file = configFile("separator: '::'\n");
    expect(loadConfig({ env: { GATEHOUSE_CONFIG: file } }).separator).toBe("::");
  });

  it("names the file and field of a bad file value", () => {
    const file = configFile("limits:\n  maxBodyBytes: lots\nbogus: 1\n");
    const problems = problemsOf(() => loadConfig({ file }));
    expect(problems).toContain(`${file}: limits.maxBodyBytes: must be a number, got string "lots"`);
    expect(problems).toContain(`${file}: bogus: unknown field`);
  });

  it("names the variable of a bad environment value", () => {
    expect(problemsOf(() => loadConfig({ env: { GATEHOUSE_PORT: "http" } }))).toEqual([
      'GATEHOUSE_PORT: expected an integer 0-65535, got "http"',
    ]);
    expect(problemsOf(() => loadConfig({ env: { GATEHOUSE_PORT: "70000" } }))[0]).toMatch(
      /^GATEHOUSE_PORT: /,
    );
    expect(problemsOf(() => loadConfig({ env: { GATEHOUSE_DEV: "maybe" } }))[0]).toMatch(
      /^GATEHOUSE_DEV: expected true or false/,
    );
  });

  it("names the command line for a bad flag and reports unreadable files", () => {
    expect(problemsOf(() => loadConfig({ flags: { port: -1 } }))[0]).toMatch(
      /^command line: port: /,
    );
    expect(problemsOf(() => loadConfig({ file: "/nonexistent/gatehouse.yaml" }))[0]).toMatch(
      /^\/nonexistent\/gatehouse.yaml: cannot read: ENOENT/,
    );
    expect(problemsOf(() => loadConfig({ file: configFile("port: [1\n") }))[0]).toMatch(
      /not valid YAML/,
    );
  });

  it("refuses --dev on a non-loopback bind, and drops the loopback Host list there", () => {
    expect(problemsOf(() => loadConfig({ flags: { dev: true, host: "0.0.0.0" } }))[0]).toMatch(
      /^dev: the development principal is refused on a non-loopback bind/,
    );
    expect(loadConfig({ flags: { dev: true, host: "::1" } }).dev).toBe(true);
    expect(loadConfig({ env: { GATEHOUSE_HOST: "0.0.0.0" } }).allowedHosts).toEqual([]);
  });
});
