// Prometheus text for GET /metrics on the gateway's own port: the exporter's reader and
// serializer, without the separate HTTP server the exporter would otherwise start.
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export class PrometheusEndpoint {
  /** register with a MeterProvider (readers: [endpoint.reader]) */
  readonly reader = new PrometheusExporter({ preventServerStart: true });
  private readonly serializer = new PrometheusSerializer();

  /** Collects every instrument now and renders the exposition text. */
  async render(): Promise<string> {
    const { resourceMetrics, errors } = await this.reader.collect();
    if (errors.length > 0) {
      throw new Error(
        `collecting metrics failed: ${errors.map((e) => (e instanceof Error ? e.message : String(e))).join("; ")}`,
      );
    }
    return this.serializer.serialize(resourceMetrics);
  }
}
