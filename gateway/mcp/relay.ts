// Upstream-to-client traffic: one handler set per upstream pool, which finds the session that
// caused a request (CallerRef) and answers or notifies on that request's stream, so nothing depends
// on the client having opened a GET stream.
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  ErrorCode,
  ResultSchema,
  type JSONRPCNotification,
} from "@modelcontextprotocol/sdk/types.js";
import type { CallerRef, UpstreamClientHandlers, UpstreamPool } from "./contracts.ts";
import { rpcError } from "./errors.ts";
import { RateLimiter } from "./rate-limit.ts";
import { viewServers, type SessionState } from "./session-state.ts";

export interface SessionEntry {
  server: Server;
  state: SessionState;
}

const LIST_CHANGED = new Set([
  "notifications/tools/list_changed",
  "notifications/prompts/list_changed",
  "notifications/resources/list_changed",
]);

export class SessionRegistry implements UpstreamClientHandlers {
  private readonly sessions = new Map<string, SessionEntry>();
  /** rate_limit buckets, shared by every session of the pool */
  readonly rateLimiter = new RateLimiter();

  register(entry: SessionEntry): void {
    this.sessions.set(entry.state.context.sessionId, entry);
  }

  unregister(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  get(sessionId: string): SessionEntry | undefined {
    return this.sessions.get(sessionId);
  }

  /** Whether any session other than `except` still holds a subscription to `uri` on `server`. */
  subscribedElsewhere(server: string, uri: string, except: string): boolean {
    for (const [id, entry] of this.sessions)
      if (id !== except && entry.state.subscriptions.get(server)?.has(uri)) return true;
    return false;
  }

  async onRequest(
    server: string,
    request: { method: string; params?: Record<string, unknown> },
    caller: CallerRef | undefined,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const entry = caller && this.sessions.get(caller.sessionId);
    if (!entry || !viewServers(entry.state.context).includes(server)) {
      // an upstream is shared: without the request that caused it, no client may be asked
      throw rpcError(
        ErrorCode.InvalidRequest,
        `${request.method} from ${server} is not related to a client request in progress`,
      );
    }
    const fastCall = entry.state.fastCalls.get(caller.requestId);
    if (fastCall) return fastCall.request(request, signal);
    return entry.server.request(request as never, ResultSchema, {
      signal,
      relatedRequestId: this.relatedId(entry, caller),
    });
  }

  onNotification(
    server: string,
    notification: JSONRPCNotification,
    caller: CallerRef | undefined,
  ): void {
    const { method } = notification;
    const message = { method, ...(notification.params ? { params: notification.params } : {}) };
    if (LIST_CHANGED.has(method)) {
      for (const entry of this.viewing(server)) send(entry, message);
      return;
    }
    if (method === "notifications/resources/updated") {
      const uri = notification.params?.uri;
      for (const entry of this.viewing(server))
        if (typeof uri === "string" && entry.state.subscriptions.get(server)?.has(uri))
          send(entry, message);
      return;
    }
    const entry = caller && this.sessions.get(caller.sessionId);
    if (entry) {
      const fastCall = entry.state.fastCalls.get(caller.requestId);
      if (fastCall) void fastCall.notify(message).catch(() => {});
      else send(entry, message, this.relatedId(entry, caller));
      return;
    }
    // log messages not tied to a request go to every session that can see the server;
    // progress without a caller has no token the client knows, so it is dropped
    if (method === "notifications/message")
      for (const viewer of this.viewing(server)) send(viewer, message);
  }

  private *viewing(server: string): Iterable<SessionEntry> {
    for (const entry of this.sessions.values())
      if (viewServers(entry.state.context).includes(server)) yield entry;
  }

  /** The downstream request to ride on, while it is still in flight (else the standalone stream). */
  private relatedId(entry: SessionEntry, caller: CallerRef): string | number | undefined {
    return entry.state.inFlight.has(caller.requestId) ? caller.requestId : undefined;
  }
}

function send(
  entry: SessionEntry,
  notification: { method: string; params?: Record<string, unknown> },
  relatedRequestId?: string | number,
): void {
  entry.server
    .notification(notification as never, relatedRequestId === undefined ? {} : { relatedRequestId })
    .catch(() => {}); // a session whose transport has gone cannot be told anything
}

const registries = new WeakMap<UpstreamPool, SessionRegistry>();

/** The registry serving a pool's upstream traffic, installed as its client handlers on first use. */
export function registryFor(pool: UpstreamPool): SessionRegistry {
  let registry = registries.get(pool);
  if (!registry) {
    registry = new SessionRegistry();
    registries.set(pool, registry);
    pool.setClientHandlers(registry);
  }
  return registry;
}
