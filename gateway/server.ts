// The gateway's Koa app: health probes, the MCP endpoints, JSON errors without internals.
import Koa, { type Context } from "koa";
import type { Logger } from "./log.ts";
import type { SessionView } from "./mcp/contracts.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./telemetry/prometheus.ts";

export interface AppOptions {
  /** why the gateway cannot serve yet (no policy, no catalog), or undefined when ready */
  notReadyReason(): string | undefined;
  /** facts shown by /readyz when ready */
  readyFacts(): Record<string, unknown>;
  /** whether /mcp/<name> names a virtual server of the current catalog */
  hasVirtualServer(name: string): boolean;
  handleMcp(ctx: Context, view: SessionView): Promise<void>;
  /** RFC 9728 document for the path after /.well-known/oauth-protected-resource, or undefined */
  protectedResourceMetadata?(suffix: string): Record<string, unknown> | undefined;
  /** Prometheus text for GET /metrics, or null when Prometheus is off (404) */
  metricsText?(): Promise<string> | null;
  /** why this request may not read /metrics (the `metrics` config: token, loopback only) */
  metricsRefusal?(ctx: Context): { status: number; message: string } | undefined;
  /** operator endpoints by exact path (GitOps: /-/sync, /-/status); each checks its own method */
  routes?: Record<string, (ctx: Context) => Promise<void>>;
  log: Logger;
}

const VIRTUAL_PATH = /^\/mcp\/([^/]+)\/?$/;
const PROTECTED_RESOURCE = "/.well-known/oauth-protected-resource";

export function createApp(options: AppOptions): Koa {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (e) {
      const status = (e as { status?: number }).status;
      const exposed = typeof status === "number" && status >= 400 && status < 500;
      options.log.log(exposed ? "warn" : "error", "request failed", {
        method: ctx.method,
        path: ctx.path,
        error: e instanceof Error ? e.message : String(e),
      });
      if (ctx.headerSent || !ctx.writable) return;
      ctx.status = exposed ? status : 500;
      const message = exposed ? (e as Error).message : "internal error";
      ctx.body = ctx.path.startsWith("/mcp")
        ? { jsonrpc: "2.0", error: { code: exposed ? -32600 : -32603, message }, id: null }
        : { error: message };
    }
  });
  app.use(async (ctx) => {
    if (ctx.path === "/healthz" && ctx.method === "GET") {
      ctx.body = { status: "ok" };
      return;
    }
    if (ctx.path === "/readyz" && ctx.method === "GET") {
      const reason = options.notReadyReason();
      ctx.status = reason === undefined ? 200 : 503;
      ctx.body =
        reason === undefined
          ? { status: "ready", ...options.readyFacts() }
          : { status: "not ready", reason };
      return;
    }
    const route = options.routes?.[ctx.path];
    if (route) return route(ctx);
    if (ctx.path === "/metrics" && ctx.method === "GET") {
      const refused = options.metricsRefusal?.(ctx);
      if (refused) {
        options.log.log("warn", "metrics request refused", {
          status: refused.status,
          reason: refused.message,
          remote: ctx.req.socket.remoteAddress,
        });
        ctx.status = refused.status;
        if (refused.status === 401) ctx.set("WWW-Authenticate", 'Bearer realm="gatehouse-metrics"');
        ctx.body = { error: refused.message };
        return;
      }
      const text = options.metricsText?.() ?? null;
      if (text === null) {
        ctx.status = 404;
        ctx.body = {
          error:
            "Prometheus metrics are off (telemetry.enabled or telemetry.prometheus is false, or OTEL_SDK_DISABLED=true)",
        };
        return;
      }
      ctx.body = await text;
      ctx.type = PROMETHEUS_CONTENT_TYPE;
      return;
    }
    if (
      options.protectedResourceMetadata &&
      ctx.method === "GET" &&
      (ctx.path === PROTECTED_RESOURCE || ctx.path.startsWith(`${PROTECTED_RESOURCE}/`))
    ) {
      const metadata = options.protectedResourceMetadata(ctx.path.slice(PROTECTED_RESOURCE.length));
      ctx.status = metadata ? 200 : 404;
      ctx.body = metadata ?? { error: "no protected resource at this path" };
      // public metadata: browser-based MCP clients read it cross-origin
      ctx.set("Access-Control-Allow-Origin", "*");
      return;
    }
    if (ctx.path === "/mcp" || ctx.path === "/mcp/") return options.handleMcp(ctx, { kind: "all" });
    const virtual = VIRTUAL_PATH.exec(ctx.path);
    if (virtual) {
      const name = safeDecode(virtual[1]!);
      if (name !== undefined && options.hasVirtualServer(name))
        return options.handleMcp(ctx, { kind: "virtual", name });
      ctx.status = 404;
      ctx.body = {
        error: `no virtual server named ${JSON.stringify((name ?? virtual[1]!).slice(0, 100))}`,
      };
      return;
    }
    ctx.status = 404;
    ctx.body = { error: "not found" };
  });
  // SSE clients disconnecting mid-stream are routine, not errors worth a log line
  app.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "ECONNRESET" || e.code === "EPIPE" || e.code === "ERR_STREAM_PREMATURE_CLOSE")
      return;
    options.log.log("error", "server error", { error: e.message });
  });
  return app;
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
