// Turns one observed request (facts, decision, upstream outcome) into a record body, redacted.
import { randomUUID } from "node:crypto";
import type { DecisionFacts, Outcome, RequestFacts, UpstreamFacts } from "../observer.ts";
import type { Redactor } from "../redaction.ts";
import type { RecordBody, RecordUpstream, RetentionFacts } from "./record.ts";

export interface TraceIds {
  traceId: string;
  spanId: string;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}/;

/** Trace and parent span id of a W3C traceparent header; null when absent or malformed. */
export function parseTraceparent(header: string | null): TraceIds | null {
  const match = header === null ? null : TRACEPARENT.exec(header.trim().toLowerCase());
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return null;
  return { traceId: match[1]!, spanId: match[2]! };
}

/** ms since the epoch with sub-millisecond precision (the clock RequestFacts.startedAt uses) */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

export interface UpstreamSeen {
  facts: UpstreamFacts;
  startedAt: number;
  outcome: Outcome | null;
  endedAt: number | null;
}

export function decisionBody(
  redactor: Redactor,
  request: RequestFacts,
  decided: DecisionFacts,
  upstream: UpstreamSeen | null,
  outcome: Outcome,
  ids: TraceIds | null,
  endedAt: number,
): RecordBody {
  const { decision, input } = decided;
  const args = redactor.redactArguments(input.mcp.arguments, decision.obligations.redact_arguments);
  const redactedInput = redactedInputOf(redactor, input, args);
  const principal = request.principal;
  const up: RecordUpstream | null = upstream && {
    server: upstream.facts.server,
    transport: upstream.facts.transport,
    method: upstream.facts.method,
    target: upstream.facts.target === null ? null : redactor.redactText(upstream.facts.target),
    outcome: upstream.outcome && redactOutcome(redactor, upstream.outcome),
    latency_ms: upstream.endedAt === null ? null : round3(upstream.endedAt - upstream.startedAt),
  };
  return {
    id: randomUUID(),
    kind: "decision",
    time: new Date(endedAt).toISOString(),
    decision_id: decision.decisionId,
    trace_id: ids?.traceId ?? null,
    span_id: ids?.spanId ?? null,
    principal: {
      sub: redactor.redactText(principal.sub),
      iss: principal.iss == null ? null : redactor.redactText(principal.iss),
      auth: principal.auth,
      groups: (principal.groups ?? []).map((g) => redactor.redactText(g)),
    },
    session_id: request.sessionId,
    method: request.method,
    server: input.mcp.server ?? upstream?.facts.server ?? null,
    tool: input.mcp.tool === null ? null : redactor.redactText(input.mcp.tool),
    arguments: args,
    input: redactedInput,
    allow: decision.allow,
    reasons: decision.reasons.map((r) => redactor.redactText(r)),
    obligations: redactor.redactValue(decision.obligations) as RecordBody["obligations"],
    revision: decision.revision,
    bundle_digest: decided.bundleDigest,
    eval_micros: Math.round(decision.evalMicros),
    latency_ms: round3(endedAt - request.startedAt),
    outcome: redactOutcome(redactor, outcome),
    upstream: up,
    retention: null,
  };
}

/**
 * The policy input after redaction, with `mcp.arguments` the already redacted arguments (they
 * are not scanned a second time).
 */
function redactedInputOf(
  redactor: Redactor,
  input: DecisionFacts["input"],
  args: Record<string, unknown>,
): unknown {
  const clean = redactor.redactValue({ ...input, mcp: { ...input.mcp, arguments: null } }) as {
    mcp: Record<string, unknown>;
  };
  clean.mcp.arguments = args;
  return clean;
}

function redactOutcome(redactor: Redactor, outcome: Outcome): Outcome {
  return outcome.status === "error"
    ? { ...outcome, message: redactor.redactValue(outcome.message) as string }
    : outcome;
}

export function retentionBody(facts: RetentionFacts): RecordBody {
  return {
    id: randomUUID(),
    kind: "retention",
    time: new Date().toISOString(),
    decision_id: null,
    trace_id: null,
    span_id: null,
    principal: null,
    session_id: null,
    method: null,
    server: null,
    tool: null,
    arguments: null,
    input: null,
    allow: null,
    reasons: [
      `retention removed ${facts.removed} records older than ${facts.cutoff} (seq ${facts.first_seq}-${facts.last_seq})`,
    ],
    obligations: null,
    revision: null,
    bundle_digest: null,
    eval_micros: null,
    latency_ms: null,
    outcome: null,
    upstream: null,
    retention: facts,
  };
}
