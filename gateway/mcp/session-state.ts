// What one downstream session remembers beyond the SDK's own state.
import type { ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import type { RequestObservation } from "../observer.ts";
import type { CallChannel } from "./channel.ts";
import type { Principal, SessionServerContext } from "./contracts.ts";

/** What the HTTP layer learnt about a request before its session handles it. */
export interface RequestNote {
  traceparent: string | null;
  tracestate: string | null;
  auth: { kind: string; startedAt: number; endedAt: number } | null;
}

/** Notes waiting for their request to be dispatched; a note whose request never is gets dropped. */
const MAX_PENDING_NOTES = 256;

export interface SessionState {
  readonly context: SessionServerContext;
  client: { name: string; version: string } | null;
  protocolVersion: string | null;
  clientCapabilities: ClientCapabilities | undefined;
  /** downstream request ids being handled, so upstream traffic can ride on their streams */
  readonly inFlight: Set<string | number>;
  /** resource URIs subscribed through this session, per server */
  readonly subscriptions: Map<string, Set<string>>;
  /** tools/call requests answered by the fast path (fast-call.ts), by request id: upstream traffic
   * for them goes to their own response, not through the SDK transport */
  readonly fastCalls: Map<string | number, CallChannel>;
  /** observations of the requests being handled, by request id (telemetry and audit) */
  readonly observations: Map<string | number, RequestObservation>;
  /** the principal of each request being handled (its own credential's: request-principal.ts),
   * by request id; what its decisions use */
  readonly principals: Map<string | number, Principal>;
  /** HTTP facts (trace context, auth timing) of requests handed to the SDK transport */
  readonly notes: Map<string | number, RequestNote>;
}

/** Keeps the HTTP facts of a request until its handler runs (bounded: oldest dropped first). */
export function noteRequest(state: SessionState, id: string | number, note: RequestNote): void {
  if (state.notes.size >= MAX_PENDING_NOTES) {
    const oldest = state.notes.keys().next().value;
    if (oldest !== undefined) state.notes.delete(oldest);
  }
  state.notes.set(id, note);
}

export function takeNote(state: SessionState, id: string | number): RequestNote | undefined {
  const note = state.notes.get(id);
  if (note) state.notes.delete(id);
  return note;
}

export function newSessionState(context: SessionServerContext): SessionState {
  return {
    context,
    client: null,
    protocolVersion: null,
    clientCapabilities: undefined,
    inFlight: new Set(),
    subscriptions: new Map(),
    fastCalls: new Map(),
    observations: new Map(),
    principals: new Map(),
    notes: new Map(),
  };
}

/** The upstream servers a session may reach: all of the catalog's, or those its virtual server uses. */
export function viewServers(context: SessionServerContext): string[] {
  const { catalog } = context.current();
  if (context.view.kind === "all") return [...catalog.servers.keys()];
  const virtual = catalog.virtualServers.get(context.view.name);
  if (!virtual) return [];
  return [
    ...new Set([...virtual.tools, ...virtual.prompts, ...virtual.resources].map((e) => e.server)),
  ];
}

export function virtualServerName(context: SessionServerContext): string | null {
  return context.view.kind === "virtual" ? context.view.name : null;
}
