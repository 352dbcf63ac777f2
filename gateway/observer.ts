// What the MCP layer tells telemetry (spans, metrics) and audit (decision records) about each
// downstream request. gateway/mcp calls these hooks; gateway/telemetry and gateway/audit implement
// them. One observation per JSON-RPC request that reaches a session (notifications have none).
import type { Decision, DecisionInput } from "./policy/index.ts";
import type { Principal } from "./mcp/contracts.ts";

export interface RequestFacts {
  /** JSON-RPC method, e.g. "tools/call" */
  method: string;
  /** the client's JSON-RPC id */
  requestId: string | number;
  /** the handshake-era session; null for a protocol revision 2026-07-28 request (no sessions) */
  sessionId: string | null;
  principal: Principal;
  /** virtual server name when the session is on /mcp/<name> */
  virtualServer: string | null;
  remoteAddress: string | null;
  userAgent: string | null;
  /** W3C trace context headers from the client's HTTP request, when it sent them */
  traceparent: string | null;
  tracestate: string | null;
  /** wall clock at the start, ms since the epoch (fractional) */
  startedAt: number;
  /** how the HTTP request was authenticated, with its timing (ms since the epoch), for an
   * `auth` span; null when the request carried no credentials of its own (dev principal) */
  auth: { kind: string; startedAt: number; endedAt: number } | null;
}

export interface DecisionFacts {
  decision: Decision;
  /** the input the policy saw (unredacted: observers redact before storing or exporting) */
  input: DecisionInput;
  /** hex sha256 of the active bundle */
  bundleDigest: string;
}

export interface UpstreamFacts {
  server: string;
  /** "stdio" | "streamable-http" | "sse" */
  transport: string;
  /** method sent upstream (after un-namespacing), e.g. "tools/call" */
  method: string;
  /** upstream-side name (tool name without the server prefix, or prompt name, or URI) */
  target: string | null;
}

export type Outcome =
  | { status: "ok" }
  /** denied by policy (the decision says why) */
  | { status: "denied" }
  /** a JSON-RPC error answered to the client; code and message as the client sees them */
  | { status: "error"; code: number; message: string };

export interface UpstreamObservation {
  /** Trace context headers naming this upstream call (traceparent/tracestate), for an HTTP
   * upstream; none when nothing traces. */
  propagationHeaders(): Record<string, string>;
  end(outcome: Outcome): void;
}

export interface RequestObservation {
  /** The policy decided (at most once per request). */
  decided(facts: DecisionFacts): void;
  upstreamStarted(facts: UpstreamFacts): UpstreamObservation;
  /**
   * The request is answered. When this returns a promise, the gateway waits for it before the
   * response leaves (a recorder that must make a record durable first, e.g. for denials); a
   * rejection turns the answer into an error (fail closed) and is logged.
   */
  end(outcome: Outcome): void | Promise<void>;
}

export interface CallObserver {
  startRequest(facts: RequestFacts): RequestObservation;
  /** flush buffers and stop background work (gateway shutdown) */
  close(): Promise<void>;
}

const NO_UPSTREAM: UpstreamObservation = { propagationHeaders: () => ({}), end() {} };
const NO_REQUEST: RequestObservation = {
  decided() {},
  upstreamStarted: () => NO_UPSTREAM,
  end() {},
};

/** Observes nothing: the default when neither telemetry nor audit is configured. */
export const noObserver: CallObserver = {
  startRequest: () => NO_REQUEST,
  close: async () => {},
};

/** Several observers as one; the first one's propagation headers win. */
export function combineObservers(observers: CallObserver[]): CallObserver {
  const active = observers.filter((o) => o !== noObserver);
  if (active.length === 0) return noObserver;
  if (active.length === 1) return active[0]!;
  return {
    startRequest(facts) {
      const requests = active.map((o) => o.startRequest(facts));
      return {
        decided: (d) => requests.forEach((r) => r.decided(d)),
        upstreamStarted(u) {
          const ups = requests.map((r) => r.upstreamStarted(u));
          return {
            propagationHeaders: () => ups[0]!.propagationHeaders(),
            end: (outcome) => ups.forEach((x) => x.end(outcome)),
          };
        },
        end(outcome) {
          const waits = requests
            .map((r) => r.end(outcome))
            .filter((w): w is Promise<void> => w instanceof Promise);
          if (waits.length > 0) return Promise.all(waits).then(() => undefined);
        },
      };
    },
    close: async () => {
      await Promise.all(active.map((o) => o.close()));
    },
  };
}
