// npm run conformance:mcp [-- --upstream http|stdio] [--suite active|all|pending] [--direct-only]
// The MCP conformance suite against our fixture directly, then through the gateway fronting it
// (the virtual server /mcp/conformance, which curates the fixture's tools, prompts and resources
// under their own names); both scores side by side. Exit 1 when the direct run is not fully green, or when the gateway
// fails a scenario that passes directly.
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
import { runSuite, type ScenarioResult, type SuiteResult } from "./suite.ts";

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const suiteArgs = option("--suite") ? ["--suite", option("--suite")!] : [];

const cell = (r: ScenarioResult | undefined) =>
  r ? `${r.ok ? "✓" : "✗"} ${r.passed}/${r.passed + r.failed}`.padEnd(9) : "-".padEnd(9);

function printTotals(label: string, run: SuiteResult): void {
  console.log(
    `${label}: Total: ${run.total.passed} passed, ${run.total.failed} failed (exit ${run.exitCode})`,
  );
}

async function directRun(fixture: RunningProcess): Promise<SuiteResult> {
  console.log(`conformance suite -> fixture ${fixture.url}`);
  const direct = await runSuite(fixture.url, suiteArgs);
  printTotals("direct", direct);
  for (const [name, r] of direct.scenarios) {
    if (!r.ok)
      console.log(`  direct failure: ${name}: ${(direct.failures.get(name) ?? []).join("; ")}`);
  }
  return direct;
}

async function gatewayRun(upstream: FixtureUpstream): Promise<SuiteResult> {
  const files = writeGatewayFiles(upstream);
  let gateway: RunningProcess | undefined;
  try {
    gateway = await startGatewayProcess(writeGatewayConfig(files, [files.allowAllPolicyDir]));
    const virtualUrl = `${gateway.url}/${VIRTUAL_NAME}`;
    console.log(`conformance suite -> gateway ${virtualUrl} (virtual server over the fixture)`);
    const run = await runSuite(virtualUrl, suiteArgs);
    printTotals("gateway /mcp/" + VIRTUAL_NAME, run);
    return run;
  } catch (e) {
    if (gateway) console.error(`gateway stderr (last lines):\n${gateway.stderrTail()}`);
    throw e;
  } finally {
    await gateway?.stop();
    files.remove();
  }
}

/** Prints both columns; returns the scenarios that pass directly but not through the gateway. */
function compare(direct: SuiteResult, gateway: SuiteResult): string[] {
  const regressions: string[] = [];
  console.log(`\n${"scenario".padEnd(32)} ${"direct".padEnd(9)} gateway`);
  for (const [name, d] of direct.scenarios) {
    const g = gateway.scenarios.get(name);
    if (d.ok && !g?.ok) regressions.push(name);
    console.log(`${name.padEnd(32)} ${cell(d)} ${cell(g)}`);
  }
  console.log(`\n${"".padEnd(32)} direct                         gateway`);
  console.log(
    `${"Total".padEnd(32)} ${direct.total.passed} passed, ${direct.total.failed} failed   ${gateway.total.passed} passed, ${gateway.total.failed} failed`,
  );
  return regressions;
}

async function main(): Promise<number> {
  const upstreamKind = option("--upstream") ?? "http";
  if (upstreamKind !== "http" && upstreamKind !== "stdio")
    throw new Error("--upstream: http or stdio");
  const fixture = await startFixtureProcess();
  try {
    const direct = await directRun(fixture);
    const directGreen = direct.total.failed === 0 && direct.exitCode === 0;
    if (process.argv.includes("--direct-only")) return directGreen ? 0 : 1;
    const upstream: FixtureUpstream =
      upstreamKind === "http" ? { type: "http", url: fixture.url } : stdioFixtureUpstream();
    const gateway = await gatewayRun(upstream);
    const regressions = compare(direct, gateway);
    if (!directGreen) console.log("FAIL: the fixture does not pass the suite directly");
    if (regressions.length > 0) {
      console.log(`FAIL: through the gateway, failing: ${regressions.join(", ")}`);
      for (const name of regressions)
        for (const message of gateway.failures.get(name) ?? [])
          console.log(`  ${name}: ${message}`);
    }
    return directGreen && regressions.length === 0 ? 0 : 1;
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
