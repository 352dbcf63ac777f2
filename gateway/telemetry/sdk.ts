// Starts the OpenTelemetry Node SDK for the process from resolved settings: exporters chosen
// here, sampler, span limits, batching, resource attributes and propagators from OTEL_* variables
// (read by the SDK itself). No auto-instrumentation: it would patch http and cost throughput;
// the gateway makes its own spans. The SDK is loaded only when telemetry is on.
import {
  context,
  diag,
  DiagLogLevel,
  logs,
  metrics,
  propagation,
  trace,
  type Meter,
  type Tracer,
} from "@opentelemetry/api";
import type { Logger } from "../log.ts";
import type { IMetricReader } from "@opentelemetry/sdk-metrics";
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import type { TelemetrySettings } from "./config.ts";
import { PrometheusEndpoint } from "./prometheus.ts";

export const INSTRUMENTATION_SCOPE = "gatehouse";

export interface StartedSdk {
  tracer: Tracer | null;
  meter: Meter | null;
  prometheus: PrometheusEndpoint | null;
  /** flushes pending spans and metrics, then releases the global registrations */
  shutdown(): Promise<void>;
}

let running = false;

/** The OTel API holds one global provider per signal, so one SDK per process. */
export async function startTelemetrySdk(
  settings: TelemetrySettings,
  env: Record<string, string | undefined> = process.env,
  log?: Logger,
): Promise<StartedSdk> {
  if (running) {
    throw new Error(
      "OpenTelemetry is already started in this process (another gateway?); close it first or set telemetry.enabled: false",
    );
  }
  const [{ NodeSDK }, resources] = await Promise.all([
    import("@opentelemetry/sdk-node"),
    import("@opentelemetry/resources"),
  ]);
  const readers: IMetricReader[] = [];
  const prometheus = settings.metrics.prometheus ? new PrometheusEndpoint() : null;
  if (prometheus) readers.push(prometheus.reader);
  if (settings.metrics.otlp) {
    const timeoutMillis = Math.min(10_000, settings.metrics.otlp.intervalMs);
    const [{ OTLPMetricExporter }, { PeriodicExportingMetricReader }] = await Promise.all([
      settings.metrics.otlp.protocol === "http/protobuf"
        ? import("@opentelemetry/exporter-metrics-otlp-proto")
        : import("@opentelemetry/exporter-metrics-otlp-http"),
      import("@opentelemetry/sdk-metrics"),
    ]);
    readers.push(
      new PeriodicExportingMetricReader({
        // an export (retries included) never outlives the interval: at most one is pending
        exporter: new OTLPMetricExporter({ url: settings.metrics.otlp.url, timeoutMillis }),
        exportIntervalMillis: settings.metrics.otlp.intervalMs,
        exportTimeoutMillis: timeoutMillis,
      }),
    );
  }
  const traceExporter = await createTraceExporter(settings.traces);
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    // the SDK wraps the exporter in a BatchSpanProcessor configured by OTEL_BSP_*
    ...(traceExporter ? { traceExporter } : { spanProcessors: [] }),
    metricReaders: readers,
    logRecordProcessors: [],
    instrumentations: [],
    // not the process detector by default: process.command_args may carry secrets
    ...(env.OTEL_NODE_RESOURCE_DETECTORS
      ? {}
      : {
          resourceDetectors: [
            resources.envDetector,
            resources.hostDetector,
            resources.osDetector,
            resources.serviceInstanceIdDetector,
          ],
        }),
  });
  // export failures (collector down, refused) reach the SDK's diagnostics only: route its warnings
  // and errors to the gateway's log, unless OTEL_LOG_LEVEL asked for the SDK's own console output
  if (log && !env.OTEL_LOG_LEVEL) {
    const to =
      (level: "warn" | "error") =>
      (message: string, ...args: unknown[]) =>
        log.log(
          level,
          `opentelemetry: ${diagText(message)}`,
          args.length > 0 ? { detail: args.map(String) } : undefined,
        );
    const ignore = () => {};
    diag.setLogger(
      { error: to("error"), warn: to("warn"), info: ignore, debug: ignore, verbose: ignore },
      DiagLogLevel.WARN,
    );
  }
  sdk.start();
  running = true;
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    try {
      await sdk.shutdown();
    } finally {
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
      logs.disable();
      if (log && !env.OTEL_LOG_LEVEL) diag.disable();
      running = false;
    }
  };
  return {
    tracer: traceExporter ? trace.getTracer(INSTRUMENTATION_SCOPE) : null,
    meter: readers.length > 0 ? metrics.getMeter(INSTRUMENTATION_SCOPE) : null,
    prometheus,
    shutdown() {
      stopping ??= stop();
      return stopping;
    },
  };
}

async function createTraceExporter(
  traces: TelemetrySettings["traces"],
): Promise<SpanExporter | undefined> {
  if (traces === null) return undefined;
  if (traces.exporter === "console") {
    const { ConsoleSpanExporter } = await import("@opentelemetry/sdk-trace");
    return new ConsoleSpanExporter();
  }
  const { OTLPTraceExporter } =
    traces.protocol === "http/protobuf"
      ? await import("@opentelemetry/exporter-trace-otlp-proto")
      : await import("@opentelemetry/exporter-trace-otlp-http");
  return new OTLPTraceExporter({ url: traces.url });
}

/** One line of a diagnostic: the SDK's error handler hands over JSON-serialized errors and
 * stacks. */
function diagText(message: string): string {
  let text = message;
  if (message.startsWith("{")) {
    try {
      const error = JSON.parse(message) as { message?: unknown; stack?: unknown };
      const inner = typeof error.message === "string" ? error.message : error.stack;
      if (typeof inner === "string") text = inner;
    } catch {
      // not JSON after all: the text as it is
    }
  }
  return text.split("\n")[0]!;
}
