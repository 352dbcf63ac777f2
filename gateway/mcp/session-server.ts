// One SDK Server per downstream session, fronting every upstream of the session's view: the
// initialize handshake, aggregated lists, routed calls, and a policy decision for every request.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  ErrorCode,
  InitializeRequestSchema,
  LATEST_PROTOCOL_VERSION,
  LoggingLevelSchema,
  PingRequestSchema,
  SetLevelRequestSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type ClientCapabilities,
  type ServerCapabilities,
} from "@modelcontextprotocol/sdk/types.js";
import {
  callTool,
  complete,
  getPrompt,
  resourceRequest,
  type CallScope,
  type Extra,
} from "./calls.ts";
import { servingServers } from "./aggregate.ts";
import type { CreateSessionServer, SessionServerContext } from "./contracts.ts";
import { requireAllowed } from "./enforce.ts";
import { DENIED_BY_POLICY, invalidParams, rpcError } from "./errors.ts";
import { instructionsFor } from "./instructions.ts";
import { handleList, LIST_KINDS } from "./lists.ts";
import { assertSeparatorSafe } from "./names.ts";
import { registryFor, type SessionRegistry } from "./relay.ts";
import { connectionScope, upstreamFor } from "./session-upstreams.ts";
import {
  newSessionState,
  takeNote,
  viewServers,
  virtualServerName,
  type SessionState,
} from "./session-state.ts";
import { noObserver, type Outcome } from "../observer.ts";
import { principalOf } from "./request-principal.ts";
import { GATEHOUSE_SERVER_INFO } from "./server-info.ts";
import { ALL_REVISIONS } from "./modern/revision.ts";

/** Declared at construction so the SDK lets every notification through; the client is told the
 * view's real set in the initialize result. */
const BROAD_CAPABILITIES: ServerCapabilities = {
  tools: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  logging: {},
  completions: {},
};

type Params = Record<string, unknown>;
type Handler = (scope: CallScope, method: string, params: Params | undefined) => Promise<Params>;

const HANDLERS: Record<string, Handler> = {
  initialize: (scope, _method, params) => initialize(scope, params),
  "server/discover": (scope) => discover(scope),
  ping: async (scope) => {
    requireAllowed(scope.state, { requestId: scope.extra.requestId, mcp: { method: "ping" } });
    return {};
  },
  "logging/setLevel": (scope, _method, params) => setLevel(scope, params),
  "tools/call": (scope, _method, params) => callTool(scope, params),
  "resources/read": (scope, method, params) => resourceRequest(scope, method, params),
  "resources/subscribe": (scope, method, params) => resourceRequest(scope, method, params),
  "resources/unsubscribe": (scope, method, params) => resourceRequest(scope, method, params),
  "prompts/get": (scope, _method, params) => getPrompt(scope, params),
  "completion/complete": (scope, _method, params) => complete(scope, params),
};
for (const method of Object.keys(LIST_KINDS))
  HANDLERS[method] = (scope, m, params) =>
    handleList(scope.state, m, params, scope.extra.requestId);

/** What a session's SDK Server is driven by; the fast path (fast-call.ts) dispatches through it. */
export interface SessionHandle {
  state: SessionState;
  registry: SessionRegistry;
}

const handles = new WeakMap<Server, SessionHandle>();

/** The handle of a Server made by createSessionServer (undefined for servers made otherwise). */
export function sessionHandle(server: Server): SessionHandle | undefined {
  return handles.get(server);
}

export const createSessionServer: CreateSessionServer = (context) => {
  assertSeparatorSafe(context.current().catalog, context.separator);
  const registry = registryFor(context.pool);
  const server = new Server(GATEHOUSE_SERVER_INFO, { capabilities: BROAD_CAPABILITIES });
  const state = newSessionState(context);
  handles.set(server, { state, registry });
  const handle = (request: { method: string; params?: Params }, extra: Extra) =>
    dispatch({ state, registry }, request, extra);
  // the SDK answers these three itself; the gateway must decide them (and forward setLevel)
  server.setRequestHandler(InitializeRequestSchema, handle as never);
  server.setRequestHandler(PingRequestSchema, handle as never);
  server.setRequestHandler(SetLevelRequestSchema, handle as never);
  server.fallbackRequestHandler = handle as never;
  // client notifications (roots/list_changed, ...) are not passed on: an upstream connection may
  // serve other sessions too (isolation principal or shared)
  registry.register({ server, state });
  // the HTTP layer chains its own onclose after this one (sessions.ts keeps the previous handler)
  server.onclose = () => {
    registry.unregister(context.sessionId);
    context.pool.endSession(connectionScope(context));
  };
  return server;
};

/** Runs one request's handler, observed (telemetry, audit) from start to answer. */
export async function dispatch(
  handle: SessionHandle,
  request: { method: string; params?: Params },
  extra: Extra,
): Promise<Params> {
  const { state, registry } = handle;
  const handler = Object.hasOwn(HANDLERS, request.method) ? HANDLERS[request.method] : undefined;
  const { context } = state;
  const note = takeNote(state, extra.requestId);
  // the request's own credential (downstream.ts authenticates every request); an in-process
  // transport presents none, and acts as the session's principal
  const principal = principalOf(extra.authInfo) ?? context.principal;
  // decisions find the principal by request id: two requests in flight may not share one
  if (state.principals.has(extra.requestId))
    throw rpcError(
      ErrorCode.InvalidRequest,
      `request id ${JSON.stringify(extra.requestId)} is already in use by a request in progress`,
    );
  const observation = (context.observer ?? noObserver).startRequest({
    method: request.method,
    requestId: extra.requestId,
    sessionId: context.stateless ? null : context.sessionId,
    principal,
    virtualServer: virtualServerName(context),
    remoteAddress: context.request.ip ?? null,
    userAgent: context.request.userAgent ?? null,
    traceparent: note?.traceparent ?? null,
    tracestate: note?.tracestate ?? null,
    auth: note?.auth ?? null,
    startedAt: performance.timeOrigin + performance.now(),
  });
  state.inFlight.add(extra.requestId);
  state.observations.set(extra.requestId, observation);
  state.principals.set(extra.requestId, principal);
  let outcome: Outcome = { status: "ok" };
  try {
    if (!handler) throw rpcError(ErrorCode.MethodNotFound, `method not found: ${request.method}`);
    return await handler({ state, registry, extra }, request.method, request.params);
  } catch (e) {
    outcome = outcomeOf(e);
    throw e;
  } finally {
    state.inFlight.delete(extra.requestId);
    state.observations.delete(extra.requestId);
    state.principals.delete(extra.requestId);
    // a recorder that must make the record durable first holds the answer back until it is
    const ended = observation.end(outcome);
    if (ended) await ended.catch(unrecorded);
  }
}

/** The record of a request could not be made durable: the answer is withheld (fail closed). */
function unrecorded(e: unknown): never {
  console.error(
    `gatehouse: a decision record could not be written: ${e instanceof Error ? e.message : String(e)}`,
  );
  throw rpcError(
    ErrorCode.InternalError,
    "the gateway could not record this request's decision, so its answer is withheld; retry later",
  );
}

function outcomeOf(e: unknown): Outcome {
  const code = (e as { code?: unknown }).code;
  const numeric =
    typeof code === "number" && Number.isSafeInteger(code) ? code : ErrorCode.InternalError;
  if (numeric === DENIED_BY_POLICY) return { status: "denied" };
  return { status: "error", code: numeric, message: e instanceof Error ? e.message : String(e) };
}

async function initialize(scope: CallScope, params: Params | undefined): Promise<Params> {
  const { state } = scope;
  const requested = params?.protocolVersion;
  const protocolVersion =
    typeof requested === "string" && SUPPORTED_PROTOCOL_VERSIONS.includes(requested)
      ? requested
      : LATEST_PROTOCOL_VERSION;
  const info = params?.clientInfo as { name?: unknown; version?: unknown } | undefined;
  state.client =
    typeof info?.name === "string" && typeof info.version === "string"
      ? { name: info.name, version: info.version }
      : null;
  state.protocolVersion = protocolVersion;
  state.clientCapabilities = (params?.capabilities ?? {}) as ClientCapabilities;
  requireAllowed(state, { requestId: scope.extra.requestId, mcp: { method: "initialize" } });
  return {
    protocolVersion,
    capabilities: viewCapabilities(state.context),
    serverInfo: GATEHOUSE_SERVER_INFO,
    instructions: await instructions(state, scope.extra.requestId),
  };
}

/** server/discover (protocol revision 2026-07-28): what initialize tells, asked at any time. */
async function discover(scope: CallScope): Promise<Params> {
  const { state } = scope;
  requireAllowed(state, { requestId: scope.extra.requestId, mcp: { method: "server/discover" } });
  return {
    supportedVersions: [...ALL_REVISIONS],
    capabilities: viewCapabilities(state.context),
    serverInfo: GATEHOUSE_SERVER_INFO,
    instructions: await instructions(state, scope.extra.requestId),
  };
}

/** What the view's upstreams offer, each capability judged on the servers serving it (a virtual
 * server's curated ones); an upstream not yet connected may offer anything. */
function viewCapabilities(context: SessionServerContext): ServerCapabilities {
  const offered = (servers: string[], has: (c: ServerCapabilities) => unknown) =>
    servers.some((s) => {
      const c = context.pool.server(s)?.capabilities();
      return c === undefined || Boolean(has(c));
    });
  const tools = servingServers(context, "tools");
  const prompts = servingServers(context, "prompts");
  const resources = servingServers(context, "resources");
  const capabilities: ServerCapabilities = {};
  if (context.view.kind === "all" || tools.length > 0) capabilities.tools = { listChanged: true };
  if (offered(viewServers(context), (c) => c.logging)) capabilities.logging = {};
  if (offered(prompts, (c) => c.prompts)) capabilities.prompts = { listChanged: true };
  if (offered(resources, (c) => c.resources))
    capabilities.resources = {
      listChanged: true,
      subscribe: offered(resources, (c) => c.resources?.subscribe),
    };
  if (offered([...prompts, ...resources], (c) => c.completions)) capabilities.completions = {};
  // a stateless request has no stream to hear changes on (subscriptions/listen is not served yet)
  if (context.stateless) {
    for (const kind of ["tools", "prompts", "resources"] as const)
      if (capabilities[kind]) capabilities[kind] = {};
  }
  return capabilities;
}

/** The virtual server's description, or the instructions of the upstreams the principal may use
 * (instructions.ts). */
async function instructions(state: SessionState, requestId: string | number): Promise<string> {
  const { context } = state;
  if (context.view.kind === "virtual") {
    const virtual = context.current().catalog.virtualServers.get(context.view.name);
    return `Gatehouse virtual server ${context.view.name}${virtual?.description ? `: ${virtual.description}` : ""}.`;
  }
  return instructionsFor(state, requestId, (server) => context.pool.server(server)?.instructions());
}

/**
 * Sets the session's log level. The gateway passes the session no log message below it, whatever
 * the upstream sends, and tells the session's own connections (isolation session or principal) so
 * they need not send them; a shared upstream is not told, as its level would change for every
 * caller. An upstream that fails is passed over.
 */
async function setLevel(scope: CallScope, params: Params | undefined): Promise<Params> {
  const { state, registry, extra } = scope;
  requireAllowed(state, { requestId: extra.requestId, mcp: { method: "logging/setLevel" } });
  const level = LoggingLevelSchema.safeParse(params?.level);
  if (!level.success)
    throw invalidParams(`level must be one of ${LoggingLevelSchema.options.join(", ")}`);
  registry.setLogLevel(state.context.sessionId, level.data);
  const { pool } = state.context;
  const servers = viewServers(state.context).filter((s) => {
    const facts = pool.server(s);
    return facts?.isolation !== "shared" && facts?.capabilities()?.logging;
  });
  await Promise.all(
    servers.map(async (s) => {
      try {
        await upstreamFor(state.context, s)?.request(
          { method: "logging/setLevel", params: params ?? {} },
          {
            caller: { sessionId: state.context.sessionId, requestId: extra.requestId },
            signal: extra.signal,
          },
        );
      } catch (e) {
        console.warn(
          `gatehouse: logging/setLevel on ${s} failed: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }),
  );
  return {};
}
