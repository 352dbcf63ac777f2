// `gatehouse policy fmt`: rewrites in place, --check and --diff write nothing, exit codes, broken
// files reported with positions while the others are still formatted.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useTempDir } from "../helpers/temp-dir.ts";
import { runGatehouse, spawnGatehouse } from "./policy-check-run.ts";

const tmp = useTempDir("gatehouse-fmt");

const messy = ["package demo", "# why p", "p = 1", "q if { input.x == 1 }", ""].join("\n");
// adjacent one-liners stay together, as opa fmt keeps them
const tidy = ["package demo", "", "# why p", "p := 1", "q if input.x == 1", ""].join("\n");

describe("gatehouse policy fmt", { timeout: 180_000 }, () => {
  it("--check lists the files that would change, exits 1 and writes nothing (real process)", () => {
    const file = tmp.put("pol/demo.rego", messy);
    tmp.put("pol/tidy.rego", tidy.replace("demo", "tidy"));
    const run = spawnGatehouse(tmp.path, "policy", "fmt", "--check", "pol");
    expect(run.stdout).toBe("pol/demo.rego\n");
    expect(run.stderr).toContain("1 of 2 files would be reformatted");
    expect(run.code).toBe(1);
    expect(readFileSync(file, "utf8")).toBe(messy);
  });

  it("rewrites files in place, keeping comments; afterwards --check exits 0", async () => {
    const file = tmp.put("pol/demo.rego", messy);
    const run = await runGatehouse("policy", "fmt", `${tmp.path}/pol`);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`formatted ${file}\n`);
    expect(readFileSync(file, "utf8")).toBe(tidy);
    expect((await runGatehouse("policy", "fmt", "--check", file)).code).toBe(0);
  });

  it("--diff prints a unified diff, exits 1 and writes nothing", async () => {
    const file = tmp.put("pol/demo.rego", messy);
    const run = await runGatehouse("policy", "fmt", "--diff", file);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`--- ${file}\n+++ ${file} (formatted)\n@@ `);
    expect(run.stdout).toContain("\n-p = 1\n");
    expect(run.stdout).toContain("\n+p := 1\n");
    expect(readFileSync(file, "utf8")).toBe(messy);
  });

  it("reports a broken file with its position, exits 2 and still formats the others", async () => {
    const broken = tmp.put("pol/broken.rego", "package broken\n\nr if {\n");
    const file = tmp.put("pol/demo.rego", messy);
    const run = await runGatehouse("policy", "fmt", `${tmp.path}/pol`);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^${broken}:4:1: rego_parse_error: `));
    expect(readFileSync(broken, "utf8")).toBe("package broken\n\nr if {\n");
    expect(readFileSync(file, "utf8")).toBe(tidy);
  });
});
