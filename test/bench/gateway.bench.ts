// npm run bench:gateway [-- --calls 2000 --rounds 3 --concurrency 1,8,32 --max-seconds 300]
// The same tools/call load (test_simple_text of the conformance fixture) sent with the SDK Client
// over Streamable HTTP directly to the upstream and through two gateways (`gatehouse serve`, the
// repo's default policies/ deciding every call): one with policy only, one that also writes
// decision records (SQLite) and traces every request. Interleaved rounds (direct, gateway,
// gateway+audit+traces, direct, ...), since the machine is noisy. Prints rps, p50/p99 latency, the
// ratios to direct (and of audit+traces to the plain gateway), the CPU each process spent per
// call, and medians over the rounds. Everything runs on 127.0.0.1, each process on its own.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
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
  label: string;
  url: string;
  tool: string;
}

interface RoundResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
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
  const cpuBefore = Object.fromEntries(
    Object.entries(watched).map(([name, pid]) => [name, cpuMillis(pid)]),
  );
  let cpuPerCall: Record<string, number> = {};
  try {
    await Promise.all(clients.map(({ client }) => worker(client)));
    cpuPerCall = Object.fromEntries(
      Object.entries(watched).map(([name, pid]) => [
        name,
        (cpuMillis(pid) - cpuBefore[name]!) / Math.max(1, latencies.length),
      ]),
    );
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
    cpuPerCall,
  };
}

const fmt = (r: RoundResult) =>
  `${r.rps.toFixed(0).padStart(6)} rps  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms` +
  (r.errors ? `  (${r.errors} errors)` : "");
const fmtCpu = (r: RoundResult) =>
  Object.entries(r.cpuPerCall)
    .filter(([, ms]) => Number.isFinite(ms))
    .map(([name, ms]) => `${name} ${ms.toFixed(3)}`)
    .join(", ");
const ratios = (d: RoundResult, g: RoundResult) =>
  `rps x${(g.rps / d.rps).toFixed(2)}  p50 x${(g.p50 / d.p50).toFixed(2)}  p99 x${(g.p99 / d.p99).toFixed(2)}`;

/** The gateway set-ups measured against direct: policy only, and policy + audit + tracing. */
const VARIANTS = [
  {
    label: "gateway",
    name: "policy-only",
    settings: () => ({ audit: { enabled: false }, telemetry: { enabled: false } }),
  },
  {
    label: "gateway+audit+traces",
    name: "audited",
    // decision records in SQLite (the embedded default) and a span tree per request, exported
    // over OTLP/HTTP to a collector in this process that takes and drops them
    settings: (collector: string) => ({
      audit: { enabled: true },
      telemetry: { enabled: true, otlpEndpoint: collector },
    }),
  },
] as const;

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
  process?: RunningProcess;
}

async function main(): Promise<void> {
  const calls = numberOption("--calls", 2000);
  const rounds = numberOption("--rounds", 3);
  const concurrencies = listOption("--concurrency", [1, 8, 32]);
  const deadline = Date.now() + numberOption("--max-seconds", 300) * 1000;

  let fixture: RunningProcess | undefined;
  const gateways: RunningProcess[] = [];
  let files: GatewayFiles | undefined;
  const collector = await startDiscardingCollector();
  try {
    fixture = await startFixtureProcess();
    files = writeGatewayFiles({ type: "http", url: fixture.url });
    const measured: Measured[] = [{ target: { label: "direct", url: fixture.url, tool: TOOL } }];
    for (const variant of VARIANTS) {
      const config = writeGatewayConfig(files, [join(REPO_ROOT, "policies")], {
        name: variant.name,
        settings: variant.settings(collector.url),
      });
      const gateway = await startGatewayProcess(config);
      gateways.push(gateway);
      measured.push({
        target: { label: variant.label, url: gateway.url, tool: `${UPSTREAM_NAME}__${TOOL}` },
        process: gateway,
      });
    }
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
          watched = { upstream: fixture.child.pid, client: process.pid };
          if (m.process) watched.gateway = m.process.child.pid;
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
    for (const gateway of gateways)
      console.error(`gateway stderr (last lines):\n${gateway.stderrTail()}`);
    throw e;
  } finally {
    for (const gateway of gateways) await gateway.stop();
    await fixture?.stop();
    files?.remove();
    collector.close();
  }
}

function medianResult(results: RoundResult[]): RoundResult {
  return {
    rps: median(results.map((x) => x.rps)),
    p50: median(results.map((x) => x.p50)),
    p99: median(results.map((x) => x.p99)),
    errors: results.reduce((n, x) => n + x.errors, 0),
    cpuPerCall: Object.fromEntries(
      Object.keys(results[0]!.cpuPerCall).map((name) => [
        name,
        median(results.map((x) => x.cpuPerCall[name]!)),
      ]),
    ),
  };
}

/** One line per target: figures, ratio to direct (and, for the audited gateway, to the plain one), CPU. */
function rowLines(measured: Measured[], row: RoundResult[], indent: string): string[] {
  const direct = row[0]!;
  return measured.map((m, i) => {
    const r = row[i]!;
    const vsDirect = i === 0 ? "" : ` | vs direct: ${ratios(direct, r)}`;
    const vsPlain = i >= 2 ? ` | vs ${measured[1]!.target.label}: ${ratios(row[1]!, r)}` : "";
    return `${indent}${m.target.label.padEnd(21)} ${fmt(r)}${vsDirect}${vsPlain}\n${indent}${" ".repeat(22)}CPU ms/call: ${fmtCpu(r)}`;
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
