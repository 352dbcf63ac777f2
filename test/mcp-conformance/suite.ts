// Runs an installed MCP conformance harness against a server URL and reads its summary:
// `✓|✗ <scenario>: N passed, M failed` lines and `Total: N passed, M failed`. Two harnesses are
// installed: the released one (@modelcontextprotocol/conformance, 0.1.x) and the pre-release one
// under the alias @modelcontextprotocol/conformance-next (0.2.0-alpha), whose `--requirements <rev>`
// runs one revision's frozen requirement set and lists under "Not scored for <rev>:" the scenarios
// it ran but does not count (extensions, pending); those are kept apart from the scored totals.
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

export type Harness =
  "@modelcontextprotocol/conformance" | "@modelcontextprotocol/conformance-next";

export const RELEASED_HARNESS: Harness = "@modelcontextprotocol/conformance";
export const NEXT_HARNESS: Harness = "@modelcontextprotocol/conformance-next";

export interface SuiteResult {
  /** the scored scenarios */
  scenarios: Map<string, ScenarioResult>;
  /** the checks of the scored scenarios */
  total: { passed: number; failed: number };
  /** scenarios the harness ran but does not score, with its reason (extension, pending, ...) */
  unscored: Map<string, ScenarioResult & { reason: string }>;
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

function harnessManifest(harness: Harness) {
  const file = createRequire(import.meta.url).resolve(`${harness}/package.json`);
  const json = JSON.parse(readFileSync(file, "utf8")) as {
    version: string;
    bin: string | Record<string, string>;
  };
  return { dir: dirname(file), ...json };
}

export const harnessVersion = (harness: Harness): string => harnessManifest(harness).version;

/** The harness's own entry file (both packages name their bin `conformance`, so not via .bin). */
function harnessEntry(harness: Harness): string {
  const { dir, bin } = harnessManifest(harness);
  return join(dir, typeof bin === "string" ? bin : bin.conformance!);
}

export function parseSummary(
  output: string,
): Pick<SuiteResult, "scenarios" | "total" | "unscored"> {
  const summary = output.slice(output.lastIndexOf("=== SUMMARY ==="));
  if (!/^Total: \d+ passed, \d+ failed/m.test(summary))
    throw new Error(`no "Total:" line in the conformance output:\n${output.slice(-2000)}`);
  const notScoredAt = summary.search(/^Not scored for /m);
  const reasons = new Map<string, string>();
  if (notScoredAt >= 0) {
    for (const m of summary.slice(notScoredAt).matchAll(/^\s+[✓✗] (\S+) \((.+)\)$/gmu))
      reasons.set(m[1]!, m[2]!);
  }
  const scenarios = new Map<string, ScenarioResult>();
  const unscored = new Map<string, ScenarioResult & { reason: string }>();
  const total = { passed: 0, failed: 0 };
  for (const m of summary.matchAll(/^([✓✗])\s+(\S+):\s+(\d+) passed, (\d+) failed/gmu)) {
    const result = { ok: m[1] === "✓", passed: Number(m[3]), failed: Number(m[4]) };
    const reason = reasons.get(m[2]!);
    if (reason !== undefined) {
      unscored.set(m[2]!, { ...result, reason });
      continue;
    }
    scenarios.set(m[2]!, result);
    total.passed += result.passed;
    total.failed += result.failed;
  }
  return { scenarios, total, unscored };
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

/** `conformance server --url <url> [extra args]` of `harness`, bounded in time. */
export function runSuite(
  url: string,
  extraArgs: string[] = [],
  harness: Harness = RELEASED_HARNESS,
): Promise<SuiteResult> {
  const outputDir = mkdtempSync(join(tmpdir(), "mcp-conformance-results-"));
  const args = [harnessEntry(harness), "server", "--url", url, "-o", outputDir, ...extraArgs];
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
