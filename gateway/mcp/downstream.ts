// The downstream MCP endpoint (Streamable HTTP), one URL for both protocol eras: checks every
// request at the HTTP level, then routes it by era (modern/route.ts). A protocol revision
// 2026-07-28 request is served on its own (modern/serve.ts); a handshake-era one (up to
// 2025-11-25) finds or opens its session and goes to the session's SDK transport or the fast path
// (Koa steps aside with ctx.respond = false).
import type { IncomingMessage } from "node:http";
import type { JSONRPCRequest } from "@modelcontextprotocol/server";
import type { Context } from "koa";
import {
  isInitializeRequest,
  JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@modelcontextprotocol/sdk/types.js";
import type { PrincipalResolution } from "../auth/authenticator.ts";
import type { PrincipalRefusal } from "../auth/challenge.ts";
import { requestPrincipal } from "../auth/dev.ts";
import type { GatewayConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Principal, SessionView } from "./contracts.ts";
import { SessionLimitError, type SessionManager } from "./sessions.ts";
import {
  absorbFastCallTraffic,
  isFastCall,
  isPlainRequest,
  noteMessages,
  serveFastCall,
} from "./fast-call.ts";
import { describeJsonShapeProblem, jsonShapeProblem } from "./json-limits.ts";
import type { TokenBucketStore } from "./rate-limit.ts";
import { attachPrincipal } from "./request-principal.ts";
import { MODERN_REVISIONS } from "./modern/revision.ts";
import { routePost } from "./modern/route.ts";
import { serveModernRequest } from "./modern/serve.ts";
import type { StatelessRequests } from "./modern/stateless.ts";
import { PrincipalRequestRate } from "./request-rate.ts";
import { sessionHandle } from "./session-server.ts";
import type { RequestNote } from "./session-state.ts";

/** JSON-RPC codes used at the HTTP level (the SDK transport uses the same ones). */
export const HTTP_ERROR_CODE = {
  parse: -32700,
  invalidRequest: -32600,
  generic: -32000,
  sessionNotFound: -32001,
} as const;

/** Largest batch accepted from a 2025-03-26 client. */
export const MAX_BATCH_MESSAGES = 100;

export interface DownstreamOptions {
  config: Pick<GatewayConfig, "dev" | "devGroups" | "allowedHosts" | "allowedOrigins" | "limits">;
  sessions: SessionManager;
  log: Logger;
  /** who is calling (gateway/auth's Authenticator): a principal, a refusal with its status and
   * WWW-Authenticate challenge, or undefined (401). Defaults to the development principal (--dev,
   * loopback only). */
  resolvePrincipal?: (
    ctx: Context,
    view: SessionView,
  ) => PrincipalResolution | Promise<PrincipalResolution>;
  /** 403 insufficient_scope when the principal lacks a scope the body's methods need */
  scopeRefusal?: (
    principal: Principal,
    methods: string[],
    view: SessionView,
  ) => PrincipalRefusal | undefined;
  /** ends a response still open when its credential expires or is revoked (gateway/auth's
   * CredentialWatch); none: responses are not watched */
  credentials?: {
    watch(principal: Principal, end: (reason: string) => void): () => void;
  };
  /** where the per-principal request buckets live (default: in this process) */
  rateStore?: TokenBucketStore;
  /** serves protocol revision 2026-07-28 requests (they have no session) */
  stateless: StatelessRequests;
}

export function sendJsonRpcError(
  ctx: Context,
  status: number,
  code: number,
  message: string,
  id: string | number | null = null,
  data?: unknown,
): void {
  ctx.status = status;
  ctx.body = { jsonrpc: "2.0", error: { code, message, ...(data !== undefined && { data }) }, id };
}

/** Handles one request to /mcp or /mcp/<virtual server>. */
export function createDownstreamHandler(options: DownstreamOptions) {
  const { config, sessions, log } = options;
  const resolvePrincipal =
    options.resolvePrincipal ??
    ((ctx: Context) => requestPrincipal(config, ctx.req.socket.remoteAddress));
  const requestRate = new PrincipalRequestRate(config.limits, options.rateStore);

  /** A 2026-07-28 request: answered on its own stream, ended with its credential like any. */
  async function serveModern(
    ctx: Context,
    message: JSONRPCRequest,
    revision: string,
    principal: Principal,
    view: SessionView,
  ): Promise<void> {
    const unwatch = options.credentials?.watch(principal, (reason) => {
      log.log("info", "response ended: its credential is no longer valid", {
        principal: principal.sub,
        reason,
      });
      ctx.res.destroy();
    });
    try {
      const outcome = await serveModernRequest(options.stateless, message, revision, {
        req: ctx.req,
        res: ctx.res,
        principal,
        view,
        note: requestNote(ctx),
      });
      if (outcome.answered) {
        ctx.respond = false;
        // nothing was forwarded: a client echoing a state the gateway did not seal is worth a line
        if (outcome.refusedState)
          log.log("warn", "mcp request refused", {
            status: 200,
            method: message.method,
            path: ctx.path,
            reason: outcome.refusedState,
            principal: principal.sub,
            remote: ctx.req.socket.remoteAddress,
          });
        return;
      }
      log.log("warn", "mcp request refused", {
        status: 429,
        path: ctx.path,
        reason: "too many stateless requests in flight for this principal",
        remote: ctx.req.socket.remoteAddress,
      });
      ctx.set("Retry-After", "1");
      sendJsonRpcError(
        ctx,
        429,
        HTTP_ERROR_CODE.generic,
        `too many requests in flight for this principal (limit ${config.limits.maxStatelessInFlightPerPrincipal}); wait for some to finish`,
        message.id,
      );
    } finally {
      unwatch?.();
    }
  }

  return async function handleMcp(ctx: Context, view: SessionView): Promise<void> {
    // every refusal is logged once, here, with what was refused and why (never the body)
    const refuse = (
      status: number,
      code: number,
      message: string,
      id: string | number | null = null,
      data?: unknown,
    ): void => {
      log.log(status >= 500 ? "error" : "warn", "mcp request refused", {
        status,
        method: ctx.method,
        path: ctx.path,
        reason: message,
        remote: ctx.req.socket.remoteAddress,
      });
      sendJsonRpcError(ctx, status, code, message, id, data);
    };
    const foreign = foreignHostOrOrigin(ctx, config);
    if (foreign) return refuse(403, HTTP_ERROR_CODE.generic, `Forbidden: ${foreign}`);
    const principal = await resolvePrincipal(ctx, view);
    if (principal && "refused" in principal) {
      ctx.set("WWW-Authenticate", principal.wwwAuthenticate);
      return refuse(principal.status, HTTP_ERROR_CODE.generic, principal.message);
    }
    if (!principal) {
      ctx.set("WWW-Authenticate", 'Bearer realm="gatehouse"');
      return refuse(
        401,
        HTTP_ERROR_CODE.generic,
        "Unauthorized: identity is not configured on this gateway; for local use start it with --dev and connect from a loopback address",
      );
    }
    // every request counts, before its body is read: a flood costs the gateway little
    const overRate = await requestRate.check(principal);
    if (overRate) {
      ctx.set("Retry-After", String(overRate.retryAfterSeconds));
      if (overRate.log) return refuse(429, HTTP_ERROR_CODE.generic, overRate.message);
      return sendJsonRpcError(ctx, 429, HTTP_ERROR_CODE.generic, overRate.message);
    }
    if (!["POST", "GET", "DELETE"].includes(ctx.method)) {
      ctx.set("Allow", "GET, POST, DELETE");
      return refuse(405, HTTP_ERROR_CODE.generic, "Method Not Allowed");
    }
    const accepted = acceptProblem(ctx);
    if (accepted) return refuse(406, HTTP_ERROR_CODE.generic, accepted);

    let body: unknown;
    if (ctx.method === "POST") {
      if (!isJsonContentType(ctx.get("content-type"))) {
        return refuse(
          415,
          HTTP_ERROR_CODE.generic,
          "Unsupported Media Type: Content-Type must be application/json",
        );
      }
      const read = await readBody(ctx.req, config.limits.maxBodyBytes);
      if (read.tooLarge) {
        ctx.set("Connection", "close");
        return refuse(
          413,
          HTTP_ERROR_CODE.invalidRequest,
          `Payload Too Large: the body exceeds ${config.limits.maxBodyBytes} bytes`,
        );
      }
      try {
        body = JSON.parse(read.text);
      } catch {
        return refuse(400, HTTP_ERROR_CODE.parse, "Parse error: the body is not valid JSON");
      }
      const tooDeep = jsonShapeProblem(body, config.limits);
      if (tooDeep) {
        const message = describeJsonShapeProblem(tooDeep);
        return refuse(400, HTTP_ERROR_CODE.invalidRequest, message, requestIdOf(body));
      }
      const route = routePost(body, {
        protocolVersion: ctx.get("mcp-protocol-version") || undefined,
        mcpMethod: ctx.get("mcp-method") || undefined,
        mcpName: ctx.get("mcp-name") || undefined,
        sessionId: ctx.get("mcp-session-id") || undefined,
      });
      if (route.kind === "reject")
        return refuse(route.status, route.code, route.message, requestIdOf(body), route.data);
      if (route.kind === "modern-notification") {
        ctx.status = 202; // no notification of this revision asks anything of the gateway
        return;
      }
      if (route.kind === "modern-request") {
        const scoped = options.scopeRefusal?.(principal, [route.message.method], view);
        if (scoped) {
          ctx.set("WWW-Authenticate", scoped.wwwAuthenticate);
          return refuse(scoped.status, HTTP_ERROR_CODE.generic, scoped.message, route.message.id);
        }
        return serveModern(ctx, route.message, route.revision, principal, view);
      }
      const shape = shapeProblem(body, ctx.get("mcp-protocol-version"));
      if (shape) return refuse(400, HTTP_ERROR_CODE.invalidRequest, `Invalid Request: ${shape}`);
      const scoped = options.scopeRefusal?.(principal, requestMethods(body), view);
      if (scoped) {
        ctx.set("WWW-Authenticate", scoped.wwwAuthenticate);
        return refuse(scoped.status, HTTP_ERROR_CODE.generic, scoped.message);
      }
    }

    const version = ctx.get("mcp-protocol-version");
    if (MODERN_REVISIONS.includes(version)) {
      // GET streams and DELETE belong to handshake-era sessions
      ctx.set("Allow", "POST");
      return refuse(
        405,
        HTTP_ERROR_CODE.generic,
        `Method Not Allowed: protocol revision ${version} has only POST (subscriptions/listen replaces the GET stream)`,
      );
    }
    if (version !== "" && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return refuse(
        400,
        HTTP_ERROR_CODE.generic,
        `Bad Request: unsupported MCP-Protocol-Version ${JSON.stringify(version.slice(0, 40))} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`,
      );
    }

    const sessionId = ctx.get("mcp-session-id");
    let session;
    if (sessionId !== "") {
      session = sessions.find(sessionId, principal, view);
      if (!session) {
        return refuse(
          404,
          HTTP_ERROR_CODE.sessionNotFound,
          "Session not found: initialize a new session",
        );
      }
    } else if (ctx.method === "POST" && isInitializeRequest(body)) {
      try {
        session = await sessions.open(principal, view, {
          ip: ctx.req.socket.remoteAddress,
          userAgent: ctx.get("user-agent") || undefined,
        });
      } catch (e) {
        if (!(e instanceof SessionLimitError)) throw e;
        if (e.status === 503) ctx.set("Retry-After", "30");
        return refuse(e.status, HTTP_ERROR_CODE.generic, e.message);
      }
    } else {
      return refuse(
        400,
        HTTP_ERROR_CODE.generic,
        "Bad Request: Mcp-Session-Id header is required (only initialize opens a session)",
      );
    }

    if (ctx.method === "POST" && hasInitializedNotification(body))
      sessions.markInitialized(session);

    ctx.respond = false;
    const leave = sessions.enter(session);
    ctx.res.once("close", leave);
    // a response that outlives its credential (a GET stream, a long call's SSE) ends with it
    const watchedSession = session.id;
    const unwatch = options.credentials?.watch(principal, (reason) => {
      log.log("info", "response ended: its credential is no longer valid", {
        session: watchedSession,
        principal: principal.sub,
        reason,
      });
      ctx.res.destroy();
    });
    if (unwatch) ctx.res.once("close", unwatch);
    if (ctx.res.destroyed) return leave();
    try {
      const handle = sessionHandle(session.server);
      if (handle && ctx.method === "POST") {
        const note = requestNote(ctx);
        if (isFastCall(body)) {
          await serveFastCall(handle, session, body, {
            req: ctx.req,
            res: ctx.res,
            note,
            principal,
          });
          return;
        }
        if (absorbFastCallTraffic(handle.state, body, ctx.res)) return;
        noteMessages(handle.state, body, note);
      }
      // every message of the request is handled with this request's principal
      attachPrincipal(ctx.req, principal);
      await session.transport.handleRequest(ctx.req, ctx.res, body);
    } catch (e) {
      leave();
      throw e;
    }
  };
}

/** Trace context and authentication timing of the HTTP request, for telemetry. */
function requestNote(ctx: Context): RequestNote {
  const header = (name: string) => {
    const value = ctx.req.headers[name];
    return typeof value === "string" && value.length <= 512 ? value : null;
  };
  const auth = (ctx.state as { auth?: RequestNote["auth"] }).auth;
  return {
    traceparent: header("traceparent"),
    tracestate: header("tracestate"),
    auth: auth ?? null,
  };
}

function hostnameOf(authority: string): string | undefined {
  try {
    return new URL(`http://${authority}`).hostname;
  } catch {
    return undefined;
  }
}

/** Why the request's Host or Origin is not ours (DNS rebinding, cross-site pages), or undefined. */
export function foreignHostOrOrigin(
  ctx: Context,
  config: Pick<GatewayConfig, "allowedHosts" | "allowedOrigins">,
): string | undefined {
  if (config.allowedHosts.length > 0) {
    const host = hostnameOf(ctx.get("host"));
    if (host === undefined || !config.allowedHosts.includes(host)) return "Host header not allowed";
  }
  const origin = ctx.get("origin");
  if (origin !== "" && !originAllowed(origin, config.allowedOrigins)) return "Origin not allowed";
  return undefined;
}

function originAllowed(origin: string, allowed: string[]): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return allowed.some((entry) => {
    if (entry === url.origin) return true;
    try {
      const pattern = new URL(entry);
      // an entry without a port matches the host on any port
      return (
        pattern.port === "" &&
        !/:\d+$/.test(entry) &&
        pattern.protocol === url.protocol &&
        pattern.hostname === url.hostname
      );
    } catch {
      return false;
    }
  });
}

function acceptProblem(ctx: Context): string | undefined {
  const accept = ctx.get("accept");
  const eventStream = accept.includes("text/event-stream");
  if (ctx.method === "POST" && !(accept.includes("application/json") && eventStream)) {
    return "Not Acceptable: the client must accept both application/json and text/event-stream";
  }
  if (ctx.method === "GET" && !eventStream) {
    return "Not Acceptable: the client must accept text/event-stream";
  }
  return undefined;
}

export function isJsonContentType(value: string): boolean {
  const mediaType = value.split(";")[0]!.trim().toLowerCase();
  return mediaType === "application/json";
}

type BodyRead = { tooLarge: false; text: string } | { tooLarge: true };

/** Reads the body, counting bytes as they arrive; past `limit` the rest is discarded unbuffered. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume(); // discard; the response closes the connection
      return resolve({ tooLarge: true });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off("data", onData).off("end", onEnd); // onError stays: a later error must not go unhandled
      chunks.length = 0;
      req.resume();
      resolve({ tooLarge: true });
    };
    const onEnd = () => resolve({ tooLarge: false, text: Buffer.concat(chunks).toString("utf8") });
    const onError = (e: Error) => reject(e);
    req.on("data", onData).on("end", onEnd).on("error", onError);
  });
}

/** The id of a single request, to answer it by name; null for batches and anything else. */
function requestIdOf(body: unknown): string | number | null {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return null;
  const id = (body as { id?: unknown }).id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

function hasInitializedNotification(body: unknown): boolean {
  return requestMethods(body).includes("notifications/initialized");
}

/** The methods of the requests and notifications in a body (responses have none). */
function requestMethods(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.flatMap((m) =>
    typeof (m as { method?: unknown }).method === "string"
      ? [(m as { method: string }).method]
      : [],
  );
}

/** Batches exist only in 2025-03-26 (and the clients that predate the version header). */
function batchesAllowed(version: string): boolean {
  return version === "" || version < "2025-06-18";
}

function shapeProblem(body: unknown, version: string): string | undefined {
  if (Array.isArray(body)) {
    if (!batchesAllowed(version)) return `batches are not allowed in protocol revision ${version}`;
    if (body.length === 0) return "empty batch";
    if (body.length > MAX_BATCH_MESSAGES)
      return `a batch may hold at most ${MAX_BATCH_MESSAGES} messages`;
    if (body.some(isInitializeRequest)) return "initialize must not be sent in a batch";
    const bad = body.findIndex((message) => !JSONRPCMessageSchema.safeParse(message).success);
    return bad >= 0 ? `batch entry ${bad} is not a JSON-RPC 2.0 message` : undefined;
  }
  if (isPlainRequest(body)) return undefined; // the common case, without a schema parse
  return JSONRPCMessageSchema.safeParse(body).success ? undefined : "not a JSON-RPC 2.0 message";
}
