// A session's way to its upstreams: the pool's connection for the session's connection scope (its
// id and its bound identity), so each server's isolation decides who else is on that connection.
import type { ConnectionScope, SessionServerContext, UpstreamConnection } from "./contracts.ts";
import { principalKey } from "./sessions.ts";

const scopes = new WeakMap<SessionServerContext, ConnectionScope>();

/** The session's scope: its id, and its principal's stable identity (auth kind, issuer, subject,
 * client; never groups or scopes, which may change from one request to the next). */
export function connectionScope(context: SessionServerContext): ConnectionScope {
  let scope = scopes.get(context);
  if (!scope) {
    const identity = principalKey(context.principal).toString("hex");
    scope = {
      sessionId: context.sessionId,
      principalKey: identity,
      ...(context.stateless && { sessionPart: statelessPart(identity, context) }),
    };
    scopes.set(context, scope);
  }
  return scope;
}

/** The part that stands for a session on `session`-isolated servers for stateless requests: the
 * principal's identity and the view (what a handshake-era session is bound to). */
function statelessPart(identity: string, context: SessionServerContext): string {
  const view = context.view.kind === "all" ? "all" : `virtual:${context.view.name}`;
  return `stateless:${identity.slice(0, 32)}:${view}`;
}

/**
 * The connection serving this session on `server` (made on first use); undefined when the catalog
 * has no such server. Throws UpstreamError when the server has no free connection for it.
 */
export function upstreamFor(
  context: SessionServerContext,
  server: string,
): UpstreamConnection | undefined {
  return context.pool.connection(server, connectionScope(context));
}
