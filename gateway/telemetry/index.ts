// Telemetry of a running gateway: the CallObserver that makes spans and metric points, the
// Prometheus text for /metrics, and the gauges other parts feed (upstream health, sync state).
import type { MeterProvider, TracerProvider } from "@opentelemetry/api";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider as SdkMeterProvider } from "@opentelemetry/sdk-metrics";
import type { Logger } from "../log.ts";
import type { UpstreamStatus } from "../mcp/contracts.ts";
import { noObserver, type CallObserver, type RequestFacts } from "../observer.ts";
import { Redactor } from "../redaction.ts";
import { resolveTelemetrySettings, type TelemetryConfig } from "./config.ts";
import { GatewayMetrics, type SyncState } from "./metrics.ts";
import { TelemetryObserver } from "./observer.ts";
import { PrometheusEndpoint } from "./prometheus.ts";
import { INSTRUMENTATION_SCOPE, startTelemetrySdk } from "./sdk.ts";

export {
  DEFAULT_TELEMETRY,
  TelemetryConfigError,
  resolveTelemetryConfig,
  resolveTelemetrySettings,
  telemetryLayer,
} from "./config.ts";
export type { TelemetryConfig, TelemetryLayer, TelemetrySettings } from "./config.ts";
export { PROMETHEUS_CONTENT_TYPE, PrometheusEndpoint } from "./prometheus.ts";
export type { SyncState } from "./metrics.ts";

export interface ProviderOptions {
  /** spans go here; none: no spans */
  tracerProvider?: TracerProvider;
  /** metric points go here; none: no metrics */
  meterProvider?: MeterProvider;
  /** a reader registered with meterProvider, for metricsText() */
  prometheus?: PrometheusEndpoint;
  redactor?: Redactor;
  /** called by close(), e.g. to flush and shut the providers down */
  shutdown?: () => Promise<void>;
}

export class Telemetry {
  private constructor(
    /** hand to the MCP layer (combined with the audit observer) */
    readonly observer: CallObserver,
    private readonly metrics: GatewayMetrics | null,
    private readonly prometheus: PrometheusEndpoint | null,
  ) {}

  /** No spans, no metrics, no /metrics. */
  static off(): Telemetry {
    return new Telemetry(noObserver, null, null);
  }

  /**
   * Telemetry on providers the caller built, without touching the OpenTelemetry globals
   * (tests: an in-memory span exporter; embedding: an application's own providers).
   */
  static fromProviders(options: ProviderOptions): Telemetry {
    const tracer = options.tracerProvider?.getTracer(INSTRUMENTATION_SCOPE) ?? null;
    const meter = options.meterProvider?.getMeter(INSTRUMENTATION_SCOPE);
    const metrics = meter ? new GatewayMetrics(meter) : null;
    if (!tracer && !metrics) return Telemetry.off();
    const observer = new TelemetryObserver({
      tracer,
      metrics,
      redactor: options.redactor ?? new Redactor(),
      shutdown: options.shutdown,
    });
    return new Telemetry(observer, metrics, options.prometheus ?? null);
  }

  /**
   * Telemetry from the `telemetry` config section and the OTEL_* environment (docs/telemetry.md).
   * When traces or OTLP metrics are on, starts the OpenTelemetry Node SDK for the process (one
   * per process); Prometheus alone needs no global state. Throws TelemetryConfigError on bad
   * settings.
   */
  static async start(
    config: TelemetryConfig,
    options: { env?: Record<string, string | undefined>; redactor?: Redactor; log?: Logger } = {},
  ): Promise<Telemetry> {
    const env = options.env ?? process.env;
    const settings = resolveTelemetrySettings(config, env);
    const redactor = options.redactor ?? new Redactor();
    if (!settings.traces && !settings.metrics.otlp) {
      if (!settings.metrics.prometheus) return Telemetry.off();
      // Prometheus only: a provider of our own and no process-wide SDK, so several gateways can
      // run in one process (tests, embedding)
      const prometheus = new PrometheusEndpoint();
      const meterProvider = new SdkMeterProvider({
        resource: defaultResource().merge(
          resourceFromAttributes({ "service.name": settings.serviceName }),
        ),
        readers: [prometheus.reader],
      });
      return Telemetry.fromProviders({
        meterProvider,
        prometheus,
        redactor,
        shutdown: () => meterProvider.shutdown(),
      });
    }
    const sdk = await startTelemetrySdk(settings, env, options.log);
    const metrics = sdk.meter ? new GatewayMetrics(sdk.meter) : null;
    const observer = new TelemetryObserver({
      tracer: sdk.tracer,
      metrics,
      redactor,
      shutdown: sdk.shutdown,
    });
    return new Telemetry(observer, metrics, sdk.prometheus);
  }

  /** Reports each upstream's health (gatehouse.upstream.up, .restarts) from the pool. */
  observeUpstreams(pool: { status(): readonly UpstreamStatus[] }): void {
    this.metrics?.observeUpstreams(() => pool.status());
  }

  /**
   * For the GitOps sync: call after every sync attempt with the active revision and the error of
   * the attempt (null when it succeeded). Feeds gatehouse.sync.healthy,
   * gatehouse.sync.last_success and gatehouse.policy.active{gatehouse.policy.revision}.
   */
  setSyncState(state: SyncState): void {
    this.metrics?.setSyncState(state);
  }

  /** Prometheus exposition text, or null when Prometheus is off (the route answers 404). */
  metricsText(): Promise<string> | null {
    return this.prometheus ? this.prometheus.render() : null;
  }

  /** The ids of a request's span (decision records carry them), or null when it is not traced. */
  traceIds(facts: RequestFacts): { traceId: string; spanId: string } | null {
    return this.observer instanceof TelemetryObserver ? this.observer.traceIds(facts) : null;
  }

  /** Flushes and stops exporting (also done by observer.close()). */
  close(): Promise<void> {
    return this.observer.close();
  }
}
