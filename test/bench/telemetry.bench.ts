// node --experimental-transform-types --disable-warning=ExperimentalWarning test/bench/telemetry.bench.ts [--requests 100000 --rounds 5]
// Per-request cost of the telemetry observer, measured on the observer alone (no HTTP): each
// request is what the MCP layer does for an allowed tools/call (startRequest with an auth timing,
// decided, upstreamStarted, the upstream's propagationHeaders, upstream end, end). Variants, interleaved in
// rounds: noObserver (the floor), metrics only, spans + metrics with a BatchSpanProcessor and an
// exporter that drops everything (the SDK's work without the network), and spans sampled out.
// Prints CPU microseconds per request (process.cpuUsage) per round and the median per variant.
import { parseArgs } from "node:util";
import { ExportResultCode } from "@opentelemetry/core";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  type SpanExporter,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { noObserver, type CallObserver, type RequestFacts } from "../../gateway/observer.ts";
import { buildDecisionInput, noObligations, type Decision } from "../../gateway/policy/index.ts";
import { PrometheusEndpoint, Telemetry } from "../../gateway/telemetry/index.ts";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "100000" },
    rounds: { type: "string", default: "5" },
  },
});
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);

const droppingExporter: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: async () => {},
};

function meterProvider() {
  const prometheus = new PrometheusEndpoint();
  return { prometheus, meterProvider: new MeterProvider({ readers: [prometheus.reader] }) };
}

function tracerProvider(sampled: boolean) {
  return new TracerProvider({
    spanProcessors: [
      // the SDK's defaults (queue 2048, batches of 512), as OTEL_BSP_* would leave them
      new BatchSpanProcessor({ exporter: droppingExporter }),
    ],
    ...(sampled ? {} : { sampler: new AlwaysOffSampler() }),
  });
}

const variants: Record<string, () => CallObserver> = {
  noObserver: () => noObserver,
  "metrics only": () => Telemetry.fromProviders(meterProvider()).observer,
  "spans+metrics": () =>
    Telemetry.fromProviders({ ...meterProvider(), tracerProvider: tracerProvider(true) }).observer,
  "spans sampled out+metrics": () =>
    Telemetry.fromProviders({ ...meterProvider(), tracerProvider: tracerProvider(false) }).observer,
};

const input = buildDecisionInput({
  request: { id: "1" },
  principal: { sub: "alice@example.com", auth: "jwt", groups: ["eng"] },
  session: { id: "session-1" },
  mcp: { method: "tools/call", server: "github", tool: "create_issue", arguments: { title: "x" } },
  server: { name: "github" },
});
const decision: Decision = {
  allow: true,
  reasons: ["eng may write to github"],
  obligations: noObligations(),
  visible_tools: [],
  decisionId: "0190f0e2-0000-7000-8000-000000000001",
  evalMicros: 35,
  revision: "rev-abc",
};
const upstreamFacts = {
  server: "github",
  transport: "streamable-http",
  method: "tools/call",
  target: "create_issue",
};

function facts(i: number): RequestFacts {
  const now = performance.timeOrigin + performance.now();
  return {
    method: "tools/call",
    requestId: i,
    sessionId: "session-1",
    principal: { sub: "alice@example.com", auth: "jwt", groups: ["eng"] },
    virtualServer: null,
    remoteAddress: "127.0.0.1",
    userAgent: "bench/1.0",
    traceparent: i % 2 === 0 ? "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" : null,
    tracestate: null,
    startedAt: now,
    auth: { kind: "jwt", startedAt: now - 0.05, endedAt: now - 0.01 },
  };
}

/** CPU µs per request. Yields to the event loop every 64 requests, as a busy server does, so
 * the batch span processor exports (and frees) spans as it would in production. */
async function run(observer: CallObserver, count: number): Promise<number> {
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const request = observer.startRequest(facts(i));
    request.decided({ decision, input, bundleDigest: "d".repeat(64) });
    const upstream = request.upstreamStarted(upstreamFacts);
    upstream.propagationHeaders();
    upstream.end({ status: "ok" });
    void request.end({ status: "ok" });
    if (i % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / count;
}

const observers = Object.fromEntries(
  Object.entries(variants).map(([name, make]) => [name, make()]),
);
for (const observer of Object.values(observers)) await run(observer, Math.min(REQUESTS, 20_000)); // warm up
const results: Record<string, number[]> = Object.fromEntries(
  Object.keys(variants).map((n) => [n, []]),
);
for (let round = 1; round <= ROUNDS; round++) {
  const line: string[] = [];
  for (const [name, observer] of Object.entries(observers)) {
    const micros = await run(observer, REQUESTS);
    results[name]!.push(micros);
    line.push(`${name} ${micros.toFixed(2)}`);
    // let the batch processor drain between variants
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  console.log(`round ${round}: ${line.join(" | ")} (CPU µs/request)`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const floor = median(results.noObserver!);
console.log(`\n${REQUESTS} requests x ${ROUNDS} rounds; median CPU µs per request:`);
for (const [name, xs] of Object.entries(results)) {
  const m = median(xs);
  console.log(
    `  ${name.padEnd(26)} ${m.toFixed(2).padStart(7)}  (+${(m - floor).toFixed(2)} over noObserver)`,
  );
}
await Promise.all(Object.values(observers).map((o) => o.close()));
