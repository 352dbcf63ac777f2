// Downstream MCP sessions: one SDK Server and one Streamable HTTP transport per session, bound to
// the identity that opened it (auth kind, issuer, subject, client): later requests must come from
// the same identity, but each is decided with its own credential's groups, roles and scopes.
// Bounded globally and per principal (issuer and subject); a session whose handshake never
// finishes goes after limits.handshakeTimeoutMs. Storage sits behind SessionStore (in memory now;
// the stateless protocol revision and shared stores come later).
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
import { principalLimitKey } from "./rate-limit.ts";

export interface Session {
  readonly id: string;
  /** the principal of the initialize request (later requests carry their own) */
  readonly principal: Principal;
  /** sha256 of the principal's identity; compared in constant time */
  readonly principalKey: Buffer;
  /** what the per-principal session cap counts by: issuer and subject */
  readonly quotaKey: string;
  readonly view: SessionView;
  readonly server: Server;
  readonly transport: StreamableHTTPServerTransport;
  /** the transport's store of SSE events (the fast path keeps its streams' events there too) */
  readonly eventStore: BoundedEventStore;
  /** requests (and open SSE streams) currently inside the transport */
  activeRequests: number;
  lastActive: number;
  readonly openedAt: number;
  /** false until the client sends notifications/initialized: until then the session expires
   * limits.handshakeTimeoutMs after it was opened, busy or not */
  established: boolean;
}

export interface SessionStore {
  get(id: string): Session | undefined;
  add(session: Session): void;
  delete(id: string): boolean;
  size(): number;
  /** sessions open for a quota key (Session.quotaKey) */
  countFor(quotaKey: string): number;
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
    const key = session.quotaKey;
    this.perPrincipal.set(key, (this.perPrincipal.get(key) ?? 0) + 1);
  }
  delete(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    this.sessions.delete(id);
    const key = session.quotaKey;
    const left = (this.perPrincipal.get(key) ?? 1) - 1;
    if (left === 0) this.perPrincipal.delete(key);
    else this.perPrincipal.set(key, left);
    return true;
  }
  size(): number {
    return this.sessions.size;
  }
  countFor(quotaKey: string): number {
    return this.perPrincipal.get(quotaKey) ?? 0;
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
    const shortest = Math.min(options.limits.sessionIdleMs, options.limits.handshakeTimeoutMs);
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
    const quotaKey = principalLimitKey(principal);
    if (this.store.size() >= limits.maxSessions) {
      throw new SessionLimitError(
        503,
        `the gateway has reached its limit of ${limits.maxSessions} sessions; retry later`,
      );
    }
    if (this.store.countFor(quotaKey) >= limits.maxSessionsPerPrincipal) {
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
      quotaKey,
      view,
      server,
      transport,
      eventStore,
      activeRequests: 0,
      lastActive: this.now(),
      openedAt: this.now(),
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
    return session;
  }

  /** The client finished its handshake (notifications/initialized): idle expiry applies from now. */
  markInitialized(session: Session): void {
    session.established = true;
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

  /** Closes sessions idle for longer than the limit (a session with an open stream is not idle),
   * and those whose handshake has not finished within limits.handshakeTimeoutMs of their opening
   * (open streams or not: a session that never initializes must not hold a place for long). */
  async expireIdle(): Promise<number> {
    const { sessionIdleMs, handshakeTimeoutMs } = this.options.limits;
    const now = this.now();
    const expired: { session: Session; why: string }[] = [];
    for (const s of this.store.values()) {
      if (!s.established && s.openedAt <= now - handshakeTimeoutMs)
        expired.push({ session: s, why: "handshake not finished" });
      else if (s.activeRequests === 0 && s.lastActive <= now - sessionIdleMs)
        expired.push({ session: s, why: "idle" });
    }
    for (const { session, why } of expired) {
      this.options.log.log("info", `session expired (${why})`, { session: session.id });
      await this.close(session.id);
    }
    return expired.length;
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.store.values()].map((s) => this.close(s.id)));
  }
}
