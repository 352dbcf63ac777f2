// `npm run security`: runs the attack corpus (test/security/*.test.ts) and prints one table row per
// category (the file name's prefix, e.g. mcp05-…), the failed attacks by name, and a last line
// `N passed, N failed`. Exit 1 when an attack got through (or the corpus could not run).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The OWASP MCP Top 10 (v0.1) and the MCP specification's security practices. */
export const CATEGORIES: Record<string, string> = {
  mcp01: "MCP01 token mismanagement, secret exposure",
  mcp02: "MCP02 privilege escalation",
  mcp03: "MCP03 tool poisoning, rug pulls",
  mcp04: "MCP04 supply chain",
  mcp05: "MCP05 command injection, argument validation",
  mcp06: "MCP06 intent flow subversion",
  mcp07: "MCP07 weak authentication, authorization",
  mcp08: "MCP08 audit tampering",
  mcp09: "MCP09 shadow servers",
  mcp10: "MCP10 context over-sharing, cross-tenant",
  ssrf: "SSRF (spec)",
  session: "session hijacking (spec)",
  passthrough: "token passthrough (spec)",
  deputy: "confused deputy (spec)",
  local: "local server compromise (spec)",
  hardening: "general hardening, fail closed",
};

interface AssertionResult {
  ancestorTitles: string[];
  title: string;
  status: "passed" | "failed" | "skipped" | "pending" | "todo";
  failureMessages?: string[];
}
interface FileResult {
  name: string;
  status: string;
  message?: string;
  assertionResults: AssertionResult[];
}

export interface CategoryTally {
  category: string;
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
}

/** The category of an attack file: its name up to the first dash. */
export function categoryOf(file: string): string {
  const prefix = basename(file).split("-")[0]!;
  return prefix in CATEGORIES ? prefix : "uncategorized";
}

export function tally(files: FileResult[]): CategoryTally[] {
  const byCategory = new Map<string, CategoryTally>();
  const row = (category: string) => {
    let t = byCategory.get(category);
    if (!t)
      byCategory.set(category, (t = { category, passed: 0, failed: 0, skipped: 0, failures: [] }));
    return t;
  };
  for (const file of files) {
    const t = row(categoryOf(file.name));
    // a file that failed to load has no assertions but must not pass silently
    if (file.assertionResults.length === 0 && file.status === "failed") {
      t.failed++;
      t.failures.push(`${basename(file.name)}: ${file.message ?? "failed to run"}`);
    }
    for (const a of file.assertionResults) {
      if (a.status === "passed") t.passed++;
      else if (a.status === "failed") {
        t.failed++;
        t.failures.push(`${basename(file.name)}: ${[...a.ancestorTitles, a.title].join(" > ")}`);
      } else t.skipped++;
    }
  }
  const order = Object.keys(CATEGORIES);
  return [...byCategory.values()].sort(
    (a, b) => (order.indexOf(a.category) >>> 0) - (order.indexOf(b.category) >>> 0),
  );
}

function main(): number {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const out = mkdtempSync(join(tmpdir(), "gatehouse-security-"));
  const report = join(out, "report.json");
  try {
    const run = spawnSync(
      process.execPath,
      [
        join(root, "node_modules/vitest/vitest.mjs"),
        "run",
        "test/security/",
        "--reporter=json",
        `--outputFile=${report}`,
        ...process.argv.slice(2),
      ],
      { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
    );
    let parsed: { testResults: FileResult[] };
    try {
      parsed = JSON.parse(readFileSync(report, "utf8")) as { testResults: FileResult[] };
    } catch (e) {
      console.error(`security: the corpus did not run (vitest exit ${run.status}): ${String(e)}`);
      return 1;
    }
    const rows = tally(parsed.testResults);
    const width = Math.max(...rows.map((r) => (CATEGORIES[r.category] ?? r.category).length), 8);
    console.log(`${"category".padEnd(width)}  passed  failed  skipped`);
    for (const r of rows) {
      const name = CATEGORIES[r.category] ?? r.category;
      console.log(
        `${name.padEnd(width)}  ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${String(r.skipped).padStart(7)}`,
      );
    }
    const failures = rows.flatMap((r) => r.failures);
    if (failures.length > 0) {
      console.log("\nattacks that got through or broke:");
      for (const f of failures) console.log(`  ${f}`);
    }
    const passed = rows.reduce((n, r) => n + r.passed, 0);
    const failed = rows.reduce((n, r) => n + r.failed, 0);
    const skipped = rows.reduce((n, r) => n + r.skipped, 0);
    console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
    return failed > 0 || run.status !== 0 ? 1 : 0;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main();
