// The CallObserver that turns each MCP request into a span tree (request -> auth,
// policy.decision, upstream) and metric points. Spans carry identities, names and the decision,
// never arguments, results or credentials; every string attribute, span name and status message
// passes the secret redaction (gateway/redaction.ts) first.
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import type {
  CallObserver,
  DecisionFacts,
  Outcome,
  RequestFacts,
  RequestObservation,
  UpstreamFacts,
  UpstreamObservation,
} from "../observer.ts";
import type { Redactor } from "../redaction.ts";
import * as A from "./attributes.ts";
import type { GatewayMetrics } from "./metrics.ts";

const propagator = new W3CTraceContextPropagator();
/** longest free-text attribute value kept (reasons, error messages, URIs) */
const MAX_TEXT = 512;
const MAX_REASONS = 16;

export interface TelemetryObserverOptions {
  /** null: no spans (metrics only) */
  tracer: Tracer | null;
  /** null: no metrics (spans only) */
  metrics: GatewayMetrics | null;
  redactor: Redactor;
  /** flushes and stops the providers (called by close()) */
  shutdown?: () => Promise<void>;
}

/** Wall clock in fractional milliseconds, the clock RequestFacts uses. */
function now(): number {
  return performance.timeOrigin + performance.now();
}

export class TelemetryObserver implements CallObserver {
  /** by the facts object every observer of a request is given (combineObservers) */
  private readonly traces = new WeakMap<RequestFacts, RequestTrace>();

  constructor(readonly options: TelemetryObserverOptions) {}

  startRequest(facts: RequestFacts): RequestObservation {
    const trace = new RequestTrace(this.options, facts);
    this.traces.set(facts, trace);
    return trace;
  }

  /** The trace and span id of a request's span, for its decision record (null: not traced). */
  traceIds(facts: RequestFacts): { traceId: string; spanId: string } | null {
    return this.traces.get(facts)?.ids() ?? null;
  }

  close(): Promise<void> {
    return this.options.shutdown?.() ?? Promise.resolve();
  }

  /** Redacted, bounded free text for an attribute (redacted before it is cut, so a secret
   * split by the cut is still recognised). */
  static text(redactor: Redactor, value: string): string {
    const clean = redactor.redactText(value);
    return clean.length > MAX_TEXT ? `${clean.slice(0, MAX_TEXT)}…` : clean;
  }

  /** `attributes` with every string value (and string in an array) redacted and bounded. */
  static redacted(redactor: Redactor, attributes: Attributes): Attributes {
    for (const [key, value] of Object.entries(attributes)) {
      if (typeof value === "string") attributes[key] = TelemetryObserver.text(redactor, value);
      else if (Array.isArray(value)) {
        attributes[key] = value.map((item: unknown) =>
          typeof item === "string" ? TelemetryObserver.text(redactor, item) : item,
        ) as typeof value;
      }
    }
    return attributes;
  }
}

class RequestTrace implements RequestObservation {
  /** the request span; without a tracer, none */
  private readonly span: Span | undefined;
  /** false when the sampler dropped the request: no attributes, no children are made */
  private readonly recording: boolean;
  /** context whose active span is the request span: the parent of the children */
  private readonly context: Context;
  private readonly method: string;
  private readonly startedAt: number;
  private ended = false;

  constructor(
    private readonly options: TelemetryObserverOptions,
    facts: RequestFacts,
  ) {
    this.method = A.boundedMethod(facts.method);
    this.startedAt = facts.startedAt;
    const tracer = options.tracer;
    if (!tracer) {
      this.context = ROOT_CONTEXT;
      this.recording = false;
      return;
    }
    // the client's traceparent makes the request span its child; its tracestate is not taken in:
    // it is the caller's vendor data, and what the span carries goes upstream with the gateway's
    // own traceparent (propagationHeaders) and into exported spans
    const parent =
      facts.traceparent === null
        ? ROOT_CONTEXT
        : propagator.extract(
            ROOT_CONTEXT,
            { traceparent: facts.traceparent },
            defaultTextMapGetter,
          );
    const auth = facts.auth;
    // authentication happened before the JSON-RPC request was read: the span covers both
    const startTime = auth && auth.startedAt < facts.startedAt ? auth.startedAt : facts.startedAt;
    this.span = tracer.startSpan(
      this.method,
      { kind: SpanKind.SERVER, startTime, attributes: { [A.MCP_METHOD_NAME]: this.method } },
      parent,
    );
    this.context = trace.setSpan(ROOT_CONTEXT, this.span);
    this.recording = this.span.isRecording();
    if (!this.recording) return;
    // each attribute costs the SDK a validation: semantic-convention names are not repeated
    // under gatehouse.* (mcp.method.name is the method, mcp.session.id the session)
    const attributes: Attributes = {
      [A.RPC_SYSTEM_NAME]: "jsonrpc",
      [A.JSONRPC_REQUEST_ID]: this.text(String(facts.requestId)),
      [A.NETWORK_TRANSPORT]: "tcp",
      [A.NETWORK_PROTOCOL_NAME]: "http",
      [A.GH_PRINCIPAL_SUBJECT]: facts.principal.sub,
      [A.GH_PRINCIPAL_AUTH]: facts.principal.auth,
    };
    if (facts.sessionId !== null) attributes[A.MCP_SESSION_ID] = facts.sessionId;
    if (this.method === "_OTHER")
      attributes[A.RPC_METHOD_ORIGINAL] = this.text(facts.method.slice(0, 64));
    if (facts.virtualServer !== null) attributes[A.GH_VIRTUAL_SERVER] = facts.virtualServer;
    if (facts.remoteAddress !== null) attributes[A.CLIENT_ADDRESS] = facts.remoteAddress;
    if (facts.userAgent !== null) attributes[A.USER_AGENT_ORIGINAL] = this.text(facts.userAgent);
    this.span.setAttributes(this.redacted(attributes));
    if (auth) {
      tracer
        .startSpan(
          A.SPAN_AUTH,
          { startTime: auth.startedAt, attributes: { [A.GH_AUTH_KIND]: auth.kind } },
          this.context,
        )
        .end(auth.endedAt);
    }
  }

  ids(): { traceId: string; spanId: string } | null {
    if (!this.span || !this.recording) return null;
    const { traceId, spanId } = this.span.spanContext();
    return { traceId, spanId };
  }

  /** W3C headers naming `span` (an upstream call's), or the request's span when it has none. */
  propagationHeaders(span: Span | undefined): Record<string, string> {
    const named = span ?? this.span;
    if (!named) return {};
    const headers: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, named), headers, defaultTextMapSetter);
    return headers;
  }

  decided({ decision, input, bundleDigest }: DecisionFacts): void {
    const mcp = input.mcp;
    const metrics = this.options.metrics;
    if (metrics) {
      const attributes: Attributes = {
        [A.MCP_METHOD_NAME]: this.method,
        [A.GH_DECISION]: decision.allow ? "allow" : "deny",
      };
      if (mcp.server !== null) attributes[A.GH_SERVER] = mcp.server;
      metrics.decisions.add(1, attributes);
      metrics.evalDuration.record(decision.evalMicros / 1e6, attributes);
    }
    const tracer = this.options.tracer;
    if (!tracer || !this.span || !this.recording) return;
    // the policy.decision span says what decided and how fast; the request span carries the rest
    const verdict: Attributes = {
      [A.GH_DECISION]: decision.allow ? "allow" : "deny",
      [A.GH_DECISION_ID]: decision.decisionId,
      [A.GH_POLICY_REVISION]: decision.revision,
      [A.GH_EVAL_TIME_US]: decision.evalMicros,
    };
    if (decision.error) verdict[A.GH_DECISION_ERROR] = decision.error.kind;
    const end = now();
    tracer
      .startSpan(
        A.SPAN_POLICY_DECISION,
        { startTime: end - decision.evalMicros / 1000, attributes: this.redacted(verdict) },
        this.context,
      )
      .end(end);
    const attributes: Attributes = {
      ...verdict,
      // redacted with the rest below (a denial reason may quote a key)
      [A.GH_DECISION_REASONS]: decision.reasons.slice(0, MAX_REASONS),
      [A.GH_BUNDLE_DIGEST]: bundleDigest,
    };
    if (mcp.server !== null) attributes[A.GH_SERVER] = mcp.server;
    if (mcp.tool !== null) {
      attributes[A.GH_TOOL] = mcp.tool;
      attributes[A.GEN_AI_TOOL_NAME] = mcp.tool;
      if (this.method === "tools/call") attributes[A.GEN_AI_OPERATION_NAME] = "execute_tool";
      this.span.updateName(`${this.method} ${this.text(mcp.tool)}`);
    } else if (mcp.prompt !== null) {
      attributes[A.GEN_AI_PROMPT_NAME] = mcp.prompt;
      this.span.updateName(`${this.method} ${this.text(mcp.prompt)}`);
    }
    if (mcp.uri !== null) attributes[A.MCP_RESOURCE_URI] = mcp.uri;
    // tool, prompt and server names come from the client's request: redacted like free text
    this.span.setAttributes(this.redacted(attributes));
  }

  upstreamStarted(facts: UpstreamFacts): UpstreamObservation {
    return new UpstreamTrace(this, facts);
  }

  /** Called by UpstreamTrace: the span to propagate while the upstream call runs. */
  startUpstreamSpan(facts: UpstreamFacts, startTime: number): Span | undefined {
    const tracer = this.options.tracer;
    // an unsampled request propagates its own (unsampled) context
    if (!tracer || !this.recording) return undefined;
    const method = A.boundedMethod(facts.method);
    const attributes: Attributes = {
      [A.MCP_METHOD_NAME]: method,
      [A.RPC_SYSTEM_NAME]: "jsonrpc",
      [A.GH_SERVER]: facts.server,
      [A.GH_UPSTREAM_TRANSPORT]: facts.transport,
      [A.NETWORK_TRANSPORT]: facts.transport === "stdio" ? "pipe" : "tcp",
    };
    let name = method;
    if (facts.target !== null) {
      if (method.startsWith("resources/")) {
        attributes[A.MCP_RESOURCE_URI] = this.text(facts.target);
      } else {
        name = `${method} ${this.text(facts.target)}`;
        if (method === "tools/call") attributes[A.GEN_AI_TOOL_NAME] = facts.target;
        else if (method === "prompts/get") attributes[A.GEN_AI_PROMPT_NAME] = facts.target;
      }
    }
    return tracer.startSpan(
      name,
      { kind: SpanKind.CLIENT, startTime, attributes: this.redacted(attributes) },
      this.context,
    );
  }

  end(outcome: Outcome): void {
    if (this.ended) return;
    this.ended = true;
    const end = now();
    const metrics = this.options.metrics;
    if (metrics) {
      const attributes: Attributes = {
        [A.MCP_METHOD_NAME]: this.method,
        [A.GH_OUTCOME]: outcome.status,
      };
      if (outcome.status === "error") attributes[A.ERROR_TYPE] = A.boundedErrorCode(outcome.code);
      metrics.requests.add(1, attributes);
      metrics.requestDuration.record((end - this.startedAt) / 1000, attributes);
    }
    if (this.span) {
      if (this.recording) this.setOutcome(this.span, outcome);
      this.span.end(end);
    }
  }

  setOutcome(span: Span, outcome: Outcome): void {
    if (outcome.status !== "error") {
      span.setAttribute(A.GH_OUTCOME, outcome.status);
      return;
    }
    const code = String(outcome.code);
    span.setAttributes({
      [A.GH_OUTCOME]: outcome.status,
      [A.ERROR_TYPE]: code,
      [A.RPC_RESPONSE_STATUS_CODE]: code,
    });
    span.setStatus({ code: SpanStatusCode.ERROR, message: this.text(outcome.message) });
  }

  recordUpstream(facts: UpstreamFacts, seconds: number, outcome: Outcome): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    const attributes: Attributes = {
      [A.MCP_METHOD_NAME]: A.boundedMethod(facts.method),
      [A.GH_SERVER]: facts.server,
      [A.GH_OUTCOME]: outcome.status,
    };
    if (outcome.status === "error") attributes[A.ERROR_TYPE] = A.boundedErrorCode(outcome.code);
    metrics.upstreamDuration.record(seconds, attributes);
  }

  text(value: string): string {
    return TelemetryObserver.text(this.options.redactor, value);
  }

  redacted(attributes: Attributes): Attributes {
    return TelemetryObserver.redacted(this.options.redactor, attributes);
  }
}

class UpstreamTrace implements UpstreamObservation {
  private readonly startedAt = now();
  private readonly span: Span | undefined;
  private ended = false;

  constructor(
    private readonly request: RequestTrace,
    private readonly facts: UpstreamFacts,
  ) {
    this.span = request.startUpstreamSpan(facts, this.startedAt);
  }

  propagationHeaders(): Record<string, string> {
    return this.request.propagationHeaders(this.span);
  }

  end(outcome: Outcome): void {
    if (this.ended) return;
    this.ended = true;
    const end = now();
    this.request.recordUpstream(this.facts, (end - this.startedAt) / 1000, outcome);
    if (!this.span) return;
    this.request.setOutcome(this.span, outcome);
    this.span.end(end);
  }
}
