// One connection to a catalog server, for the callers of one connection key (connection-key.ts):
// connects, restarts with backoff when the upstream dies, forwards requests, caches lists, and
// routes the upstream's server->client traffic to the sessions on it and nowhere else.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  ErrorCode,
  JSONRPCMessageSchema,
  McpError,
  ResultSchema,
  type ClientCapabilities,
  type ClientNotification,
  type ClientRequest,
  type Implementation,
  type Progress,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type ServerCapabilities,
  type ServerRequest,
} from "@modelcontextprotocol/sdk/types.js";
import type { CatalogServer } from "../../catalog/index.ts";
import type { EgressGuard } from "../../egress/index.ts";
import {
  UpstreamError,
  type Isolation,
  type ListKind,
  type UpstreamClientHandlers,
  type UpstreamConnection,
  type UpstreamRequestOptions,
  type UpstreamState,
} from "../contracts.ts";
import { backoffDelay, type BackoffOptions } from "./backoff.ts";
import { CallerTracker } from "./callers.ts";
import { ConcurrencyLimiter, LimiterFullError } from "./limiter.ts";
import { createLineSink } from "./lines.ts";
import { OnceLogger, type Logger } from "./logger.ts";
import { describe, isConnectionLoss, isSchemaError, sdkTimeout, truncate } from "./errors.ts";
import { leanPost, UpstreamHttpError } from "./lean-post.ts";
import { buildTransport, type BuiltTransport } from "./transports.ts";
import {
  listMethod,
  listChangedKinds,
  listResultKey,
  declaresKind,
  MAX_LIST_PAGES,
} from "./lists.ts";

/** What the gateway tells every upstream it can do: it relays these to the client that caused them. */
export const GATEWAY_CLIENT_CAPABILITIES: ClientCapabilities = {
  sampling: {},
  elicitation: { form: {}, url: {} },
  roots: { listChanged: true },
};

/** How long a connection must have been up for its death to count as a fresh start for backoff. */
const STABLE_AFTER_MS = 30_000;

export interface ConnectionOptions {
  logger: Logger;
  env: NodeJS.ProcessEnv;
  clientInfo: Implementation;
  backoff: BackoffOptions;
  requestTimeoutMs: number;
  maxTotalTimeoutMs: number;
  connectTimeoutMs: number;
  /** how long a request waits for an upstream that is (re)connecting before it is refused */
  readyWaitMs: number;
  maxInFlight: number;
  maxQueued: number;
  /** every HTTP request to the upstream goes through it (gateway/egress/) */
  egress: EgressGuard;
  handlers(): UpstreamClientHandlers | undefined;
}

/** What the connection tells the server it belongs to (server-connections.ts), for status. */
export interface ConnectionEvents {
  /** the handshake succeeded: its capabilities, server info and instructions are current */
  ready?(connection: Upstream): void;
  /** it had been up and went down (it is restarted) */
  restarted?(): void;
  /** a connect attempt failed, or the connection was lost */
  error?(reason: string): void;
  /** it entered another state */
  stateChanged?(): void;
}

/** Which connection this is: its key, and the isolation the key was made under. */
export interface ConnectionIdentity {
  key: string;
  isolation: Isolation;
}

interface Live {
  client: Client;
  built: BuiltTransport;
  /** the upstream wrote stdout lines that are not JSON-RPC */
  garbage: boolean;
  /** why the gateway dropped it, when it did */
  closeReason?: string;
  /** when it became ready (a connection that dies young does not reset the backoff) */
  readyAt?: number;
  /** progress listeners by upstream request id (= the progressToken our client sent) */
  progress: Map<number, (progress: Progress) => void>;
}

/** The upstream's answer to the lean request `id` (a response, not a request of its own). */
function isAnswerTo(message: unknown, id: string): message is Record<string, unknown> {
  return (
    message !== null &&
    typeof message === "object" &&
    (message as { id?: unknown }).id === id &&
    (message as { method?: unknown }).method === undefined
  );
}

/** a JSON-RPC request or notification without its envelope */
type Message = { method: string; params?: Record<string, unknown> };

export class Upstream implements UpstreamConnection {
  private live?: Live;
  /** the client of the last connection that completed its handshake */
  private known?: Client;
  private connecting?: Live;
  private current: UpstreamState = "connecting";
  private restarts = 0;
  private lastError?: string;
  private failedAttempts = 0;
  private everReady = false;
  private retryTimer?: NodeJS.Timeout;
  private closing?: Promise<void>;
  private readonly waiters = new Set<(ok: boolean) => void>();
  private readonly lists = new Map<ListKind, Promise<Record<string, unknown>[]>>();
  private readonly callers = new CallerTracker();
  private readonly limiter: ConcurrencyLimiter;
  private readonly once: OnceLogger;
  /** ids of lean requests: strings, so they never meet the SDK client's numeric ones */
  private leanSequence = 0;
  /** the downstream sessions on this connection: where its server->client traffic may go */
  private readonly attached = new Set<string>();
  private inFlight = 0;
  private lastUsed = performance.now();
  /** whether anyone obtained it or sent a request on it */
  private used = false;
  /** resolves drain() once the last request in flight has finished */
  private idle?: () => void;
  private closedBecause = "the gateway is shutting down";

  constructor(
    readonly definition: CatalogServer,
    private readonly options: ConnectionOptions,
    private identity: ConnectionIdentity = { key: definition.name, isolation: "shared" },
    private readonly events: ConnectionEvents = {},
  ) {
    this.limiter = new ConcurrencyLimiter(options.maxInFlight, options.maxQueued);
    this.once = new OnceLogger(options.logger);
  }

  get name(): string {
    return this.definition.name;
  }

  get key(): string {
    return this.identity.key;
  }

  sessions(): ReadonlySet<string> {
    return this.attached;
  }

  /** A connection nobody has used (the start-up probe) becomes the connection of `key`. */
  adopt(key: string): void {
    if (this.used) throw new Error(`connection ${this.key} has been used; it cannot become ${key}`);
    this.identity = { ...this.identity, key };
    this.lastUsed = performance.now();
  }

  /** A session obtained this connection: the connection's traffic may reach it from now on. */
  attach(sessionId: string): void {
    this.used = true;
    if (this.attached.has(sessionId)) return; // the per-call path: one lookup
    this.attached.add(sessionId);
    this.lastUsed = performance.now();
  }

  /** The session ended: nothing of this connection reaches it any more. */
  detach(sessionId: string): void {
    this.attached.delete(sessionId);
  }

  /** Milliseconds since it was last used, 0 while a request is in flight. */
  idleMs(now = performance.now()): number {
    return this.inFlight > 0 ? 0 : now - this.lastUsed;
  }

  start(): void {
    void this.connect();
  }

  state(): UpstreamState {
    return this.current;
  }

  // From the last successful handshake, so they stay stable while the upstream restarts.
  capabilities(): ServerCapabilities | undefined {
    return this.known?.getServerCapabilities();
  }

  serverInfo(): Implementation | undefined {
    return this.known?.getServerVersion();
  }

  instructions(): string | undefined {
    return this.known?.getInstructions();
  }

  list(kind: ListKind): Promise<readonly Record<string, unknown>[]> {
    return this.inUse(() => this.listNow(kind));
  }

  private async listNow(kind: ListKind): Promise<readonly Record<string, unknown>[]> {
    await this.readyConnection();
    if (!declaresKind(this.capabilities(), kind)) return [];
    let pending = this.lists.get(kind);
    if (!pending) {
      pending = this.fetchAllPages(kind);
      this.lists.set(kind, pending);
      const filled = pending;
      filled.catch(() => {
        if (this.lists.get(kind) === filled) this.lists.delete(kind);
      });
    }
    return pending; // the cached array itself: callers only read it (per tools/call, no copy)
  }

  request(request: Message, options: UpstreamRequestOptions): Promise<Record<string, unknown>> {
    return this.inUse(() => this.send(request, options));
  }

  /** Runs `work` counted as in flight (synchronously from the call on): a connection is idle when
   * nothing has been in flight on it for a while, and drain() waits for what is. */
  private async inUse<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    this.used = true;
    try {
      return await work();
    } finally {
      this.lastUsed = performance.now();
      if (--this.inFlight === 0) this.idle?.();
    }
  }

  async notify(notification: Message): Promise<void> {
    const live = this.live;
    if (!live || this.current !== "ready") return; // nothing to tell a server that is not there
    await this.notifyLive(live, notification);
  }

  private async notifyLive(live: Live, notification: Message): Promise<void> {
    try {
      await live.client.notification(notification as ClientNotification);
    } catch (e) {
      this.once.warn(`upstream ${this.name}: could not send ${notification.method}`, {
        server: this.name,
        error: describe(e),
      });
    }
  }

  /** Closes it; `reason` is what later callers are told (it is closed because ...). */
  close(reason?: string): Promise<void> {
    if (!this.closing && reason) this.closedBecause = reason;
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Waits for the requests in flight (at most `graceMs`), then closes. */
  async drain(graceMs: number, reason: string): Promise<void> {
    if (this.inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.idle = resolve;
        timer = setTimeout(resolve, graceMs);
      });
      clearTimeout(timer);
    }
    await this.close(reason);
  }

  // --- requests ---

  private async send(
    request: Message,
    options: Partial<UpstreamRequestOptions>,
  ): Promise<Record<string, unknown>> {
    await this.readyConnection(options.signal);
    let release: () => void;
    try {
      release = await this.limiter.acquire(options.signal);
    } catch (e) {
      if (e instanceof LimiterFullError)
        throw new UpstreamError(
          this.name,
          ErrorCode.InternalError,
          `upstream ${this.name} is busy: ${e.message}`,
        );
      throw e instanceof UpstreamError ? e : this.cancelled();
    }
    const live = this.live;
    if (!live) {
      release();
      throw this.unavailable();
    }
    const timeout = options.timeoutMs ?? this.options.requestTimeoutMs;
    const transport = live.built.transport;
    if (
      !options.onProgress &&
      live.built.http &&
      transport instanceof StreamableHTTPClientTransport
    ) {
      try {
        return await this.leanRequest(live, transport, request, options, timeout);
      } finally {
        release();
      }
    }
    const upstreamId = nextRequestId(live.client);
    const untrack = options.caller ? this.callers.begin(options.caller, upstreamId) : undefined;
    if (options.onProgress && upstreamId !== undefined)
      live.progress.set(upstreamId, options.onProgress);
    const done = () => {
      untrack?.();
      if (upstreamId !== undefined) live.progress.delete(upstreamId);
    };
    try {
      const result = (await live.client.request(
        withoutForeignToken(request, options) as ClientRequest,
        ResultSchema,
        {
          ...(options.signal ? { signal: options.signal } : {}),
          timeout,
          resetTimeoutOnProgress: true,
          // progress keeps a call alive, but not forever
          maxTotalTimeout: Math.max(timeout, this.options.maxTotalTimeoutMs),
          // the SDK then sends a progressToken and resets the timeout on progress; delivery is ours
          ...(options.onProgress ? { onprogress: () => undefined } : {}),
        },
      )) as Record<string, unknown>;
      const taskId = (result.task as { taskId?: unknown } | undefined)?.taskId;
      if (options.caller && typeof taskId === "string")
        this.callers.rememberTask(taskId, options.caller);
      return result;
    } catch (e) {
      throw this.toUpstreamError(e, live, request.method, timeout, options.signal);
    } finally {
      done();
      release();
    }
  }

  /**
   * A request POSTed by lean-post.ts instead of the SDK client (no progress: that needs the SDK's
   * token bookkeeping). The answer's other messages (the upstream's own requests, its logs) go to
   * the SDK client as if its transport had read them, so they are handled as before.
   */
  private async leanRequest(
    live: Live,
    transport: StreamableHTTPClientTransport,
    request: Message,
    options: Partial<UpstreamRequestOptions>,
    timeout: number,
  ): Promise<Record<string, unknown>> {
    const id = `gatehouse-${++this.leanSequence}`;
    const untrack = options.caller ? this.callers.begin(options.caller, id) : undefined;
    const aborter = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      aborter.abort();
    }, timeout);
    const onCallerAbort = () => aborter.abort();
    options.signal?.addEventListener("abort", onCallerAbort, { once: true });
    let answer: Record<string, unknown> | undefined;
    try {
      const message = withoutForeignToken(request, options);
      await this.leanPostWithCredentials(live, transport, {
        body: JSON.stringify({ jsonrpc: "2.0", id, ...message }),
        signal: aborter.signal,
        traceHeaders: options.traceHeaders?.(),
        onMessage: (m) => {
          if (isAnswerTo(m, id)) answer = m;
          else this.fromUpstream(live, m);
        },
      });
    } catch (e) {
      if (options.signal?.aborted) {
        this.cancelUpstream(live, id, options.signal.reason);
        throw this.cancelled();
      }
      if (timedOut) {
        this.cancelUpstream(live, id, "timed out");
        throw new UpstreamError(
          this.name,
          ErrorCode.RequestTimeout,
          `upstream ${this.name} did not answer ${request.method} within ${timeout} ms`,
        );
      }
      throw this.toUpstreamError(e, live, request.method, timeout, undefined);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onCallerAbort);
      untrack?.();
    }
    return this.leanResult(answer, live, request.method, options.caller);
  }

  /** Sends with the server's credentials; a 401 drops them and the request goes once more. */
  private async leanPostWithCredentials(
    live: Live,
    transport: StreamableHTTPClientTransport,
    post: {
      body: string;
      signal: AbortSignal;
      traceHeaders: Record<string, string> | undefined;
      onMessage: (message: unknown) => void;
    },
  ): Promise<void> {
    const { url, headers: catalogHeaders, credentials, egress } = live.built.http!;
    for (let attempt = 0; ; attempt++) {
      const sent = credentials ? await credentials.headers() : undefined;
      const headers: Record<string, string> = {
        ...catalogHeaders,
        ...post.traceHeaders,
        ...sent,
        ...(transport.sessionId ? { "mcp-session-id": transport.sessionId } : {}),
        ...(transport.protocolVersion ? { "mcp-protocol-version": transport.protocolVersion } : {}),
      };
      try {
        await leanPost(url, post.body, {
          egress,
          headers,
          signal: post.signal,
          onMessage: post.onMessage,
        });
        return;
      } catch (e) {
        const unauthorized = e instanceof UpstreamHttpError && e.code === 401;
        if (!unauthorized || !credentials || !sent) throw e;
        // the refused token is dropped either way; a fresh one is worth one more try
        if (!credentials.refused(sent) || attempt > 0) throw e;
      }
    }
  }

  private leanResult(
    answer: Record<string, unknown> | undefined,
    live: Live,
    method: string,
    caller: UpstreamRequestOptions["caller"] | undefined,
  ): Record<string, unknown> {
    if (!answer) {
      if (live !== this.live) throw this.closedMidRequest();
      throw new UpstreamError(
        this.name,
        ErrorCode.InternalError,
        `upstream ${this.name} ended its answer to ${method} without a result`,
      );
    }
    const error = answer.error as { code?: unknown; message?: unknown; data?: unknown } | undefined;
    if (error && typeof error === "object")
      throw new UpstreamError(
        this.name,
        typeof error.code === "number" ? error.code : ErrorCode.InternalError,
        typeof error.message === "string" ? error.message : "upstream error",
        error.data,
      );
    const result = answer.result;
    if (result === null || typeof result !== "object" || Array.isArray(result))
      throw this.invalidResult(method);
    const typed = result as Record<string, unknown>;
    const taskId = (typed.task as { taskId?: unknown } | undefined)?.taskId;
    if (caller && typeof taskId === "string") this.callers.rememberTask(taskId, caller);
    return typed;
  }

  /** A message that came with a lean answer but is not it: handled by the SDK client. */
  private fromUpstream(live: Live, message: unknown): void {
    const parsed = JSONRPCMessageSchema.safeParse(message);
    if (!parsed.success) {
      live.garbage = true;
      this.once.warn(`upstream ${this.name} sent a message that is not JSON-RPC; ignoring it`, {
        server: this.name,
      });
      return;
    }
    live.built.transport.onmessage?.(parsed.data);
  }

  /** Tells the upstream to stop working on a lean request (the SDK does this for its own). */
  private cancelUpstream(live: Live, id: string, reason: unknown): void {
    void this.notifyLive(live, {
      method: "notifications/cancelled",
      params: { requestId: id, reason: typeof reason === "string" ? reason : "cancelled" },
    });
  }

  private async fetchAllPages(kind: ListKind): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const result = await this.send(
        { method: listMethod[kind], ...(cursor ? { params: { cursor } } : {}) },
        {},
      );
      const pageItems = result[listResultKey[kind]];
      if (!Array.isArray(pageItems))
        throw new UpstreamError(
          this.name,
          ErrorCode.InternalError,
          `upstream ${this.name} answered ${listMethod[kind]} without a ${listResultKey[kind]} array`,
        );
      items.push(...(pageItems as Record<string, unknown>[]));
      cursor =
        typeof result.nextCursor === "string" && result.nextCursor !== ""
          ? result.nextCursor
          : undefined;
      if (!cursor) return items;
    }
    throw new UpstreamError(
      this.name,
      ErrorCode.InternalError,
      `upstream ${this.name} returned more than ${MAX_LIST_PAGES} pages for ${listMethod[kind]}`,
    );
  }

  /** The live connection, waiting a little when it is being (re)built. */
  private async readyConnection(signal?: AbortSignal): Promise<Live> {
    if (this.current === "ready" && this.live) return this.live;
    if (this.current === "closed" || this.current === "failed") throw this.unavailable();
    const ok = await new Promise<boolean>((resolve) => {
      const finish = (value: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiters.delete(finish);
        resolve(value);
      };
      const onAbort = () => finish(false);
      // a new connection (a process starting for its first caller) gets its whole handshake
      const wait = this.everReady
        ? this.options.readyWaitMs
        : Math.max(this.options.readyWaitMs, this.options.connectTimeoutMs);
      const timer = setTimeout(() => finish(false), wait);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.add(finish);
    });
    if (signal?.aborted) throw this.cancelled();
    if (!ok || !this.live) throw this.unavailable();
    return this.live;
  }

  private toUpstreamError(
    e: unknown,
    live: Live,
    method: string,
    timeout: number,
    signal: AbortSignal | undefined,
  ): UpstreamError {
    if (e instanceof UpstreamError) return e;
    if (signal?.aborted) return this.cancelled();
    if (e instanceof McpError) {
      if (e.code === ErrorCode.ConnectionClosed)
        return this.current === "closed" ? this.unavailable() : this.closedMidRequest();
      if (e.code === ErrorCode.RequestTimeout && sdkTimeout(e) === "total") {
        return new UpstreamError(
          this.name,
          ErrorCode.RequestTimeout,
          `upstream ${this.name} did not finish ${method} within ${this.options.maxTotalTimeoutMs} ms`,
        );
      }
      if (e.code === ErrorCode.RequestTimeout && sdkTimeout(e) === "idle") {
        const hint = live.garbage
          ? "; it wrote output that is not JSON-RPC (see the gateway log)"
          : "";
        return new UpstreamError(
          this.name,
          ErrorCode.RequestTimeout,
          `upstream ${this.name} did not answer ${method} within ${timeout} ms${hint}`,
        );
      }
      return new UpstreamError(
        this.name,
        e.code,
        e.message.replace(/^MCP error -?\d+: /, ""),
        e.data,
      );
    }
    if (isSchemaError(e)) return this.invalidResult(method);
    // a transport failure: the POST could not be sent or was answered with something that is not MCP
    const reason = truncate(describe(e), 200);
    this.once.warn(`upstream ${this.name}: ${reason}`, { server: this.name, method });
    if (this.definition.transport.type !== "stdio" && isConnectionLoss(e)) {
      this.breakConnection(live, reason);
      return new UpstreamError(
        this.name,
        ErrorCode.InternalError,
        `upstream ${this.name} could not be reached (${reason}); it is being restarted`,
      );
    }
    if (live !== this.live) return this.closedMidRequest();
    return new UpstreamError(
      this.name,
      ErrorCode.InternalError,
      `upstream ${this.name} failed to handle ${method}: ${reason}`,
    );
  }

  private invalidResult(method: string): UpstreamError {
    this.once.warn(`upstream ${this.name} returned a result that is not a JSON object`, {
      server: this.name,
      method,
    });
    return new UpstreamError(
      this.name,
      ErrorCode.InternalError,
      `upstream ${this.name} returned an invalid result for ${method}`,
    );
  }

  private closedMidRequest(): UpstreamError {
    return new UpstreamError(
      this.name,
      ErrorCode.InternalError,
      `upstream ${this.name} closed the connection while handling the request; it is being restarted`,
    );
  }

  private unavailable(): UpstreamError {
    if (this.current === "closed")
      return new UpstreamError(
        this.name,
        ErrorCode.InternalError,
        `upstream ${this.name} is closed (${this.closedBecause})`,
      );
    const why = this.lastError ? `: ${this.lastError}` : "";
    return new UpstreamError(
      this.name,
      ErrorCode.InternalError,
      `upstream ${this.name} is not available (${this.current}${why})`,
    );
  }

  private cancelled(): UpstreamError {
    return new UpstreamError(
      this.name,
      ErrorCode.InternalError,
      `the request to upstream ${this.name} was cancelled`,
    );
  }

  // --- lifecycle ---

  private async connect(): Promise<void> {
    if (this.current === "closed") return;
    let built: BuiltTransport;
    try {
      built = buildTransport(this.definition, this.options.env, this.options.egress);
    } catch (e) {
      this.connectFailed(describe(e));
      return;
    }
    const t = this.definition.transport;
    // spawns and connections are logged (not every retry of a failing one); arguments and headers
    // may hold secrets, so only the command or URL is
    if (this.failedAttempts === 0)
      this.options.logger.info(`upstream ${this.name}: connecting`, {
        server: this.name,
        connection: this.key,
        ...(t.type === "stdio" ? { command: t.command } : { url: t.url }),
      });
    const client = new Client(this.options.clientInfo, {
      capabilities: GATEWAY_CLIENT_CAPABILITIES,
    });
    const live: Live = { client, built, garbage: false, progress: new Map() };
    // The SDK runs notification handlers a microtask late, after a response that followed them on
    // the wire has already removed the request's progress handler: the last progress update would
    // be lost. Protocol.connect chains an onmessage set before it, so progress is routed here,
    // synchronously and in order.
    built.transport.onmessage = (message) => routeProgress(live, message);
    this.connecting = live;
    this.pipeStderr(built);
    client.onerror = (error) => this.onTransportError(live, error);
    client.onclose = () => this.onClosed(live);
    client.fallbackRequestHandler = (request, extra) => this.onServerRequest(request, extra);
    client.fallbackNotificationHandler = async (notification) =>
      this.onServerNotification(notification);
    try {
      await client.connect(built.transport, { timeout: this.options.connectTimeoutMs });
    } catch (e) {
      this.connecting = undefined;
      await client.close().catch(() => undefined);
      if (!this.isClosed()) this.connectFailed(describe(e));
      return;
    }
    this.connecting = undefined;
    if (this.isClosed()) {
      await closeLive(live);
      return;
    }
    this.live = live;
    this.known = client;
    live.readyAt = Date.now();
    this.once.reset();
    this.lists.clear();
    const announce = this.everReady || this.restarts > 0 || this.lastError !== undefined;
    this.everReady = true;
    this.setState("ready");
    this.options.logger.info(`upstream ${this.name} is ready`, {
      server: this.name,
      connection: this.key,
      version: client.getServerVersion()?.version,
    });
    this.events.ready?.(this);
    for (const wake of [...this.waiters]) wake(true);
    // sessions that listed while it was down (or before a restart) should list again
    if (announce) this.announceListsChanged();
  }

  private connectFailed(reason: string): void {
    const shortened = truncate(reason, 500);
    const changed = shortened !== this.lastError;
    this.lastError = shortened;
    this.events.error?.(shortened);
    if (changed)
      this.options.logger.warn(`upstream ${this.name} could not connect: ${this.lastError}`, {
        server: this.name,
        connection: this.key,
      });
    this.setState("failed");
    for (const wake of [...this.waiters]) wake(false);
    this.scheduleReconnect();
  }

  private onClosed(live: Live): void {
    if (live !== this.live) return; // a connection that never became current, or already replaced
    this.live = undefined;
    if (this.current === "closed") return;
    this.restarts++;
    // a crash loop keeps backing off; a connection that was up for a while starts over
    if (Date.now() - (live.readyAt ?? 0) >= STABLE_AFTER_MS) this.failedAttempts = 0;
    this.lastError =
      live.closeReason ??
      (this.definition.transport.type === "stdio" ? "the process exited" : "the connection closed");
    this.events.restarted?.();
    this.events.error?.(this.lastError);
    this.options.logger.warn(`upstream ${this.name} closed the connection; restarting`, {
      server: this.name,
      connection: this.key,
      restarts: this.restarts,
    });
    this.limiter.failQueued(this.closedMidRequest());
    this.setState("restarting");
    this.scheduleReconnect();
  }

  /** An HTTP upstream that stopped answering: drop the connection; onClosed restarts it. */
  private breakConnection(live: Live, reason: string): void {
    if (live !== this.live) return;
    live.closeReason = reason;
    void live.client.close().catch(() => undefined);
  }

  private scheduleReconnect(): void {
    if (this.current === "closed" || this.retryTimer) return;
    const delay = backoffDelay(this.failedAttempts++, this.options.backoff);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.current === "closed") return;
      this.setState(this.everReady ? "restarting" : "connecting");
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  private async shutdown(): Promise<void> {
    this.setState("closed");
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const wake of [...this.waiters]) wake(false);
    this.limiter.failQueued(this.unavailable());
    const open = [this.live, this.connecting].filter((l): l is Live => l !== undefined);
    this.live = undefined;
    this.connecting = undefined;
    await Promise.all(open.map(closeLive));
  }

  /** (a method, so TypeScript does not keep a narrowing across awaits) */
  private isClosed(): boolean {
    return this.current === "closed";
  }

  private setState(state: UpstreamState): void {
    if (state === this.current) return;
    this.current = state;
    this.events.stateChanged?.();
  }

  // --- traffic from the upstream ---

  private async onServerRequest(
    request: JSONRPCRequest,
    extra: RequestHandlerExtra<ClientRequest, ClientNotification>,
  ): Promise<Record<string, unknown>> {
    const caller = this.callers.attribute(request.params, this.guessAcrossSessions());
    const handlers = this.options.handlers();
    if (!handlers || !caller)
      // a plain error with a code: the SDK answers with it as is (an McpError would add its prefix)
      throw Object.assign(
        new Error(
          `gatehouse has no client to relay ${request.method} to (no request in flight on ${this.name})`,
        ),
        { code: ErrorCode.InternalError },
      );
    const { method, params } = request as ServerRequest & JSONRPCRequest;
    return handlers.onRequest(
      this.name,
      { method, ...(params ? { params } : {}) },
      caller,
      extra.signal,
    );
  }

  private onServerNotification(notification: Message): void {
    const { method, params } = notification;
    const message: JSONRPCNotification = { jsonrpc: "2.0", method, ...(params ? { params } : {}) };
    const handlers = this.options.handlers();
    const changed = listChangedKinds[method];
    if (changed) for (const kind of changed) this.lists.delete(kind);
    if (changed || method === "notifications/resources/updated") {
      this.deliver(handlers, message, undefined);
      return;
    }
    const caller = this.callers.attribute(params, this.guessAcrossSessions());
    // a log with nobody to tell (no handlers, or not tied to a call and no session on this
    // connection) goes to the gateway's log; otherwise to its caller, or to this connection's sessions
    if (
      method === "notifications/message" &&
      (!handlers || (!caller && this.attached.size === 0))
    ) {
      const { level, logger, data } = (params ?? {}) as {
        level?: string;
        logger?: string;
        data?: unknown;
      };
      this.options.logger.info(`upstream ${this.name} log (${level ?? "info"})`, {
        server: this.name,
        ...(logger ? { logger } : {}),
        data: truncate(typeof data === "string" ? data : (JSON.stringify(data) ?? ""), 1000),
      });
      return;
    }
    this.deliver(handlers, message, caller);
  }

  private deliver(
    handlers: UpstreamClientHandlers | undefined,
    notification: JSONRPCNotification,
    caller: Parameters<UpstreamClientHandlers["onNotification"]>[2],
  ): void {
    try {
      handlers?.onNotification(this.name, notification, caller, this.attached);
    } catch (e) {
      this.once.warn(`relaying ${notification.method} from upstream ${this.name} failed`, {
        server: this.name,
        error: describe(e),
      });
    }
  }

  /** Whether a message not naming its call may be given to the latest caller in flight even when
   * callers of several sessions are: not on a shared connection, where they may be anyone. */
  private guessAcrossSessions(): boolean {
    return this.identity.isolation !== "shared";
  }

  private announceListsChanged(): void {
    const caps = this.capabilities();
    const handlers = this.options.handlers();
    for (const [family, method] of [
      ["tools", "notifications/tools/list_changed"],
      ["resources", "notifications/resources/list_changed"],
      ["prompts", "notifications/prompts/list_changed"],
    ] as const) {
      if (caps?.[family]) this.deliver(handlers, { jsonrpc: "2.0", method }, undefined);
    }
  }

  private onTransportError(live: Live, error: Error): void {
    if (live !== this.live && live !== this.connecting) return;
    const message = describe(error);
    if (message.startsWith("Received a progress notification for an unknown token")) return; // see routeProgress
    if (isSchemaError(error) || error instanceof SyntaxError) {
      live.garbage = true;
      this.once.warn(`upstream ${this.name} wrote output that is not JSON-RPC; ignoring it`, {
        server: this.name,
        error: truncate(message, 200),
      });
      return;
    }
    // the streamable HTTP transport gives up on a dropped response stream this way
    if (/Maximum reconnection attempts|Failed to reconnect/.test(message))
      this.breakConnection(live, truncate(message, 200));
    this.once.warn(`upstream ${this.name}: ${truncate(message, 200)}`, { server: this.name });
  }

  private pipeStderr(built: BuiltTransport): void {
    if (!built.stderr) return;
    const redact = (line: string) =>
      built.secrets.reduce((text, secret) => text.split(secret).join("[redacted]"), line);
    const sink = createLineSink((line) =>
      this.options.logger.info(`upstream ${this.name} stderr: ${redact(line)}`, {
        server: this.name,
      }),
    );
    built.stderr.on("data", (chunk: Buffer) => sink.write(chunk));
    built.stderr.on("end", () => sink.flush());
    built.stderr.on("error", () => undefined);
  }
}

async function closeLive(live: Live): Promise<void> {
  const transport = live.built.transport;
  if (transport instanceof StreamableHTTPClientTransport && transport.sessionId) {
    // polite: end the upstream session, but never wait long for it
    await Promise.race([
      transport.terminateSession().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 1000).unref()),
    ]);
  }
  // stdio: the SDK closes stdin, then sends SIGTERM and, after a grace period, SIGKILL
  await live.client.close().catch(() => undefined);
}

/** A downstream progressToken left in the params would reach the upstream as is and could equal
 * one of our own request ids (progress routed to another caller): drop it unless we replace it. */
function withoutForeignToken(request: Message, options: Partial<UpstreamRequestOptions>): Message {
  const meta = request.params?._meta as Record<string, unknown> | undefined;
  if (options.onProgress || meta?.progressToken === undefined) return request;
  const { progressToken: _dropped, ...rest } = meta;
  const params = { ...request.params, _meta: rest };
  if (Object.keys(rest).length === 0) delete (params as { _meta?: unknown })._meta;
  return { ...request, params };
}

function routeProgress(live: Live, message: JSONRPCMessage): void {
  if (!("method" in message) || message.method !== "notifications/progress" || "id" in message)
    return;
  const { progressToken, ...progress } = (message.params ?? {}) as {
    progressToken?: unknown;
  } & Progress;
  const listener = live.progress.get(Number(progressToken));
  if (listener && typeof progress.progress === "number") listener(progress);
}

/** The id the SDK client will give its next request (also its progressToken when one is sent). */
function nextRequestId(client: Client): number | undefined {
  const id = (client as unknown as { _requestMessageId?: unknown })._requestMessageId;
  return typeof id === "number" ? id : undefined;
}
