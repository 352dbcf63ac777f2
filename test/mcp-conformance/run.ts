// npm run conformance:mcp [-- --upstream http|stdio] [--suite active|all|pending] [--direct-only]
// The MCP conformance harnesses against our fixture directly, then through the gateway fronting it
// (the virtual server /mcp/conformance, which curates the fixture's tools, prompts and resources
// under their own names): the released harness (its --suite, default active), and the pre-release
// harness with the frozen requirement sets of 2025-11-25 and 2026-07-28. Exit 1 when a direct run
// is not fully green, or when the gateway fails a scenario that passes directly (2026-07-28
// through the gateway is printed but does not gate yet: the gateway does not serve that revision).
import {
  writeGatewayConfig,
  writeGatewayFiles,
  VIRTUAL_NAME,
  type FixtureUpstream,
} from "./gateway-files.ts";
import {
  startFixtureProcess,
  startGatewayProcess,
  stdioFixtureUpstream,
  type RunningProcess,
} from "./processes.ts";
import {
  harnessVersion,
  NEXT_HARNESS,
  RELEASED_HARNESS,
  runSuite,
  type Harness,
  type ScenarioResult,
  type SuiteResult,
} from "./suite.ts";

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** One harness run, made directly and through the gateway. */
interface SuiteRun {
  label: string;
  harness: Harness;
  args: string[];
  /** whether the gateway failing a scenario that passes directly fails the run */
  gatewayGates: boolean;
}

const suite = option("--suite");
const RUNS: SuiteRun[] = [
  {
    label: `${harnessVersion(RELEASED_HARNESS)} ${suite ?? "active"}`,
    harness: RELEASED_HARNESS,
    args: suite ? ["--suite", suite] : [],
    gatewayGates: true,
  },
  ...["2025-11-25", "2026-07-28"].map((revision) => ({
    label: `${harnessVersion(NEXT_HARNESS)} ${revision}`,
    harness: NEXT_HARNESS,
    args: ["--requirements", revision],
    gatewayGates: revision !== "2026-07-28",
  })),
];

const cell = (r: ScenarioResult | undefined) =>
  r ? `${r.ok ? "✓" : "✗"} ${r.passed}/${r.passed + r.failed}`.padEnd(9) : "-".padEnd(9);

const count = (r: SuiteResult) => `${r.total.passed}/${r.total.passed + r.total.failed}`;

function printTotals(label: string, run: SuiteResult): void {
  console.log(
    `${label}: scored Total: ${run.total.passed} passed, ${run.total.failed} failed (exit ${run.exitCode})`,
  );
  const notScored = [...run.unscored].map(
    ([name, r]) => `${name} ${r.passed}/${r.passed + r.failed} (${r.reason})`,
  );
  if (notScored.length > 0) console.log(`  not scored: ${notScored.join(", ")}`);
}

const isGreen = (r: SuiteResult) => r.total.failed === 0 && r.exitCode === 0;

async function runAll(url: string, where: string): Promise<SuiteResult[]> {
  const results: SuiteResult[] = [];
  for (const run of RUNS) {
    console.log(`conformance ${run.label} -> ${where} ${url}`);
    const result = await runSuite(url, run.args, run.harness);
    printTotals(`${where} ${run.label}`, result);
    for (const [name, r] of result.scenarios) {
      if (!r.ok)
        console.log(`  ${where} failure: ${name}: ${(result.failures.get(name) ?? []).join("; ")}`);
    }
    results.push(result);
  }
  return results;
}

async function gatewayRuns(upstream: FixtureUpstream): Promise<SuiteResult[]> {
  const files = writeGatewayFiles(upstream);
  let gateway: RunningProcess | undefined;
  try {
    gateway = await startGatewayProcess(writeGatewayConfig(files, [files.allowAllPolicyDir]));
    return await runAll(`${gateway.url}/${VIRTUAL_NAME}`, "gateway");
  } catch (e) {
    if (gateway) console.error(`gateway stderr (last lines):\n${gateway.stderrTail()}`);
    throw e;
  } finally {
    await gateway?.stop();
    files.remove();
  }
}

/** Prints both columns; returns the scenarios that pass directly but not through the gateway. */
function compare(label: string, direct: SuiteResult, gateway: SuiteResult): string[] {
  const regressions: string[] = [];
  console.log(`\n${label.padEnd(48)} ${"direct".padEnd(9)} gateway`);
  for (const [name, d] of direct.scenarios) {
    const g = gateway.scenarios.get(name);
    if (d.ok && !g?.ok) regressions.push(name);
    console.log(`  ${name.padEnd(46)} ${cell(d)} ${cell(g)}`);
  }
  return regressions;
}

function printCounts(direct: SuiteResult[], gateway: SuiteResult[] | undefined): void {
  console.log(`\nMCP conformance, scored checks passed/run:`);
  console.log(`  ${"harness and requirement set".padEnd(34)} ${"direct".padEnd(10)} gateway`);
  RUNS.forEach((run, i) => {
    const through = gateway
      ? `${count(gateway[i]!)}${run.gatewayGates ? "" : " (not gating yet)"}`
      : "-";
    console.log(`  ${run.label.padEnd(34)} ${count(direct[i]!).padEnd(10)} ${through}`);
  });
}

async function main(): Promise<number> {
  const upstreamKind = option("--upstream") ?? "http";
  if (upstreamKind !== "http" && upstreamKind !== "stdio")
    throw new Error("--upstream: http or stdio");
  const fixture = await startFixtureProcess();
  try {
    const direct = await runAll(fixture.url, "direct");
    const directGreen = direct.every(isGreen);
    if (process.argv.includes("--direct-only")) {
      printCounts(direct, undefined);
      return directGreen ? 0 : 1;
    }
    const upstream: FixtureUpstream =
      upstreamKind === "http" ? { type: "http", url: fixture.url } : stdioFixtureUpstream();
    const gateway = await gatewayRuns(upstream);
    const failures: string[] = [];
    RUNS.forEach((run, i) => {
      const regressions = compare(run.label, direct[i]!, gateway[i]!);
      if (!run.gatewayGates || regressions.length === 0) return;
      failures.push(`${run.label}: through the gateway, failing: ${regressions.join(", ")}`);
      for (const name of regressions)
        for (const message of gateway[i]!.failures.get(name) ?? [])
          failures.push(`  ${name}: ${message}`);
    });
    printCounts(direct, gateway);
    if (!directGreen) console.log("FAIL: the fixture does not pass every run directly");
    for (const line of failures) console.log(line.startsWith("  ") ? line : `FAIL: ${line}`);
    return directGreen && failures.length === 0 ? 0 : 1;
  } finally {
    await fixture.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
