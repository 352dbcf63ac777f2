// Upstream-to-client traffic: one handler set per upstream pool, which finds the session that
// caused a request (CallerRef) and answers or notifies on that request's stream, so nothing depends
// on the client having opened a GET stream. What an upstream connection sends reaches only the
// sessions on that connection (its connection key's scope), and log messages only the sessions
// whose own level (logging/setLevel) they meet.
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  ErrorCode,
  ResultSchema,
  LoggingLevelSchema,
  type JSONRPCNotification,
  type LoggingLevel,
} from "@modelcontextprotocol/sdk/types.js";
import type { CallerRef, UpstreamClientHandlers, UpstreamPool } from "./contracts.ts";
import { rpcError } from "./errors.ts";
import { RateLimiter } from "./rate-limit.ts";
import { viewServers, type SessionState } from "./session-state.ts";

export interface SessionEntry {
  /** the session's SDK Server; none for a 2026-07-28 request, whose only way back is its own
   * response stream (state.fastCalls) */
  server?: Server;
  state: SessionState;
  /** the least severe log level this session asked for (logging/setLevel); none: every level */
  logLevel?: LoggingLevel;
}

/** RFC 5424 severities as MCP names them, least severe first (the schema's order). */
const LOG_LEVELS: readonly string[] = LoggingLevelSchema.options;

/** Whether a log message of `level` is at or above what the session asked for. */
function meetsLevel(entry: SessionEntry, level: unknown): boolean {
  if (entry.logLevel === undefined) return true;
  const rank = typeof level === "string" ? LOG_LEVELS.indexOf(level) : -1;
  // a level MCP does not name is passed on: the gateway filters, it does not reinterpret
  return rank < 0 || rank >= LOG_LEVELS.indexOf(entry.logLevel);
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

  /** Whether a session of `on` (the sessions on one upstream connection) other than `except`
   * still holds a subscription to `uri` on `server`. */
  subscribedElsewhere(
    on: ReadonlySet<string>,
    server: string,
    uri: string,
    except: string,
  ): boolean {
    for (const id of on) {
      if (id === except) continue;
      if (this.sessions.get(id)?.state.subscriptions.get(server)?.has(uri)) return true;
    }
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
      // without the request that caused it, no client may be asked
      throw rpcError(
        ErrorCode.InvalidRequest,
        `${request.method} from ${server} is not related to a client request in progress`,
      );
    }
    const fastCall = entry.state.fastCalls.get(caller.requestId);
    if (fastCall) return fastCall.request(request, signal);
    if (!entry.server)
      throw rpcError(ErrorCode.InvalidRequest, `${request.method} has no client stream to ride on`);
    return entry.server.request(request as never, ResultSchema, {
      signal,
      relatedRequestId: this.relatedId(entry, caller),
    });
  }

  /** Sets the least severe level of log messages the session receives. */
  setLogLevel(sessionId: string, level: LoggingLevel): void {
    const entry = this.sessions.get(sessionId);
    if (entry) entry.logLevel = level;
  }

  onNotification(
    server: string,
    notification: JSONRPCNotification,
    caller: CallerRef | undefined,
    sessions?: ReadonlySet<string>,
  ): void {
    const { method } = notification;
    const message = { method, ...(notification.params ? { params: notification.params } : {}) };
    if (LIST_CHANGED.has(method)) {
      for (const entry of this.viewing(server, sessions)) send(entry, message);
      return;
    }
    if (method === "notifications/resources/updated") {
      const uri = notification.params?.uri;
      for (const entry of this.viewing(server, sessions))
        if (typeof uri === "string" && entry.state.subscriptions.get(server)?.has(uri))
          send(entry, message);
      return;
    }
    const log = method === "notifications/message";
    const entry =
      caller && (!sessions || sessions.has(caller.sessionId))
        ? this.sessions.get(caller.sessionId)
        : undefined;
    if (entry) {
      if (log && !meetsLevel(entry, notification.params?.level)) return;
      const fastCall = entry.state.fastCalls.get(caller!.requestId);
      if (fastCall) void fastCall.notify(message).catch(() => {});
      else send(entry, message, this.relatedId(entry, caller!));
      return;
    }
    // log messages not tied to a request go to the sessions on the connection they came from;
    // progress without a caller has no token the client knows, so it is dropped
    if (log)
      for (const viewer of this.viewing(server, sessions))
        if (meetsLevel(viewer, notification.params?.level)) send(viewer, message);
  }

  /** The sessions that see `server`: among `on` (one connection's sessions), or all of them. */
  private *viewing(server: string, on: ReadonlySet<string> | undefined): Iterable<SessionEntry> {
    const candidates = on
      ? [...on].map((id) => this.sessions.get(id)).filter((e) => e !== undefined)
      : this.sessions.values();
    for (const entry of candidates)
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
    ?.notification(
      notification as never,
      relatedRequestId === undefined ? {} : { relatedRequestId },
    )
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
