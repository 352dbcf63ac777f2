// Telemetry on in-memory providers (no OpenTelemetry globals): finished spans kept in memory,
// metrics read through the Prometheus endpoint the gateway serves.
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { Redactor } from "../../../gateway/redaction.ts";
import { PrometheusEndpoint, Telemetry } from "../../../gateway/telemetry/index.ts";

export function memoryTelemetry(redactor = new Redactor()) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const prometheus = new PrometheusEndpoint();
  const meterProvider = new MeterProvider({ readers: [prometheus.reader] });
  const telemetry = Telemetry.fromProviders({
    tracerProvider,
    meterProvider,
    prometheus,
    redactor,
    shutdown: async () => {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  });
  return { telemetry, exporter, spans: () => exporter.getFinishedSpans() };
}

/** The span named `name` (exactly one expected). */
export function only(spans: readonly ReadableSpan[], name: string | RegExp): ReadableSpan {
  const found = spans.filter((s) =>
    typeof name === "string" ? s.name === name : name.test(s.name),
  );
  if (found.length !== 1) {
    throw new Error(
      `expected one span named ${String(name)}, found ${found.length} among ${spans.map((s) => s.name).join(", ")}`,
    );
  }
  return found[0]!;
}

export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

/** The value of one Prometheus sample line, e.g. sample(text, "gatehouse_requests_total", {outcome: "ok"}). */
export function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}
