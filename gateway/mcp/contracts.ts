// Contracts between the gateway's MCP parts, so each can be built and tested on its own:
//   gateway/server.ts + gateway/mcp/downstream.ts  (HTTP: Koa, sessions, Streamable HTTP transport)
//   gateway/mcp/session-server.ts                  (MCP semantics: one SDK Server per session,
//                                                   aggregation, namespacing, policy, relays)
//   gateway/mcp/upstream/                          (connections to the catalog's servers)
import type {
  Implementation,
  JSONRPCNotification,
  Progress,
  ServerCapabilities,
} from "@modelcontextprotocol/sdk/types.js";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { PrincipalPart } from "../policy/index.ts";

/** Who is calling: built by auth/ (or the dev principal on loopback); never holds the token. */
export type Principal = PrincipalPart;

/** The downstream request that caused an upstream call: used to send upstream-initiated
 * messages (sampling, elicitation, logs, progress) to the client that caused them. */
export interface CallerRef {
  sessionId: string;
  requestId: string | number;
}

/** An upstream's JSON-RPC error, relayed to the client with its code (message without the SDK's
 * "MCP error <code>: " prefix). */
export class UpstreamError extends Error {
  constructor(
    readonly server: string,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}

export type UpstreamState = "connecting" | "ready" | "restarting" | "failed" | "closed";

/**
 * Which downstream callers share an upstream connection (catalog `isolation`, docs/catalog.md):
 * `session`: each downstream session has its own (an upstream MCP session, or a process);
 * `principal`: one per principal (its sessions share it); `shared`: one for every caller.
 */
export type Isolation = import("../catalog/index.ts").Isolation;

/** Who asks for an upstream connection: a downstream session and the identity bound to it. With
 * the server's isolation it makes the connection key (upstream/connection-key.ts). */
export interface ConnectionScope {
  /** the downstream session (a 2026-07-28 request's own id): whom the connection's traffic may reach */
  sessionId: string;
  /** what tells `session`-isolated connections apart when it is not the session: a 2026-07-28
   * request has no session, so its principal's requests on one view share one connection */
  sessionPart?: string;
  /** the session's bound identity (auth kind, issuer, subject, client), hashed; never its groups */
  principalKey: string;
}

export type ListKind = "tools" | "resources" | "resourceTemplates" | "prompts";

/** One catalog server, aggregated over its connections. */
export interface UpstreamStatus {
  name: string;
  transport: "stdio" | "http" | "sse";
  isolation: Isolation;
  /** shared: its one connection's state; session/principal: `ready` when a connection is (or, with
   * none open, when the start-up probe's handshake succeeded), else the probe's or connections' */
  state: UpstreamState;
  /** restarts and reconnects over all its connections since the server was configured */
  restarts: number;
  lastError?: string;
  since: string; // RFC 3339: when it entered this state
  /** open connections, how many of them are ready, and the bound (max_connections; shared: 1) */
  connections: { open: number; ready: number; max: number };
}

/** Server-to-client traffic from an upstream, delivered to whoever the proxy registered. */
export interface UpstreamClientHandlers {
  /** sampling/createMessage, elicitation/create, roots/list, ...: answer on behalf of `caller`'s client */
  onRequest(
    server: string,
    request: { method: string; params?: Record<string, unknown> },
    caller: CallerRef | undefined,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>>;
  /** notifications/message, notifications/progress (already mapped back to the caller's token),
   * notifications/{tools,resources,prompts}/list_changed, notifications/resources/updated.
   * `sessions`: the downstream sessions on the connection it came from, the only ones it may
   * reach; undefined for the pool's own announcements (list_changed after a catalog change, which
   * carry nothing but the method), meant for every session that sees the server. */
  onNotification(
    server: string,
    notification: JSONRPCNotification,
    caller: CallerRef | undefined,
    sessions?: ReadonlySet<string>,
  ): void;
}

export interface UpstreamRequestOptions {
  caller: CallerRef;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** set when the downstream request carried a progressToken */
  onProgress?: (progress: Progress) => void;
  /** W3C trace context headers for an HTTP upstream (from telemetry), read when the request goes out */
  traceHeaders?: () => Record<string, string>;
}

/** What is known of a catalog server without a connection of one's own: from the last handshake
 * with it (the start-up probe's or any connection's). Stable while connections come and go. */
export interface UpstreamServerFacts {
  readonly isolation: Isolation;
  capabilities(): ServerCapabilities | undefined;
  serverInfo(): Implementation | undefined;
  instructions(): string | undefined;
}

/** One connection to an upstream server, found by its connection key (server + the session, the
 * principal, or nothing: UpstreamPool.connection). */
export interface UpstreamConnection {
  readonly name: string;
  /** the connection key, e.g. `everything principal:<hash>` (upstream/connection-key.ts) */
  readonly key: string;
  /** the downstream sessions on this connection: those that obtained it and have not ended */
  sessions(): ReadonlySet<string>;
  state(): UpstreamState;
  capabilities(): ServerCapabilities | undefined;
  serverInfo(): Implementation | undefined;
  instructions(): string | undefined;
  /** Every item of a list (all pages fetched), cached per connection until it says list_changed. */
  list(kind: ListKind): Promise<readonly Record<string, unknown>[]>;
  /** Forward a request; results pass through untouched. Throws UpstreamError (JSON-RPC code) or,
   * when the upstream is down or dies mid-call, UpstreamError with code -32603 and a clear message. */
  request(
    request: { method: string; params?: Record<string, unknown> },
    options: UpstreamRequestOptions,
  ): Promise<Record<string, unknown>>;
  notify(notification: { method: string; params?: Record<string, unknown> }): Promise<void>;
}

export interface UpstreamPool {
  /**
   * The connection that serves `scope` on server `name`, by its connection key; made on first use
   * (it then connects in the background: its requests wait for the handshake). Undefined when the
   * catalog has no such server. Throws UpstreamError when a new connection would pass the server's
   * max_connections: a caller is refused, never put on another caller's connection.
   */
  connection(name: string, scope: ConnectionScope): UpstreamConnection | undefined;
  /** What is known of a server without opening a connection for anyone. */
  server(name: string): UpstreamServerFacts | undefined;
  names(): string[];
  status(): UpstreamStatus[];
  setClientHandlers(handlers: UpstreamClientHandlers): void;
  /** A downstream session ended: its session-scoped connections close, it leaves the others. */
  endSession(scope: ConnectionScope): void;
  /**
   * Applies a new catalog (GitOps, gateway/sync): new servers connect, removed ones finish their
   * requests and stop, changed ones (transport, credentials, isolation or its bounds) are replaced,
   * the rest keep their connections. The map changes at once; call Gateway.replace() in the same tick. Optional: a pool
   * without it keeps its upstreams until a restart.
   */
  reconcile?(catalog: import("../catalog/index.ts").Catalog): PoolChanges;
  close(): Promise<void>;
}

export interface PoolChanges {
  added: string[];
  removed: string[];
  changed: string[];
  /** settles when every removed or replaced upstream has drained and closed */
  drained: Promise<void>;
}

/** What a session exposes: every server the catalog has, or one virtual server's curated tools,
 * prompts and resources. */
export type SessionView = { kind: "all" } | { kind: "virtual"; name: string };

/** Everything the per-session MCP server needs; built by downstream.ts for each new session. */
export interface SessionServerContext {
  sessionId: string;
  principal: Principal;
  view: SessionView;
  /** read at each request, so a policy or catalog swap applies to new calls at once */
  current(): {
    catalog: import("../catalog/index.ts").Catalog;
    policy: import("../policy/index.ts").PolicyEngine;
  };
  pool: UpstreamPool;
  separator: string; // between server and tool names: "<server><separator><tool>", default "__"
  request: { ip?: string; userAgent?: string };
  /** told about every request (telemetry spans, audit records); none when absent */
  observer?: import("../observer.ts").CallObserver;
  /** true for a protocol revision 2026-07-28 request: the context serves that one request and has
   * no session (sessionId is the request's own, never shown as a session id) */
  stateless?: boolean;
}

/** Implemented by gateway/mcp/session-server.ts. */
export type CreateSessionServer = (context: SessionServerContext) => Server;
