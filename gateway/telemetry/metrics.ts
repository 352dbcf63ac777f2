// The gateway's metric instruments, and the observable gauges fed from the upstream pool and
// the policy sync state.
import type { Attributes, Counter, Histogram, Meter, UpDownCounter } from "@opentelemetry/api";
import type { UpstreamStatus } from "../mcp/contracts.ts";

/** What the GitOps sync last did; see Telemetry.setSyncState. */
export interface SyncState {
  /** the revision now active (null before the first successful sync) */
  revision: string | null;
  /** why the last attempt failed, or null when it succeeded */
  lastError: string | null;
  /** when the attempt finished; defaults to now */
  at?: Date;
}

// Seconds. Requests through the gateway span sub-millisecond denials to minute-long tool calls.
const REQUEST_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];
// Seconds. A compiled policy decides in tens of microseconds.
const EVAL_BUCKETS = [
  0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05,
];

export class GatewayMetrics {
  readonly requests: Counter;
  readonly requestDuration: Histogram;
  readonly decisions: Counter;
  readonly evalDuration: Histogram;
  readonly upstreamDuration: Histogram;
  /** +1 on the active revision, -1 on the one it replaced: an async gauge would keep reporting
   * a revision's last value after its attribute set is gone */
  private readonly activeRevision: UpDownCounter;
  private upstreams: (() => readonly UpstreamStatus[]) | undefined;
  private sync: Required<SyncState> | undefined;
  private lastSyncSuccess: Date | undefined;

  constructor(private readonly meter: Meter) {
    this.requests = meter.createCounter("gatehouse.requests", {
      description: "MCP requests answered, by method and outcome (ok, denied, error)",
      unit: "{request}",
    });
    this.requestDuration = meter.createHistogram("mcp.server.operation.duration", {
      description: "Time from receiving an MCP request to answering it",
      unit: "s",
      advice: { explicitBucketBoundaries: REQUEST_BUCKETS },
    });
    this.decisions = meter.createCounter("gatehouse.policy.decisions", {
      description: "Policy decisions, by method, server and result (allow, deny)",
      unit: "{decision}",
    });
    this.evalDuration = meter.createHistogram("gatehouse.policy.evaluation.duration", {
      description: "Time the policy took to decide",
      unit: "s",
      advice: { explicitBucketBoundaries: EVAL_BUCKETS },
    });
    this.upstreamDuration = meter.createHistogram("mcp.client.operation.duration", {
      description: "Time an upstream MCP server took to answer a forwarded request",
      unit: "s",
      advice: { explicitBucketBoundaries: REQUEST_BUCKETS },
    });
    this.activeRevision = meter.createUpDownCounter("gatehouse.policy.active", {
      description:
        "1 for the active policy revision (attribute gatehouse.policy.revision), 0 for earlier ones",
    });
    this.registerUpstreamGauges();
    this.registerSyncGauges();
  }

  /** Reports each upstream's health from `status()` at every collection. */
  observeUpstreams(status: () => readonly UpstreamStatus[]): void {
    this.upstreams = status;
  }

  setSyncState(state: SyncState): void {
    const at = state.at ?? new Date();
    const previous = this.sync?.revision ?? null;
    if (state.revision !== previous) {
      if (previous !== null) this.activeRevision.add(-1, { "gatehouse.policy.revision": previous });
      if (state.revision !== null)
        this.activeRevision.add(1, { "gatehouse.policy.revision": state.revision });
    }
    this.sync = { revision: state.revision, lastError: state.lastError, at };
    if (state.lastError === null) this.lastSyncSuccess = at;
  }

  private registerUpstreamGauges(): void {
    const up = this.meter.createObservableGauge("gatehouse.upstream.up", {
      description: "1 when the upstream server is connected and ready, else 0",
    });
    const restarts = this.meter.createObservableCounter("gatehouse.upstream.restarts", {
      description: "Times the gateway restarted or reconnected the upstream server",
      unit: "{restart}",
    });
    this.meter.addBatchObservableCallback(
      (result) => {
        for (const status of this.upstreams?.() ?? []) {
          const attributes: Attributes = {
            "gatehouse.server": status.name,
            "gatehouse.upstream.transport": status.transport,
          };
          result.observe(up, status.state === "ready" ? 1 : 0, attributes);
          result.observe(restarts, status.restarts, attributes);
        }
      },
      [up, restarts],
    );
  }

  private registerSyncGauges(): void {
    const healthy = this.meter.createObservableGauge("gatehouse.sync.healthy", {
      description: "1 when the last policy sync succeeded, 0 when it failed",
    });
    const lastSuccess = this.meter.createObservableGauge("gatehouse.sync.last_success", {
      description: "When the last policy sync succeeded (Unix time)",
      unit: "s",
    });
    this.meter.addBatchObservableCallback(
      (result) => {
        const sync = this.sync;
        if (!sync) return;
        result.observe(healthy, sync.lastError === null ? 1 : 0);
        if (this.lastSyncSuccess)
          result.observe(lastSuccess, this.lastSyncSuccess.getTime() / 1000);
      },
      [healthy, lastSuccess],
    );
  }
}
