// A minimal OTLP/HTTP collector on loopback: records what exporters POST to /v1/traces and
// /v1/metrics (gzip or not), decoding the JSON encoding into plain objects; for the protobuf
// encoding it keeps the bytes and reads span and metric names off the wire format.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

export interface OtlpExport {
  path: string;
  contentType: string | undefined;
  /** the decoded JSON body; {} for protobuf */
  body: Record<string, unknown>;
  /** the (uncompressed) bytes as received */
  raw: Buffer;
}

export interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: number;
  attributes: Record<string, unknown>;
  status?: { code?: number; message?: string };
}

type KeyValue = { key: string; value: Record<string, unknown> };

function anyValue(value: Record<string, unknown>): unknown {
  if ("stringValue" in value) return value.stringValue;
  if ("intValue" in value) return Number(value.intValue);
  if ("doubleValue" in value) return value.doubleValue;
  if ("boolValue" in value) return value.boolValue;
  if ("arrayValue" in value) {
    const values = (value.arrayValue as { values?: Record<string, unknown>[] }).values ?? [];
    return values.map(anyValue);
  }
  return value;
}

export function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]));
}

export async function startOtlpReceiver() {
  const exports: OtlpExport[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let raw = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") raw = gunzipSync(raw);
      const contentType = req.headers["content-type"];
      let body: Record<string, unknown> = {};
      if (contentType?.startsWith("application/json")) {
        try {
          body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
        } catch {
          res.writeHead(400).end("not JSON");
          return;
        }
      } else if (contentType !== "application/x-protobuf") {
        res.writeHead(415).end();
        return;
      }
      exports.push({ path: req.url ?? "", contentType, body, raw });
      // an empty ExportServiceResponse, in the request's encoding
      if (contentType === "application/x-protobuf")
        res.writeHead(200, { "content-type": contentType }).end();
      else res.writeHead(200, { "content-type": "application/json" }).end("{}");
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    /** every span received so far, attributes decoded */
    spans(): OtlpSpan[] {
      return exports
        .filter((e) => e.path === "/v1/traces")
        .flatMap(
          (e) => e.body.resourceSpans as { scopeSpans: { spans: Record<string, unknown>[] }[] }[],
        )
        .flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
        .map((s) => ({
          ...(s as unknown as OtlpSpan),
          attributes: attributesOf(s.attributes as KeyValue[]),
        }));
    },
    /** names of every metric received so far */
    metricNames(): string[] {
      return exports
        .filter((e) => e.path === "/v1/metrics")
        .flatMap(
          (e) => e.body.resourceMetrics as { scopeMetrics: { metrics: { name: string }[] }[] }[],
        )
        .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.name)));
    },
    /** names read from protobuf exports: span names (/v1/traces) or metric names (/v1/metrics) */
    protobufNames(path: "/v1/traces" | "/v1/metrics"): string[] {
      // ExportTraceServiceRequest.resource_spans(1).scope_spans(2).spans(2).name(5);
      // ExportMetricsServiceRequest.resource_metrics(1).scope_metrics(2).metrics(2).name(1)
      const nameField = path === "/v1/traces" ? 5 : 1;
      return exports
        .filter((e) => e.path === path && e.contentType === "application/x-protobuf")
        .flatMap((e) => submessages(e.raw, 1))
        .flatMap((resource) => submessages(resource, 2))
        .flatMap((scope) => submessages(scope, 2))
        .flatMap((item) => submessages(item, nameField).map((name) => name.toString("utf8")));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The length-delimited values of field `field` in one protobuf message (wire format). */
function submessages(message: Buffer, field: number): Buffer[] {
  const found: Buffer[] = [];
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = message[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
    }
  };
  while (at < message.length) {
    const key = varint();
    const wireType = key % 8;
    const number = Math.floor(key / 8);
    if (wireType === 0) varint();
    else if (wireType === 1) at += 8;
    else if (wireType === 5) at += 4;
    else if (wireType === 2) {
      const length = varint();
      if (number === field) found.push(message.subarray(at, at + length));
      at += length;
    } else throw new Error(`unexpected protobuf wire type ${wireType}`);
  }
  return found;
}
