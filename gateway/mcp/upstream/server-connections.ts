// One catalog server's connections, by connection key (connection-key.ts): made on first use,
// bounded by max_connections, closed with their session (isolation session) or once idle
// (isolation principal), and reported as one server. A server whose connections are per caller
// is probed at start: one connection that belongs to nobody makes its handshake, so status shows
// whether the command or URL works and sessions learn the server's capabilities and instructions
// before they have a connection of their own. Unused, it is the first caller's connection (its
// process or upstream session has never served anyone); later callers get new ones.
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { isolationOf, type CatalogServer } from "../../catalog/index.ts";
import {
  UpstreamError,
  type ConnectionScope,
  type Isolation,
  type UpstreamServerFacts,
  type UpstreamState,
  type UpstreamStatus,
} from "../contracts.ts";
import { Upstream, type ConnectionEvents, type ConnectionOptions } from "./connection.ts";
import { connectionKey, scopePart } from "./connection-key.ts";

/** Connections open at once per server, unless the catalog says otherwise (stdio: processes). */
export const DEFAULT_MAX_CONNECTIONS = { stdio: 32, http: 256 } as const;
/** How long a principal's connection may stay unused before it is closed. */
export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;

/** Which state a server with several connections reports: the best one any connection is in. */
const STATE_RANK: Record<UpstreamState, number> = {
  ready: 0,
  connecting: 1,
  restarting: 2,
  failed: 3,
  closed: 4,
};

export class ServerConnections implements UpstreamServerFacts {
  readonly isolation: Isolation;
  readonly max: number;
  private readonly idleTimeoutMs: number;
  /** by the scope's part of the key: session id, principal key, or "" (shared) */
  private readonly connections = new Map<string, Upstream>();
  /** the start-up probe, until a first caller takes it */
  private spare?: Upstream;
  private probeSucceeded = false;
  /** the connection whose handshake came last: where capabilities, info and instructions come from */
  private known?: Upstream;
  private restarts = 0;
  private lastError?: string;
  private reported: UpstreamState = "connecting";
  private since = new Date();
  private closed = false;
  private sweeper?: NodeJS.Timeout;
  private readonly events: ConnectionEvents = {
    ready: (connection) => {
      this.known = connection;
    },
    restarted: () => {
      this.restarts++;
    },
    error: (reason) => {
      this.lastError = reason;
    },
    stateChanged: () => this.noteState(),
  };

  constructor(
    readonly definition: CatalogServer,
    private readonly options: ConnectionOptions,
  ) {
    this.isolation = isolationOf(definition);
    const perTransport =
      definition.transport.type === "stdio"
        ? DEFAULT_MAX_CONNECTIONS.stdio
        : DEFAULT_MAX_CONNECTIONS.http;
    this.max = this.isolation === "shared" ? 1 : (definition.max_connections ?? perTransport);
    this.idleTimeoutMs =
      definition.idle_timeout_seconds !== undefined
        ? definition.idle_timeout_seconds * 1000
        : DEFAULT_IDLE_TIMEOUT_MS;
  }

  get name(): string {
    return this.definition.name;
  }

  start(): void {
    if (this.isolation === "shared") {
      this.open("");
      return;
    }
    this.spare = new Upstream(
      this.definition,
      this.options,
      { key: `${this.name} probe`, isolation: this.isolation },
      {
        ...this.events,
        ready: (connection) => {
          this.known = connection;
          this.probeSucceeded = true;
          this.noteState();
        },
      },
    );
    this.spare.start();
    const every = Math.min(30_000, Math.max(50, Math.floor(this.idleTimeoutMs / 4)));
    this.sweeper = setInterval(() => this.closeIdle(), every);
    this.sweeper.unref();
  }

  /** The connection for `scope`'s key on this server, made (and started) on first use. */
  connection(scope: ConnectionScope): Upstream {
    const part = scopePart(this.isolation, scope);
    const connection = this.connections.get(part) ?? this.open(part);
    connection.attach(scope.sessionId);
    return connection;
  }

  /** A session ended: its own connection closes; it leaves one it shared. */
  endSession(scope: ConnectionScope): void {
    const part = scopePart(this.isolation, scope);
    const connection = this.connections.get(part);
    if (!connection) return;
    // a connection shared by a principal's stateless requests outlives each of them (closeIdle)
    if (this.isolation !== "session" || scope.sessionPart !== undefined) {
      connection.detach(scope.sessionId);
      return;
    }
    this.connections.delete(part);
    void connection.close("its session ended");
    this.noteState();
  }

  capabilities() {
    return this.known?.capabilities();
  }

  serverInfo() {
    return this.known?.serverInfo();
  }

  instructions() {
    return this.known?.instructions();
  }

  status(): UpstreamStatus {
    let ready = 0;
    for (const connection of this.connections.values()) if (connection.state() === "ready") ready++;
    return {
      name: this.name,
      transport: this.definition.transport.type,
      isolation: this.isolation,
      state: this.reported,
      restarts: this.restarts,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      since: this.since.toISOString(),
      connections: { open: this.connections.size, ready, max: this.max },
    };
  }

  /** Lets the requests in flight finish (at most `graceMs`), then closes every connection. */
  async drain(graceMs: number): Promise<void> {
    const open = this.stop();
    await Promise.all(open.map((c) => c.drain(graceMs, "the catalog no longer has it as it was")));
  }

  async close(): Promise<void> {
    await Promise.all(this.stop().map((c) => c.close("the gateway is shutting down")));
  }

  private stop(): Upstream[] {
    this.closed = true;
    clearInterval(this.sweeper);
    const open = [...this.connections.values(), ...(this.spare ? [this.spare] : [])];
    this.spare = undefined;
    this.connections.clear();
    this.noteState();
    return open;
  }

  private open(part: string): Upstream {
    if (this.closed)
      throw new UpstreamError(
        this.name,
        ErrorCode.InternalError,
        `upstream ${this.name} is closed (the gateway is shutting down)`,
      );
    if (this.connections.size >= this.max) this.reclaimOne();
    if (this.connections.size >= this.max)
      throw new UpstreamError(
        this.name,
        ErrorCode.InternalError,
        `upstream ${this.name} has no free connection: all ${this.max} (isolation ${this.isolation}: one per ${this.isolation}) are in use, and connections are never shared between ${this.isolation}s; retry later, or raise max_connections in ${this.definition.source}`,
      );
    const key = connectionKey(this.name, this.isolation, part);
    const spare = this.takeSpare();
    const connection =
      spare ??
      new Upstream(this.definition, this.options, { key, isolation: this.isolation }, this.events);
    if (spare) spare.adopt(key);
    else connection.start();
    this.connections.set(part, connection);
    this.noteState();
    return connection;
  }

  /** The probe, unused, while it is up or on its way up (a failing one is left to retry). */
  private takeSpare(): Upstream | undefined {
    const spare = this.spare;
    if (!spare || (spare.state() !== "ready" && spare.state() !== "connecting")) return undefined;
    this.spare = undefined;
    return spare;
  }

  /** At the bound: closes the connection unused longest among those nobody is on any more (their
   * sessions ended) or, for principals, idle past the timeout. A connection in use is kept. */
  private reclaimOne(): void {
    const now = performance.now();
    let oldest: [string, Upstream, number] | undefined;
    for (const [part, connection] of this.connections) {
      const idle = connection.idleMs(now);
      if (idle === 0) continue;
      const unused =
        connection.sessions().size === 0 ||
        (this.isolation === "principal" && idle >= this.idleTimeoutMs);
      if (unused && (!oldest || idle > oldest[2])) oldest = [part, connection, idle];
    }
    if (oldest) this.evict(oldest[0], oldest[1], "its connection slot was needed");
  }

  /** Principal connections idle past the timeout; session connections only once no session is on
   * them (those of stateless requests: a session's own closes with it). */
  private closeIdle(): void {
    const now = performance.now();
    for (const [part, connection] of this.connections)
      if (
        connection.idleMs(now) >= this.idleTimeoutMs &&
        (this.isolation === "principal" || connection.sessions().size === 0)
      )
        this.evict(part, connection, `it was idle for ${Math.round(this.idleTimeoutMs / 1000)} s`);
  }

  private evict(part: string, connection: Upstream, why: string): void {
    this.connections.delete(part);
    this.options.logger.info(`upstream ${this.name}: closing a connection (${why})`, {
      server: this.name,
      connection: connection.key,
    });
    void connection.close(why);
    this.noteState();
  }

  /** Recomputes the server's state from its connections (and probe), noting when it changed. */
  private noteState(): void {
    const state = this.aggregateState();
    if (state === this.reported) return;
    this.reported = state;
    this.since = new Date();
  }

  private aggregateState(): UpstreamState {
    if (this.closed) return "closed";
    let best: UpstreamState | undefined;
    for (const connection of this.connections.values()) {
      const state = connection.state();
      if (!best || STATE_RANK[state] < STATE_RANK[best]) best = state;
    }
    if (best) return best;
    if (this.probeSucceeded) return "ready";
    return this.spare?.state() ?? "connecting";
  }
}
