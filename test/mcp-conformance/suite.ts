// Runs the installed MCP conformance suite (@modelcontextprotocol/conformance) against a server
// URL and reads its summary: `✓|✗ <scenario>: N passed, M failed` lines and `Total: N passed, M failed`.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface ScenarioResult {
  passed: number;
  failed: number;
  ok: boolean;
}

export interface SuiteResult {
  scenarios: Map<string, ScenarioResult>;
  total: { passed: number; failed: number };
  /** per scenario, the messages of its FAILURE checks */
  failures: Map<string, string[]>;
  exitCode: number | null;
  output: string;
}

interface Check {
  status: string;
  name?: string;
  errorMessage?: string;
}

const SUITE_TIMEOUT_MS = 10 * 60_000;

function suiteEntry(): string {
  const manifest = createRequire(import.meta.url).resolve(
    "@modelcontextprotocol/conformance/package.json",
  );
  const { bin } = JSON.parse(readFileSync(manifest, "utf8")) as {
    bin: string | Record<string, string>;
  };
  return join(dirname(manifest), typeof bin === "string" ? bin : bin.conformance!);
}

export function parseSummary(output: string): Pick<SuiteResult, "scenarios" | "total"> {
  const summary = output.slice(output.lastIndexOf("=== SUMMARY ==="));
  const scenarios = new Map<string, ScenarioResult>();
  for (const m of summary.matchAll(/^([✓✗])\s+(\S+):\s+(\d+) passed, (\d+) failed/gmu)) {
    scenarios.set(m[2]!, { ok: m[1] === "✓", passed: Number(m[3]), failed: Number(m[4]) });
  }
  const total = /^Total: (\d+) passed, (\d+) failed/m.exec(summary);
  if (!total)
    throw new Error(`no "Total:" line in the conformance output:\n${output.slice(-2000)}`);
  return { scenarios, total: { passed: Number(total[1]), failed: Number(total[2]) } };
}

/** The suite's result folders are `server-<scenario>-<timestamp>/checks.json`. */
function readFailures(outputDir: string): Map<string, string[]> {
  const failures = new Map<string, string[]>();
  for (const folder of readdirSync(outputDir)) {
    const scenario = /^server-(.+)-\d{4}-\d\d-\d\dT/.exec(folder)?.[1];
    if (!scenario) continue;
    let checks: Check[];
    try {
      checks = JSON.parse(readFileSync(join(outputDir, folder, "checks.json"), "utf8")) as Check[];
    } catch {
      continue;
    }
    const failed = checks.filter((c) => c.status === "FAILURE");
    if (failed.length > 0)
      failures.set(
        scenario,
        failed.map((c) => `${c.name ?? "check"}: ${c.errorMessage ?? "failed"}`),
      );
  }
  return failures;
}

/** `conformance server --url <url> [extra args]`, bounded in time. */
export function runSuite(url: string, extraArgs: string[] = []): Promise<SuiteResult> {
  const outputDir = mkdtempSync(join(tmpdir(), "mcp-conformance-results-"));
  const args = [suiteEntry(), "server", "--url", url, "-o", outputDir, ...extraArgs];
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), SUITE_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (exitCode) => {
      clearTimeout(timer);
      try {
        resolve({ ...parseSummary(output), failures: readFailures(outputDir), exitCode, output });
      } catch (e) {
        reject(e);
      } finally {
        rmSync(outputDir, { recursive: true, force: true });
      }
    });
  });
}
