// A running gateway: catalog + policy + upstream pool + HTTP server, with graceful shutdown.
import {
  createServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { loadCatalog, type Catalog } from "./catalog/index.ts";
import { EgressGuard, egressSettings } from "./egress/index.ts";
import { Authenticator } from "./auth/authenticator.ts";
import { DEV_PRINCIPAL_LABEL } from "./auth/dev.ts";
import { isLoopbackHost, type GatewayConfig } from "./config.ts";
import { redactingLogger, stderrLogger, type Logger } from "./log.ts";
import { decisionOutputLog } from "./decision-output-log.ts";
import { PolicyEngine, policyLimitOptions } from "./policy/index.ts";
import type { CreateSessionServer, UpstreamPool } from "./mcp/contracts.ts";
import { createDownstreamHandler, type DownstreamOptions } from "./mcp/downstream.ts";
import { resolveSecret } from "./catalog/secrets.ts";
import { loadStateKey, RequestStateSealer } from "./mcp/modern/request-state.ts";
import { StatelessRequests } from "./mcp/modern/stateless.ts";
import { createSessionServer } from "./mcp/session-server.ts";
import { SessionManager } from "./mcp/sessions.ts";
import { createUpstreamPool, type Logger as PoolLogger } from "./mcp/upstream/index.ts";
import { combineObservers, type CallObserver } from "./observer.ts";
import { createDecisionRecorder } from "./audit/index.ts";
import { Redactor } from "./redaction.ts";
import { Telemetry } from "./telemetry/index.ts";
import { MetricsAccess } from "./telemetry/metrics-access.ts";
import { createApp, type AppOptions } from "./server.ts";

export interface ActiveState {
  catalog: Catalog;
  policy: PolicyEngine;
}

export interface GatewayDeps {
  log?: Logger;
  /** defaults to loading config.catalogDir */
  catalog?: Catalog;
  /** defaults to compiling config.policyDirs */
  policy?: PolicyEngine;
  createUpstreamPool?: (catalog: Catalog) => UpstreamPool;
  createSessionServer?: CreateSessionServer;
  resolvePrincipal?: DownstreamOptions["resolvePrincipal"];
  /** told about every request (telemetry, audit); combined with those the config turns on */
  observer?: CallObserver;
  /** defaults to Telemetry.start(config.telemetry) (OTEL_* variables apply) */
  telemetry?: Telemetry;
  /** extra HTTP endpoints by exact path (gateway/sync/start.ts: /-/sync, /-/status) */
  routes?: AppOptions["routes"];
  /** every outbound connection (issuers, JWKS, token endpoints, HTTP upstreams) goes through it;
   * defaults to one built from config.dev and config.egress */
  egress?: EgressGuard;
}

export class Gateway {
  private state: ActiveState | undefined;
  private closing: Promise<void> | undefined;
  /** the egress guard the gateway made (not one given in deps): its sockets close with it */
  private ownEgress: EgressGuard | undefined;
  /** responses not yet finished; long-lived GET streams are tracked apart (they never finish) */
  private readonly inFlight = new Set<Promise<void>>();

  private constructor(
    readonly config: GatewayConfig,
    private readonly http: HttpServer,
    private readonly sessions: SessionManager,
    readonly pool: UpstreamPool,
    private readonly observer: CallObserver,
    /** spans and metrics; the GitOps sync reports through telemetry.setSyncState() */
    readonly telemetry: Telemetry,
    private readonly log: Logger,
    state: ActiveState,
  ) {
    this.state = state;
  }

  static async start(config: GatewayConfig, deps: GatewayDeps = {}): Promise<Gateway> {
    // one redactor for log lines, spans and records: the config's secret patterns
    const redactor = new Redactor(config.audit.secretPatterns);
    const log = redactingLogger(deps.log ?? stderrLogger, redactor);
    const egress = deps.egress ?? new EgressGuard(egressSettings(config));
    const catalog = deps.catalog ?? loadCatalog(config.catalogDir, { egress: egress.policy });
    const policy =
      deps.policy ??
      (await PolicyEngine.fromDirectories(config.policyDirs, policyLimitOptions(config.policy)));
    const telemetry =
      deps.telemetry ??
      (await Telemetry.start(config.telemetry, {
        redactor,
        log,
      }));
    // decision records (docs/audit.md); audit.enabled: false turns them off. Opened before the
    // upstreams, so a bad store or signing key stops the gateway before any upstream starts
    const recorder = createDecisionRecorder(config, log);
    // the pool's upstreams start once the port is bound (below): readiness does not wait for their
    // processes, nor do they compete with the gateway's own start, and a port in use starts none
    const pool: UpstreamPool & { start?(): void } = deps.createUpstreamPool
      ? deps.createUpstreamPool(catalog)
      : createUpstreamPool(catalog, {
          logger: poolLogger(log),
          requestTimeoutMs: config.limits.requestTimeoutMs,
          egress,
          deferStart: true,
        });
    telemetry.observeUpstreams(pool);
    // a record names the gateway's own span when the request is traced
    recorder?.useTraceIds((facts) => telemetry.traceIds(facts));
    // telemetry first: the first observer's trace context is what upstreams receive
    const observer = combineObservers([
      telemetry.observer,
      ...(recorder ? [recorder] : []),
      decisionOutputLog(log),
      ...(deps.observer ? [deps.observer] : []),
    ]);
    let gateway: Gateway | undefined;
    const current = (): ActiveState => gateway!.current();
    const sessions = new SessionManager({
      limits: config.limits,
      separator: config.separator,
      createSessionServer: deps.createSessionServer ?? createSessionServer,
      context: { current, pool, observer },
      log,
    });
    const authenticator = new Authenticator({
      config,
      defaultResource: () => gateway!.url,
      hasVirtualServer: (name) => gateway?.state?.catalog.virtualServers.has(name) ?? false,
      log,
      egress,
    });
    const handleMcp = createDownstreamHandler({
      config,
      sessions,
      log,
      resolvePrincipal:
        deps.resolvePrincipal ?? ((ctx, view) => authenticator.authenticate(ctx, view)),
      scopeRefusal: (principal, methods, view) =>
        authenticator.scopeRefusal(principal, methods, view),
      credentials: authenticator.credentials,
      stateless: new StatelessRequests({
        separator: config.separator,
        context: { current, pool, observer },
        maxInFlightPerPrincipal: config.limits.maxStatelessInFlightPerPrincipal,
        sealer: new RequestStateSealer(() =>
          loadStateKey(
            config.requestStateKey === null
              ? undefined
              : resolveSecret(config.requestStateKey, process.env),
            config.dataDir,
          ),
        ),
      }),
    });
    const metricsAccess = new MetricsAccess(config.metrics);
    if (!metricsAccess.restricted && !isLoopbackHost(config.host))
      log.log("warn", "GET /metrics is open to anyone who can reach the gateway", {
        fix: "set metrics.token (env:NAME or file:/path) or metrics.loopbackOnly: true",
      });
    const app = createApp({
      notReadyReason: () => gateway?.notReadyReason(),
      readyFacts: () => ({
        policyRevision: gateway?.state?.policy.revision,
        servers: gateway?.state?.catalog.servers.size,
      }),
      hasVirtualServer: (name) => gateway?.state?.catalog.virtualServers.has(name) ?? false,
      protectedResourceMetadata: (suffix) => authenticator.protectedResourceMetadata(suffix),
      metricsText: () => telemetry.metricsText(),
      metricsRefusal: (ctx) =>
        metricsAccess.refusal(ctx.get("authorization"), ctx.req.socket.remoteAddress),
      routes: deps.routes,
      handleMcp,
      log,
    });
    const http = createServer();
    gateway = new Gateway(config, http, sessions, pool, observer, telemetry, log, {
      catalog,
      policy,
    });
    if (!deps.egress) gateway.ownEgress = egress;
    const handler = app.callback();
    http.on("request", (req, res) => gateway.track(req, res, () => handler(req, res)));
    // bounds how long a client may take to send its request (slow-body attacks)
    http.requestTimeout = config.limits.requestTimeoutMs;
    http.headersTimeout = Math.min(config.limits.requestTimeoutMs, 60_000);
    try {
      await listen(http, config.host, config.port);
    } catch (e) {
      await pool.close().catch(() => undefined);
      await sessions.closeAll();
      await observer.close().catch(() => undefined);
      throw e;
    }
    // before any request can arrive (they need the next turn of the event loop)
    pool.start?.();
    if (config.dev) log.log("warn", DEV_PRINCIPAL_LABEL, { groups: config.devGroups });
    log.log("info", "gateway listening", { url: gateway.url, policyRevision: policy.revision });
    return gateway;
  }

  /** Base URL of the MCP endpoint, e.g. http://127.0.0.1:8080/mcp */
  get url(): string {
    const address = this.http.address() as AddressInfo | null;
    const host = this.config.host.includes(":") ? `[${this.config.host}]` : this.config.host;
    return `http://${host}:${address?.port ?? this.config.port}/mcp`;
  }

  /** The catalog and policy new calls use; replaced as one value, so a swap is atomic. */
  current(): ActiveState {
    if (!this.state) throw new Error("the gateway has no active catalog and policy");
    return this.state;
  }

  replace(state: ActiveState): void {
    this.state = state;
  }

  notReadyReason(): string | undefined {
    if (this.closing) return "shutting down";
    if (!this.state) return "no policy bundle is active and no catalog is loaded";
    return undefined;
  }

  /**
   * Graceful shutdown: stop accepting connections, let in-flight requests finish (up to the grace
   * period), then close sessions (ending their streams), the upstream pool and the server.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.log.log("info", "gateway shutting down", { inFlight: this.inFlight.size });
    const stopped = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeIdleConnections();
    await withGrace(Promise.all(this.inFlight), this.config.limits.shutdownGraceMs);
    await this.sessions.closeAll();
    await this.pool.close().catch((e: unknown) => {
      this.log.log("error", "closing upstreams failed", {
        error: e instanceof Error ? e.message : String(e),
      });
    });
    this.ownEgress?.close();
    this.http.closeAllConnections();
    await stopped;
    // after every request has ended, so the last records are flushed
    await this.observer.close().catch((e: unknown) => {
      this.log.log("error", "closing telemetry/audit failed", {
        error: e instanceof Error ? e.message : String(e),
      });
    });
    this.log.log("info", "gateway stopped");
  }

  private track(req: IncomingMessage, res: ServerResponse, handle: () => unknown): void {
    if (this.closing) {
      res.shouldKeepAlive = false;
      // a request on a kept-alive socket: calls of open sessions (cancellations, ...) still get
      // served; nothing new starts
      if (req.headers["mcp-session-id"] === undefined) {
        res.writeHead(503, { "content-type": "application/json", "retry-after": "5" });
        res.end(JSON.stringify({ error: "shutting down" }));
        return;
      }
    }
    if (req.method === "GET") {
      handle();
      return;
    }
    const done = new Promise<void>((resolve) => res.once("close", () => resolve()));
    this.inFlight.add(done);
    void done.then(() => this.inFlight.delete(done));
    handle();
  }
}

function listen(http: HttpServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    http.once("error", onError);
    http.listen(port, host, () => {
      http.off("error", onError);
      resolve();
    });
  });
}

async function withGrace(work: Promise<unknown>, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([work, grace]);
  clearTimeout(timer);
}

/** The pool's logger interface over the gateway's. */
function poolLogger(log: Logger): PoolLogger {
  return {
    info: (message, fields) => log.log("info", message, fields),
    warn: (message, fields) => log.log("warn", message, fields),
    error: (message, fields) => log.log("error", message, fields),
  };
}
