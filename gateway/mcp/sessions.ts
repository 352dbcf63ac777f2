// Downstream MCP sessions: one SDK Server and one Streamable HTTP transport per session, bound to
// the principal that opened it. Storage sits behind SessionStore (in memory now; the stateless
// protocol revision and shared stores come later).
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { GatewayConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type {
  CreateSessionServer,
  Principal,
  SessionServerContext,
  SessionView,
} from "./contracts.ts";
import { BoundedEventStore } from "./event-store.ts";

/** How long a session may stay unused after its initialize (e.g. one whose initialize was denied). */
export const HANDSHAKE_IDLE_MS = 60_000;

export interface Session {
  readonly id: string;
  readonly principal: Principal;
  /** sha256 of the principal's identity; compared in constant time */
  readonly principalKey: Buffer;
  readonly view: SessionView;
  readonly server: Server;
  readonly transport: StreamableHTTPServerTransport;
  /** the transport's store of SSE events (the fast path keeps its streams' events there too) */
  readonly eventStore: BoundedEventStore;
  /** requests (and open SSE streams) currently inside the transport */
  activeRequests: number;
  lastActive: number;
  /** false until a second request arrives: a client whose initialize failed never comes back */
  established: boolean;
}

export interface SessionStore {
  get(id: string): Session | undefined;
  add(session: Session): void;
  delete(id: string): boolean;
  size(): number;
  countFor(principalKey: Buffer): number;
  values(): Iterable<Session>;
}

export class InMemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly perPrincipal = new Map<string, number>();

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }
  add(session: Session): void {
    this.sessions.set(session.id, session);
    const key = session.principalKey.toString("hex");
    this.perPrincipal.set(key, (this.perPrincipal.get(key) ?? 0) + 1);
  }
  delete(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    this.sessions.delete(id);
    const key = session.principalKey.toString("hex");
    const left = (this.perPrincipal.get(key) ?? 1) - 1;
    if (left === 0) this.perPrincipal.delete(key);
    else this.perPrincipal.set(key, left);
    return true;
  }
  size(): number {
    return this.sessions.size;
  }
  countFor(principalKey: Buffer): number {
    return this.perPrincipal.get(principalKey.toString("hex")) ?? 0;
  }
  values(): Iterable<Session> {
    return [...this.sessions.values()];
  }
}

/** Identity of a principal for session binding: who they are and who vouched for it. */
export function principalKey(principal: Principal): Buffer {
  const identity = [
    principal.auth,
    principal.iss ?? null,
    principal.sub,
    principal.clientId ?? null,
  ];
  return createHash("sha256").update(JSON.stringify(identity)).digest();
}

export function samePrincipal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function sameView(a: SessionView, b: SessionView): boolean {
  return a.kind === b.kind && (a.kind === "all" || a.name === (b as { name: string }).name);
}

/** Why a new session was refused: too many sessions overall (503) or for this principal (429). */
export class SessionLimitError extends Error {
  constructor(
    readonly status: 429 | 503,
    message: string,
  ) {
    super(message);
    this.name = "SessionLimitError";
  }
}

export interface SessionManagerOptions {
  limits: GatewayConfig["limits"];
  separator: string;
  createSessionServer: CreateSessionServer;
  context: Pick<SessionServerContext, "current" | "pool" | "observer">;
  log: Logger;
  store?: SessionStore;
  now?: () => number;
}

export class SessionManager {
  readonly store: SessionStore;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: SessionManagerOptions) {
    this.store = options.store ?? new InMemorySessionStore();
    this.now = options.now ?? Date.now;
    const shortest = Math.min(options.limits.sessionIdleMs, HANDSHAKE_IDLE_MS);
    const every = Math.max(1000, Math.floor(shortest / 4));
    this.sweeper = setInterval(() => void this.expireIdle(), every);
    this.sweeper.unref();
  }

  /** A new session for an initialize request; throws SessionLimitError when a bound is reached. */
  async open(
    principal: Principal,
    view: SessionView,
    request: SessionServerContext["request"],
  ): Promise<Session> {
    const { limits } = this.options;
    const key = principalKey(principal);
    if (this.store.size() >= limits.maxSessions) {
      throw new SessionLimitError(
        503,
        `the gateway has reached its limit of ${limits.maxSessions} sessions; retry later`,
      );
    }
    if (this.store.countFor(key) >= limits.maxSessionsPerPrincipal) {
      throw new SessionLimitError(
        429,
        `too many open sessions for this principal (limit ${limits.maxSessionsPerPrincipal}); end unused sessions with DELETE`,
      );
    }
    const id = randomUUID();
    const eventStore = new BoundedEventStore(
      limits.maxEventsPerStream,
      limits.maxStreamsPerSession,
    );
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      eventStore,
    });
    const server = this.options.createSessionServer({
      sessionId: id,
      principal,
      view,
      current: this.options.context.current,
      pool: this.options.context.pool,
      observer: this.options.context.observer,
      separator: this.options.separator,
      request,
    });
    const session: Session = {
      id,
      principal,
      principalKey: key,
      view,
      server,
      transport,
      eventStore,
      activeRequests: 0,
      lastActive: this.now(),
      established: false,
    };
    this.store.add(session); // before any await, so concurrent initializes see the bound
    try {
      await server.connect(transport);
    } catch (e) {
      this.store.delete(id);
      throw e;
    }
    const previous = server.onclose;
    server.onclose = () => {
      previous?.();
      if (this.store.delete(id)) this.options.log.log("info", "session closed", { session: id });
    };
    this.options.log.log("info", "session opened", {
      session: id,
      principal:
        principal.auth === "dev" ? `${principal.sub} (DEVELOPMENT PRINCIPAL)` : principal.sub,
      auth: principal.auth,
      view: view.kind === "all" ? "all" : view.name,
    });
    return session;
  }

  /**
   * The session for an id presented by `principal` on `view`, or undefined. A session of another
   * principal (or endpoint) is reported as unknown: answering 403 would confirm to whoever holds a
   * leaked or guessed id that it is live, and 404 tells a legitimate client to re-initialize.
   */
  find(id: string, principal: Principal, view: SessionView): Session | undefined {
    const session = this.store.get(id);
    if (!session) return undefined;
    if (
      !samePrincipal(session.principalKey, principalKey(principal)) ||
      !sameView(session.view, view)
    ) {
      this.options.log.log("warn", "session id presented by another principal or endpoint", {
        principal: principal.sub,
        auth: principal.auth,
      });
      return undefined;
    }
    session.established = true;
    return session;
  }

  /** Marks a request inside the session; the returned function marks its end. */
  enter(session: Session): () => void {
    session.activeRequests++;
    session.lastActive = this.now();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      session.activeRequests--;
      session.lastActive = this.now();
    };
  }

  async close(id: string): Promise<void> {
    const session = this.store.get(id);
    if (!session) return;
    this.store.delete(id);
    await session.server.close().catch(() => undefined);
  }

  /** Closes sessions idle for longer than the limit (a session with an open stream is not idle);
   * a session never used after its initialize goes after HANDSHAKE_IDLE_MS. */
  async expireIdle(): Promise<number> {
    const { sessionIdleMs } = this.options.limits;
    const now = this.now();
    const idle = [...this.store.values()].filter((s) => {
      const limit = s.established ? sessionIdleMs : Math.min(sessionIdleMs, HANDSHAKE_IDLE_MS);
      return s.activeRequests === 0 && s.lastActive <= now - limit;
    });
    for (const session of idle) {
      this.options.log.log("info", "session expired (idle)", { session: session.id });
      await this.close(session.id);
    }
    return idle.length;
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.store.values()].map((s) => this.close(s.id)));
  }
}
