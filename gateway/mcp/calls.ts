// Requests aimed at one upstream: resolve the exposed name or URI to its server, decide, apply the
// decision's obligations, forward, and relay progress back under the client's own token.
import { createHash } from "node:crypto";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  ElicitResultSchema,
  type Progress,
  type ServerNotification,
  type ServerRequest,
} from "@modelcontextprotocol/sdk/types.js";
import { toolFacts } from "../catalog/index.ts";
import type { Decision } from "../policy/index.ts";
import { resolveName, resourceOwner } from "./aggregate.ts";
import { denialError, requireAllowed, serverFacts } from "./enforce.ts";
import { forwardingError, invalidParams, RESOURCE_NOT_FOUND, rpcError } from "./errors.ts";
import { INPUT_KEY_META } from "./modern/input-bridge.ts";
import { obligationKey } from "./rate-limit.ts";
import type { SessionRegistry } from "./relay.ts";
import type { SessionState } from "./session-state.ts";
import { upstreamFor } from "./session-upstreams.ts";

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type Params = Record<string, unknown>;

export interface CallScope {
  state: SessionState;
  registry: SessionRegistry;
  extra: Extra;
}

function stringParam(params: Params | undefined, field: string): string {
  const value = params?.[field];
  if (typeof value !== "string" || value === "")
    throw invalidParams(`${field} must be a non-empty string`);
  return value;
}

function objectParam(params: Params | undefined, field: string): Params {
  const value = params?.[field];
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw invalidParams(`${field} must be an object`);
  return value as Params;
}

/** Forwards to one upstream on behalf of the calling request; the result passes through untouched. */
export async function forward(
  scope: CallScope,
  server: string,
  request: { method: string; params?: Params },
): Promise<Params> {
  const { state, extra } = scope;
  let connection;
  try {
    connection = upstreamFor(state.context, server);
  } catch (e) {
    throw forwardingError(server, e);
  }
  if (!connection) throw rpcError(-32603, `server ${server} is not available`);
  const observation = state.observations.get(extra.requestId);
  const upstream = observation?.upstreamStarted({
    server,
    transport: state.context.current().catalog.servers.get(server)?.transport.type ?? "unknown",
    method: request.method,
    target: upstreamTarget(request),
  });
  const token = extra._meta?.progressToken;
  // progress goes out in order and before the result: the client drops progress for a finished request
  let progressSent = Promise.resolve();
  const onProgress = (progress: Progress) => {
    progressSent = progressSent
      .then(() =>
        // sendNotification rides on this request's stream; the token is the client's own
        extra.sendNotification({
          method: "notifications/progress",
          params: { ...progress, progressToken: token! },
        }),
      )
      .catch(() => {});
  };
  try {
    const result = await connection.request(request, {
      caller: { sessionId: state.context.sessionId, requestId: extra.requestId },
      signal: extra.signal,
      ...(token !== undefined && { onProgress }),
      ...(upstream && { traceHeaders: () => upstream.propagationHeaders() }),
    });
    await progressSent;
    upstream?.end({ status: "ok" });
    return result;
  } catch (e) {
    const error = forwardingError(server, e);
    upstream?.end({ status: "error", code: error.code, message: error.message });
    throw error;
  }
}

/** What an upstream request is about: the tool or prompt name, or the resource URI. */
function upstreamTarget(request: { method: string; params?: Params }): string | null {
  const params = request.params;
  const value = params?.name ?? params?.uri ?? (params?.ref as Params | undefined)?.name;
  return typeof value === "string" ? value : null;
}

export async function callTool(scope: CallScope, params: Params | undefined): Promise<Params> {
  const { state, registry, extra } = scope;
  const name = stringParam(params, "name");
  const args = objectParam(params, "arguments");
  const target = await resolveName(state.context, "tools", name);
  if (!target) throw invalidParams(`unknown tool ${name}`);
  const catalogServer = state.context.current().catalog.servers.get(target.server)!;
  const facts = toolFacts(catalogServer, target.name);
  const annotations = target.listing.annotations;
  const decision = requireAllowed(state, {
    requestId: extra.requestId,
    mcp: {
      method: "tools/call",
      server: target.server,
      tool: target.name,
      calledTool: name,
      arguments: args,
      // checked against what the upstream declared, so the policy can refuse what it never named
      inputSchema: target.listing.inputSchema ?? null,
    },
    tool: {
      annotations: annotations && typeof annotations === "object" ? (annotations as Params) : {},
      risk: facts.risk,
      tags: facts.tags,
      owner: facts.owner,
    },
    server: serverFacts(catalogServer),
  });
  // redact_arguments and redact_result name what audit records must not hold; the call itself
  // goes out and comes back unchanged (records are written by the audit layer, not here).
  const limit = decision.obligations.rate_limit;
  if (limit) {
    // the request's principal (issuer and subject) and the tool: one bucket each
    const principal = state.principals.get(extra.requestId) ?? state.context.principal;
    const key = obligationKey(principal, target.server, target.name);
    if (!(await registry.rateLimiter.take(key, limit)))
      throw denialError(decision, [
        `rate limit of ${limit.requests} calls per ${limit.per} on ${name} exceeded for ${principal.sub}`,
      ]);
  }
  // when confirmation is asked, the arguments are frozen first, so what is confirmed is exactly
  // what is sent; otherwise nothing can change them between the decision and the call
  const sent = decision.obligations.confirm ? structuredClone(args) : args;
  if (decision.obligations.confirm) await confirm(scope, decision, name, sent);
  return forward(scope, target.server, {
    method: "tools/call",
    params: { ...params, name: target.name, arguments: sent },
  });
}

/** Asks the calling client's user through elicitation; anything but an explicit yes denies. */
async function confirm(
  scope: CallScope,
  decision: Decision,
  tool: string,
  args: Params,
): Promise<void> {
  const elicitation = scope.state.clientCapabilities?.elicitation as
    { form?: unknown; url?: unknown } | undefined;
  const formSupported =
    elicitation && (elicitation.form !== undefined || elicitation.url === undefined);
  if (!formSupported)
    throw denialError(decision, [
      `calling ${tool} requires confirmation, and the client does not support elicitation`,
    ]);
  const shown = JSON.stringify(args, null, 2);
  const digest = createHash("sha256").update(JSON.stringify(args)).digest("hex").slice(0, 16);
  const answer = await scope.extra.sendRequest(
    {
      method: "elicitation/create",
      params: {
        // the same question on every run of the call, though the decision id in the text is not
        // (a 2026-07-28 client answers it in the call's retry: modern/input-bridge.ts)
        _meta: { [INPUT_KEY_META]: `confirm:${tool}:${digest}` },
        message: `Confirm the call ${tool} with these arguments (sha256 ${digest}, decision ${decision.decisionId}):\n${shown}`,
        requestedSchema: {
          type: "object",
          properties: { confirm: { type: "boolean", title: `Run ${tool}` } },
          required: ["confirm"],
        },
      },
    },
    ElicitResultSchema,
    { signal: scope.extra.signal },
  );
  if (answer.action !== "accept" || answer.content?.confirm !== true)
    throw denialError(decision, [`the call to ${tool} was not confirmed (${answer.action})`]);
}

async function ownerOf(scope: CallScope, uri: string): Promise<string> {
  const owner = await resourceOwner(scope.state.context, uri);
  if (!owner) throw rpcError(RESOURCE_NOT_FOUND, `unknown resource ${uri}`, { uri });
  return owner;
}

function allowServer(
  scope: CallScope,
  method: string,
  server: string,
  more: { uri?: string; prompt?: string; arguments?: Params },
): void {
  const catalogServer = scope.state.context.current().catalog.servers.get(server)!;
  requireAllowed(scope.state, {
    requestId: scope.extra.requestId,
    mcp: { method, server, ...more },
    server: serverFacts(catalogServer),
  });
}

/** resources/read, resources/subscribe and resources/unsubscribe, routed by the URI's owner. */
export async function resourceRequest(
  scope: CallScope,
  method: string,
  params: Params | undefined,
): Promise<Params> {
  const uri = stringParam(params, "uri");
  const server = await ownerOf(scope, uri);
  allowServer(scope, method, server, { uri });
  const { state, registry } = scope;
  const subscriptions = state.subscriptions.get(server) ?? new Set<string>();
  if (method === "resources/subscribe") {
    const result = await forward(scope, server, { method, params: params ?? {} });
    state.subscriptions.set(server, subscriptions.add(uri));
    return result;
  }
  if (method === "resources/unsubscribe") {
    subscriptions.delete(uri);
    // keep the upstream subscription while another session on the same connection holds it
    const on = upstreamSessions(state, server);
    if (registry.subscribedElsewhere(on, server, uri, state.context.sessionId)) return {};
  }
  return forward(scope, server, { method, params: params ?? {} });
}

/** The sessions on this session's connection to `server` (none known when it has none). */
function upstreamSessions(state: SessionState, server: string): ReadonlySet<string> {
  try {
    return upstreamFor(state.context, server)?.sessions() ?? new Set();
  } catch {
    return new Set();
  }
}

export async function getPrompt(scope: CallScope, params: Params | undefined): Promise<Params> {
  const name = stringParam(params, "name");
  const target = await resolveName(scope.state.context, "prompts", name);
  if (!target) throw invalidParams(`unknown prompt ${name}`);
  allowServer(scope, "prompts/get", target.server, {
    prompt: target.name,
    arguments: objectParam(params, "arguments"),
  });
  return forward(scope, target.server, {
    method: "prompts/get",
    params: { ...params, name: target.name },
  });
}

/** completion/complete, routed by its ref: a namespaced prompt name or a resource (template) URI. */
export async function complete(scope: CallScope, params: Params | undefined): Promise<Params> {
  const ref = objectParam(params, "ref");
  if (ref.type === "ref/prompt") {
    const name = stringParam(ref, "name");
    const target = await resolveName(scope.state.context, "prompts", name);
    if (!target) throw invalidParams(`unknown prompt ${name}`);
    allowServer(scope, "completion/complete", target.server, { prompt: target.name });
    return forward(scope, target.server, {
      method: "completion/complete",
      params: { ...params, ref: { ...ref, name: target.name } },
    });
  }
  if (ref.type === "ref/resource") {
    const uri = stringParam(ref, "uri");
    const server = await ownerOf(scope, uri);
    allowServer(scope, "completion/complete", server, { uri });
    return forward(scope, server, { method: "completion/complete", params: params ?? {} });
  }
  throw invalidParams("ref.type must be ref/prompt or ref/resource");
}
