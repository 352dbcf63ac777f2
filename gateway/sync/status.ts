// GET /-/status for operators: the active revision, the last fetch and attempt with its error, and
// upstream health. Guarded by the operator bearer token (constant-time); without a configured
// token only the development setup (loopback bind, --dev) may read it.
import type { Context } from "koa";
import type { GatewayConfig } from "../config.ts";
import type { ActiveState } from "../gateway.ts";
import type { UpstreamPool, UpstreamStatus } from "../mcp/contracts.ts";
import { secretsEqual } from "./secret-compare.ts";
import type { GitSync, SyncStatus } from "./sync.ts";

export interface GatewayStatus {
  revision: string;
  bundleDigest: string;
  sync: SyncStatus | { enabled: false };
  upstreams: UpstreamStatus[];
}

export interface StatusOptions {
  config: GatewayConfig;
  /** the resolved operator token, or null */
  token: string | null;
  sync: GitSync | undefined;
  /** the running gateway's state and pool (undefined while starting) */
  gateway(): { current(): ActiveState; pool: UpstreamPool } | undefined;
}

export function createStatusHandler(options: StatusOptions): (ctx: Context) => Promise<void> {
  return async (ctx) => {
    if (ctx.method !== "GET") {
      ctx.set("Allow", "GET");
      ctx.status = 405;
      ctx.body = { error: "use GET" };
      return;
    }
    const refusal = authorizationProblem(ctx.get("authorization"), options);
    if (refusal) {
      ctx.status = refusal.status;
      if (refusal.status === 401) ctx.set("WWW-Authenticate", 'Bearer realm="gatehouse-operator"');
      ctx.body = { error: refusal.message };
      return;
    }
    const gateway = options.gateway();
    if (!gateway) {
      ctx.status = 503;
      ctx.body = { error: "starting" };
      return;
    }
    const { policy } = gateway.current();
    const body: GatewayStatus = {
      revision: policy.revision,
      bundleDigest: policy.bundleDigest,
      sync: options.sync?.status() ?? { enabled: false },
      upstreams: gateway.pool.status(),
    };
    ctx.set("Cache-Control", "no-store");
    ctx.body = body;
  };
}

function authorizationProblem(
  header: string,
  options: StatusOptions,
): { status: number; message: string } | undefined {
  if (options.token === null) {
    if (options.config.dev) return undefined; // dev is refused on non-loopback binds (config.ts)
    return {
      status: 403,
      message: "no operator token is configured: set operatorToken (env:NAME or file:/path)",
    };
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return { status: 401, message: "an operator bearer token is required" };
  if (!secretsEqual(match[1]!, options.token))
    return { status: 401, message: "the operator token is not valid" };
  return undefined;
}
