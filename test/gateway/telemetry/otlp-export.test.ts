// The production path: Telemetry.start() starts the OpenTelemetry Node SDK (global providers,
// one SDK at a time), and its OTLP/HTTP exporters deliver spans and metrics to a collector on
// loopback, in JSON and in protobuf.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogLevel } from "../../../gateway/log.ts";
import type { RequestFacts } from "../../../gateway/observer.ts";
import { DEFAULT_TELEMETRY, Telemetry } from "../../../gateway/telemetry/index.ts";
import { freePort, waitFor } from "../upstream/helpers.ts";
import { startOtlpReceiver } from "./otlp-receiver.ts";

const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const CLIENT_SPAN = "b7ad6b7169203331";

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;

beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  await receiver?.close();
});

/** One tools/call whose upstream fails: request, auth and upstream spans, and metric points. */
async function failingCall(telemetry: Telemetry): Promise<void> {
  const startedAt = performance.timeOrigin + performance.now();
  const facts: RequestFacts = {
    method: "tools/call",
    requestId: "r-1",
    sessionId: "session-otlp",
    principal: { sub: "bob", auth: "api_key" },
    virtualServer: null,
    remoteAddress: null,
    userAgent: null,
    traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01`,
    tracestate: null,
    startedAt,
    auth: { kind: "api_key", startedAt, endedAt: startedAt + 0.5 },
  };
  const request = telemetry.observer.startRequest(facts);
  const upstream = request.upstreamStarted({
    server: "files",
    transport: "stdio",
    method: "tools/call",
    target: "read_file",
  });
  const failure = { status: "error", code: -32603, message: "upstream exited" } as const;
  upstream.end(failure);
  await request.end(failure);
}

const SPAN_NAMES = ["auth", "tools/call", "tools/call read_file"];
const SOME_METRICS = ["gatehouse.requests", "mcp.server.operation.duration"];

describe("OTLP export", () => {
  it("exports the span tree and metrics to the configured collector (JSON)", async () => {
    const telemetry = await Telemetry.start(
      { ...DEFAULT_TELEMETRY, serviceName: "gatehouse-test", otlpEndpoint: receiver.url },
      { env: {} },
    );
    await failingCall(telemetry);
    // shutdown flushes the batch span processor and the periodic metric reader
    await telemetry.close();

    expect(receiver.exports.map((e) => e.path).sort()).toEqual(["/v1/metrics", "/v1/traces"]);
    for (const e of receiver.exports) expect(e.contentType).toMatch(/^application\/json/);
    const spans = receiver.spans();
    expect(spans.map((s) => s.name).sort()).toEqual(SPAN_NAMES);
    for (const span of spans) expect(span.traceId).toBe(TRACE_ID);
    const root = spans.find((s) => s.name === "tools/call")!;
    expect(root.parentSpanId).toBe(CLIENT_SPAN);
    expect(root.attributes).toMatchObject({
      "mcp.session.id": "session-otlp",
      "gatehouse.principal.subject": "bob",
      "gatehouse.outcome": "error",
      "error.type": "-32603",
    });
    expect(root.status?.code).toBe(2); // STATUS_CODE_ERROR
    const resource = receiver.exports.find((e) => e.path === "/v1/traces")!.body.resourceSpans as {
      resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    }[];
    const serviceName = resource[0]!.resource.attributes.find((a) => a.key === "service.name");
    expect(serviceName?.value.stringValue).toBe("gatehouse-test");
    expect(receiver.metricNames()).toEqual(expect.arrayContaining(SOME_METRICS));
  });

  it("exports protobuf when OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf", async () => {
    const telemetry = await Telemetry.start(
      { ...DEFAULT_TELEMETRY, otlpEndpoint: receiver.url },
      { env: { OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" } },
    );
    await failingCall(telemetry);
    await telemetry.close();

    expect(receiver.exports.map((e) => e.contentType)).toEqual([
      "application/x-protobuf",
      "application/x-protobuf",
    ]);
    expect(receiver.protobufNames("/v1/traces").sort()).toEqual(SPAN_NAMES);
    expect(receiver.protobufNames("/v1/metrics")).toEqual(expect.arrayContaining(SOME_METRICS));
  });

  it("tells the operator, through the gateway's log, when the collector cannot be reached", async () => {
    const lines: { level: LogLevel; message: string }[] = [];
    const closedPort = await freePort();
    const telemetry = await Telemetry.start(
      { ...DEFAULT_TELEMETRY, otlpEndpoint: `http://127.0.0.1:${closedPort}` },
      {
        // metrics only, pushed every 200 ms (a span flush would retry for seconds at close)
        env: { OTEL_METRIC_EXPORT_INTERVAL: "200", OTEL_TRACES_EXPORTER: "none" },
        log: { log: (level, message) => void lines.push({ level, message }) },
      },
    );
    await failingCall(telemetry);
    const failure = (l: { level: LogLevel; message: string }) =>
      l.level === "error" && /^opentelemetry: [^\n]*export (failed|timed out)/.test(l.message);
    await waitFor("a failed export in the log", () => lines.some(failure), 20_000);
    // the flush at shutdown may fail as well: the gateway logs close()'s rejection
    await telemetry.close().catch(() => undefined);
  });
});
