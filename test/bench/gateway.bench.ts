// npm run bench:gateway [-- --calls 2000 --rounds 3 --concurrency 1,8,32 --max-seconds 300]
//                       [--mcp-proxy <path to mcp-proxy's dist/bin/mcp-proxy.mjs>]
// The same tools/call load (test_simple_text of the conformance fixture) sent with the SDK Client
// over Streamable HTTP directly to the upstream and through:
// - http-relay: a bare Node HTTP relay (test/bench/http-relay.ts), no MCP, auth or policy work; the
//   cost of one HTTP hop on this machine, the floor under any gateway that terminates HTTP;
// - gateway: `gatehouse serve` with the repo's default policies/ deciding every call;
// - gateway (2026-07-28): the same gateway called by the v2 SDK client pinned to protocol revision
//   2026-07-28 (stateless: no session, every request carries its own envelope);
// - gateway+audit+traces: the same, also writing decision records (SQLite) and tracing every request;
// - gateway->stdio: the policy-only gateway with the same fixture as a stdio upstream (the quick
//   start's kind of upstream), compared with the HTTP upstream direct;
// - mcp-proxy (only with --mcp-proxy, an installed copy of the npm package, not a dependency): the
//   bare stdio-to-HTTP proxy fronting the same stdio fixture, the reference to compare
//   gateway->stdio with.
// Interleaved rounds (direct, relay, gateway, ..., direct, ...), since the machine is noisy. Prints
// rps, p50/p99 latency, the ratios to direct and to the relay (and of audit+traces to the plain
// gateway), the CPU each process spent per call, and medians over the rounds. Everything runs on
// 127.0.0.1, each process on its own.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { fileURLToPath } from "node:url";
import {
  UPSTREAM_NAME,
  writeGatewayConfig,
  writeGatewayFiles,
  type FixtureUpstream,
  type GatewayFiles,
} from "../mcp-conformance/gateway-files.ts";
import {
  REPO_ROOT,
  startFixtureProcess,
  startGatewayProcess,
  startTsProcess,
  stdioFixtureUpstream,
  type RunningProcess,
} from "../mcp-conformance/processes.ts";
import { startMcpProxy } from "./mcp-proxy.ts";

const TOOL = "test_simple_text";
const RELAY_ENTRY = fileURLToPath(new URL("./http-relay.ts", import.meta.url));

// fetch adds an abort listener per POST to the transport's long-lived signal and removes it only when
// the request is garbage-collected (checked: one listener left after gc), so tight call loops trip
// Node's max-listeners warning without leaking; that warning alone is silenced here.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name !== "MaxListenersExceededWarning") console.warn(warning);
});
const CALL_TIMEOUT_MS = 10_000;

interface Target {
  label: string;
  url: string;
  tool: string;
  /** the protocol era the client speaks: handshake (v1 SDK client, default) or 2026-07-28 */
  era?: "modern";
}

/** One benchmark client: a session (handshake era) or a stateless 2026-07-28 client. */
interface BenchClient {
  call(tool: string): Promise<{ isError?: boolean; content?: unknown }>;
  close(): Promise<void>;
}

interface RoundResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** what the first failed call said, if any failed */
  firstError?: string;
  /** CPU time (user + system) each watched process spent per call in this round, in ms */
  cpuPerCall: Record<string, number>;
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time a process has used so far, in ms (Linux /proc; NaN elsewhere). CPU per call is the
 * figure that stays meaningful on a loaded machine, where wall-clock rates swing. */
function cpuMillis(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

let watched: Record<string, number | undefined> = {};

function numberOption(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number`);
  return value;
}

function stringOption(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  if (at < 0) return undefined;
  const value = process.argv[at + 1];
  if (!value || value.startsWith("--")) throw new Error(`${name}: expected a value`);
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

async function connect(target: Target): Promise<BenchClient> {
  if (target.era === "modern") {
    const client = new ModernClient(
      { name: "gatehouse-bench", version: "1.0.0" },
      { versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    await client.connect(new ModernTransport(new URL(target.url)));
    return {
      call: async (tool) => {
        const result = await client.callTool({ name: tool }, { timeout: CALL_TIMEOUT_MS });
        return { isError: result.isError === true, content: result.content };
      },
      close: () => client.close(),
    };
  }
  const client = new Client({ name: "gatehouse-bench", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(target.url));
  await client.connect(transport, { timeout: CALL_TIMEOUT_MS });
  return {
    call: async (tool) => {
      const result = await client.callTool({ name: tool }, undefined, { timeout: CALL_TIMEOUT_MS });
      return { isError: result.isError === true, content: result.content };
    },
    close: async () => {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    },
  };
}

/** `calls` tools/call requests spread over `concurrency` clients (one session each); stops at `deadline`. */
async function round(
  target: Target,
  calls: number,
  concurrency: number,
  deadline: number,
): Promise<RoundResult> {
  const clients = await Promise.all(Array.from({ length: concurrency }, () => connect(target)));
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const failed = (why: string) => {
    errors++;
    firstError ??= why.slice(0, 300);
  };
  let issued = 0;
  const worker = async (client: BenchClient) => {
    while (issued < calls && Date.now() < deadline) {
      issued++;
      const start = performance.now();
      try {
        const result = await client.call(target.tool);
        if (result.isError) failed(`tool error: ${JSON.stringify(result.content)}`);
      } catch (e) {
        failed(e instanceof Error ? e.message : String(e));
      }
      latencies.push(performance.now() - start);
    }
  };
  const started = performance.now();
  const cpuBefore = Object.fromEntries(
    Object.entries(watched).map(([name, pid]) => [name, cpuMillis(pid)]),
  );
  let cpuPerCall: Record<string, number> = {};
  try {
    await Promise.all(clients.map((client) => worker(client)));
    cpuPerCall = Object.fromEntries(
      Object.entries(watched).map(([name, pid]) => [
        name,
        (cpuMillis(pid) - cpuBefore[name]!) / Math.max(1, latencies.length),
      ]),
    );
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / elapsedSeconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
    ...(firstError !== undefined && { firstError }),
    cpuPerCall,
  };
}

const fmt = (r: RoundResult) =>
  `${r.rps.toFixed(0).padStart(6)} rps  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms` +
  (r.errors ? `  (${r.errors} errors${r.firstError ? `, first: ${r.firstError}` : ""})` : "");
const fmtCpu = (r: RoundResult) =>
  Object.entries(r.cpuPerCall)
    .filter(([, ms]) => Number.isFinite(ms))
    .map(([name, ms]) => `${name} ${ms.toFixed(3)}`)
    .join(", ");
const ratios = (d: RoundResult, g: RoundResult) =>
  `rps x${(g.rps / d.rps).toFixed(2)}  p50 x${(g.p50 / d.p50).toFixed(2)}  p99 x${(g.p99 / d.p99).toFixed(2)}`;

/** The gateway set-ups: policy only, and policy + audit + tracing. */
const POLICY_ONLY = { audit: { enabled: false }, telemetry: { enabled: false } };
const auditedSettings = (collector: string) => ({
  // decision records in SQLite (the embedded default) and a span tree per request, exported over
  // OTLP/HTTP to a collector in this process that takes and drops them
  audit: { enabled: true },
  telemetry: { enabled: true, otlpEndpoint: collector },
});

/** An OTLP/HTTP endpoint that accepts everything and keeps nothing. */
async function startDiscardingCollector(): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

interface Measured {
  target: Target;
  /** the process between the client and the upstream (none for direct) */
  process?: RunningProcess;
  /** the upstream process this target's calls end in */
  upstreamPid(): number | undefined;
  /** labels of the targets this one's ratios are taken against */
  compareWith: string[];
}

/** The pid of a process's one child (a gateway's stdio upstream), from /proc. */
function onlyChildPid(pid: number | undefined): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(" ");
    return children.length === 1 && children[0] !== "" ? Number(children[0]) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const calls = numberOption("--calls", 2000);
  const rounds = numberOption("--rounds", 3);
  const concurrencies = listOption("--concurrency", [1, 8, 32]);
  const deadline = Date.now() + numberOption("--max-seconds", 300) * 1000;

  let fixture: RunningProcess | undefined;
  const middles: RunningProcess[] = [];
  const temporary: GatewayFiles[] = [];
  const collector = await startDiscardingCollector();
  const startMiddle = async (started: Promise<RunningProcess>) => {
    const running = await started;
    middles.push(running);
    return running;
  };
  const startGateway = (
    upstream: FixtureUpstream,
    name: string,
    settings: Record<string, unknown>,
  ) => {
    const files = writeGatewayFiles(upstream);
    temporary.push(files);
    const config = writeGatewayConfig(files, [join(REPO_ROOT, "policies")], { name, settings });
    return startMiddle(startGatewayProcess(config));
  };
  try {
    fixture = await startFixtureProcess();
    const httpUpstream = { type: "http", url: fixture.url } as const;
    const fixturePid = () => fixture!.child.pid;
    const relay = await startMiddle(
      startTsProcess(RELAY_ENTRY, [fixture.url], /^http-relay: serving (\S+)$/m, "http-relay"),
    );
    const gateway = await startGateway(httpUpstream, "policy-only", POLICY_ONLY);
    const audited = await startGateway(httpUpstream, "audited", auditedSettings(collector.url));
    const overStdio = await startGateway(stdioFixtureUpstream(), "stdio", POLICY_ONLY);
    const mcpProxyBin = stringOption("--mcp-proxy");
    const mcpProxy = mcpProxyBin ? await startMiddle(startMcpProxy(mcpProxyBin)) : undefined;
    const viaGateway = `${UPSTREAM_NAME}__${TOOL}`;
    const measured: Measured[] = [
      {
        target: { label: "direct", url: fixture.url, tool: TOOL },
        upstreamPid: fixturePid,
        compareWith: [],
      },
      {
        target: { label: "http-relay", url: relay.url, tool: TOOL },
        process: relay,
        upstreamPid: fixturePid,
        compareWith: ["direct"],
      },
      {
        target: { label: "gateway", url: gateway.url, tool: viaGateway },
        process: gateway,
        upstreamPid: fixturePid,
        compareWith: ["direct", "http-relay"],
      },
      {
        target: {
          label: "gateway (2026-07-28)",
          url: gateway.url,
          tool: viaGateway,
          era: "modern",
        },
        process: gateway,
        upstreamPid: fixturePid,
        compareWith: ["direct", "gateway"],
      },
      {
        target: { label: "gateway+audit+traces", url: audited.url, tool: viaGateway },
        process: audited,
        upstreamPid: fixturePid,
        compareWith: ["direct", "gateway"],
      },
      {
        target: { label: "gateway->stdio", url: overStdio.url, tool: viaGateway },
        process: overStdio,
        // the gateway spawns it on the first session; looked up once that has happened
        upstreamPid: () => onlyChildPid(overStdio.child.pid),
        compareWith: ["direct", "gateway"],
      },
      ...(mcpProxy
        ? [
            {
              target: { label: "mcp-proxy->stdio", url: mcpProxy.url, tool: TOOL },
              process: mcpProxy,
              upstreamPid: () => onlyChildPid(mcpProxy.child.pid),
              compareWith: ["direct", "gateway->stdio"],
            },
          ]
        : []),
    ];
    for (const { target } of measured) {
      const check = await round(target, 20, 1, deadline);
      if (check.errors > 0)
        throw new Error(`${target.label}: ${check.errors} of 20 warm-up calls failed`);
    }
    console.log(
      `tools/call ${TOOL}: ${calls} calls per round, ${rounds} rounds; ` +
        measured.map((m) => `${m.target.label} ${m.target.url}`).join(", "),
    );
    console.log(
      "CPU ms per call: user+system time of each process over the round / calls (steady on a loaded machine)",
    );
    const summary: string[] = [];
    for (const concurrency of concurrencies) {
      const results: RoundResult[][] = [];
      for (let r = 1; r <= rounds && Date.now() < deadline; r++) {
        const row: RoundResult[] = [];
        for (const m of measured) {
          watched = { upstream: m.upstreamPid(), client: process.pid };
          if (m.process)
            watched[m.target.label.startsWith("gateway") ? "gateway" : "middle"] =
              m.process.child.pid;
          row.push(await round(m.target, calls, concurrency, deadline));
        }
        results.push(row);
        console.log(`c=${concurrency} round ${r}:`);
        printRow(measured, row, "  ");
      }
      if (results.length === 0) break;
      const medians = measured.map((_, i) => medianResult(results.map((row) => row[i]!)));
      summary.push(`c=${concurrency} median:`);
      summary.push(...rowLines(measured, medians, "  "));
    }
    if (Date.now() >= deadline)
      console.log("(time cap reached: later rounds skipped or cut short)");
    console.log(`\n${summary.join("\n")}`);
  } catch (e) {
    for (const middle of middles)
      console.error(`${middle.child.pid} stderr (last lines):\n${middle.stderrTail()}`);
    throw e;
  } finally {
    for (const middle of middles) await middle.stop();
    await fixture?.stop();
    for (const files of temporary) files.remove();
    collector.close();
  }
}

function medianResult(results: RoundResult[]): RoundResult {
  return {
    rps: median(results.map((x) => x.rps)),
    p50: median(results.map((x) => x.p50)),
    p99: median(results.map((x) => x.p99)),
    errors: results.reduce((n, x) => n + x.errors, 0),
    firstError: results.find((x) => x.firstError !== undefined)?.firstError,
    cpuPerCall: Object.fromEntries(
      Object.keys(results[0]!.cpuPerCall).map((name) => [
        name,
        median(results.map((x) => x.cpuPerCall[name]!)),
      ]),
    ),
  };
}

/** One line per target: figures, ratios to the targets it is compared with, CPU. */
function rowLines(measured: Measured[], row: RoundResult[], indent: string): string[] {
  const byLabel = new Map(measured.map((m, i) => [m.target.label, row[i]!]));
  return measured.map((m, i) => {
    const r = row[i]!;
    const vs = m.compareWith.map((label) => ` | vs ${label}: ${ratios(byLabel.get(label)!, r)}`);
    return `${indent}${m.target.label.padEnd(21)} ${fmt(r)}${vs.join("")}\n${indent}${" ".repeat(22)}CPU ms/call: ${fmtCpu(r)}`;
  });
}

function printRow(measured: Measured[], row: RoundResult[], indent: string): void {
  for (const line of rowLines(measured, row, indent)) console.log(line);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
