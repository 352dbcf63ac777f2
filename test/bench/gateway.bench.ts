// npm run bench:gateway [-- --calls 2000 --rounds 3 --concurrency 1,8,32 --max-seconds 300]
// The same tools/call load (test_simple_text of the conformance fixture) sent with the SDK Client
// over Streamable HTTP directly to the upstream and through the gateway (`gatehouse serve`, the
// repo's default policies/ deciding every call), in interleaved rounds: direct, gateway, direct, ...
// Prints rps and p50/p99 latency per round, the gateway/direct ratios, and their medians.
// Everything runs on 127.0.0.1; each process (fixture, gateway, this client) is its own.
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  UPSTREAM_NAME,
  writeGatewayConfig,
  writeGatewayFiles,
  type GatewayFiles,
} from "../mcp-conformance/gateway-files.ts";
import {
  REPO_ROOT,
  startFixtureProcess,
  startGatewayProcess,
  type RunningProcess,
} from "../mcp-conformance/processes.ts";

const TOOL = "test_simple_text";

// fetch adds an abort listener per POST to the transport's long-lived signal and removes it only when
// the request is garbage-collected (checked: one listener left after gc), so tight call loops trip
// Node's max-listeners warning without leaking; that warning alone is silenced here.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name !== "MaxListenersExceededWarning") console.warn(warning);
});
const CALL_TIMEOUT_MS = 10_000;

interface Target {
  label: "direct" | "gateway";
  url: string;
  tool: string;
}

interface RoundResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

function numberOption(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number`);
  return value;
}

function listOption(name: string, fallback: number[]): number[] {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const values = (process.argv[at + 1] ?? "").split(",").map(Number);
  if (values.some((v) => !Number.isInteger(v) || v <= 0))
    throw new Error(`${name}: expected e.g. 1,8,32`);
  return values;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function connect(
  url: string,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: "gatehouse-bench", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport, { timeout: CALL_TIMEOUT_MS });
  return { client, transport };
}

/** `calls` tools/call requests spread over `concurrency` clients (one session each); stops at `deadline`. */
async function round(
  target: Target,
  calls: number,
  concurrency: number,
  deadline: number,
): Promise<RoundResult> {
  const clients = await Promise.all(Array.from({ length: concurrency }, () => connect(target.url)));
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const worker = async (client: Client) => {
    while (issued < calls && Date.now() < deadline) {
      issued++;
      const start = performance.now();
      try {
        const result = await client.callTool({ name: target.tool }, undefined, {
          timeout: CALL_TIMEOUT_MS,
        });
        if (result.isError) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - start);
    }
  };
  const started = performance.now();
  try {
    await Promise.all(clients.map(({ client }) => worker(client)));
  } finally {
    await Promise.all(
      clients.map(async ({ client, transport }) => {
        await transport.terminateSession().catch(() => undefined);
        await client.close();
      }),
    );
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / elapsedSeconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

const fmt = (r: RoundResult) =>
  `${r.rps.toFixed(0).padStart(6)} rps  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms` +
  (r.errors ? `  (${r.errors} errors)` : "");
const ratios = (d: RoundResult, g: RoundResult) =>
  `rps x${(g.rps / d.rps).toFixed(2)}  p50 x${(g.p50 / d.p50).toFixed(2)}  p99 x${(g.p99 / d.p99).toFixed(2)}`;

async function main(): Promise<void> {
  const calls = numberOption("--calls", 2000);
  const rounds = numberOption("--rounds", 3);
  const concurrencies = listOption("--concurrency", [1, 8, 32]);
  const deadline = Date.now() + numberOption("--max-seconds", 300) * 1000;

  let fixture: RunningProcess | undefined;
  let gateway: RunningProcess | undefined;
  let files: GatewayFiles | undefined;
  try {
    fixture = await startFixtureProcess();
    files = writeGatewayFiles({ type: "http", url: fixture.url });
    gateway = await startGatewayProcess(writeGatewayConfig(files, [join(REPO_ROOT, "policies")]));
    const targets: Target[] = [
      { label: "direct", url: fixture.url, tool: TOOL },
      { label: "gateway", url: gateway.url, tool: `${UPSTREAM_NAME}__${TOOL}` },
    ];
    for (const target of targets) {
      const check = await round(target, 20, 1, deadline);
      if (check.errors > 0)
        throw new Error(`${target.label}: ${check.errors} of 20 warm-up calls failed`);
    }
    console.log(
      `tools/call ${TOOL}: ${calls} calls per round, ${rounds} rounds, direct ${fixture.url}, gateway ${gateway.url}`,
    );
    const summary: string[] = [];
    for (const concurrency of concurrencies) {
      const results: { direct: RoundResult; gateway: RoundResult }[] = [];
      for (let r = 1; r <= rounds && Date.now() < deadline; r++) {
        const direct = await round(targets[0]!, calls, concurrency, deadline);
        const viaGateway = await round(targets[1]!, calls, concurrency, deadline);
        results.push({ direct, gateway: viaGateway });
        console.log(
          `c=${concurrency} round ${r}: direct ${fmt(direct)} | gateway ${fmt(viaGateway)} | ${ratios(direct, viaGateway)}`,
        );
      }
      if (results.length === 0) break;
      const med = (side: "direct" | "gateway"): RoundResult => ({
        rps: median(results.map((x) => x[side].rps)),
        p50: median(results.map((x) => x[side].p50)),
        p99: median(results.map((x) => x[side].p99)),
        errors: results.reduce((n, x) => n + x[side].errors, 0),
      });
      summary.push(
        `c=${concurrency} median:  direct ${fmt(med("direct"))} | gateway ${fmt(med("gateway"))} | ${ratios(med("direct"), med("gateway"))}`,
      );
    }
    if (Date.now() >= deadline)
      console.log("(time cap reached: later rounds skipped or cut short)");
    console.log(`\n${summary.join("\n")}`);
  } catch (e) {
    if (gateway) console.error(`gateway stderr (last lines):\n${gateway.stderrTail()}`);
    throw e;
  } finally {
    await gateway?.stop();
    await fixture?.stop();
    files?.remove();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
