// What one downstream session remembers beyond the SDK's own state.
import type { ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import type { SessionServerContext } from "./contracts.ts";

export interface SessionState {
  readonly context: SessionServerContext;
  client: { name: string; version: string } | null;
  protocolVersion: string | null;
  clientCapabilities: ClientCapabilities | undefined;
  /** downstream request ids being handled, so upstream traffic can ride on their streams */
  readonly inFlight: Set<string | number>;
  /** resource URIs subscribed through this session, per server */
  readonly subscriptions: Map<string, Set<string>>;
}

export function newSessionState(context: SessionServerContext): SessionState {
  return {
    context,
    client: null,
    protocolVersion: null,
    clientCapabilities: undefined,
    inFlight: new Set(),
    subscriptions: new Map(),
  };
}

/** The upstream servers a session may reach: all of the catalog's, or those its virtual server uses. */
export function viewServers(context: SessionServerContext): string[] {
  const { catalog } = context.current();
  if (context.view.kind === "all") return [...catalog.servers.keys()];
  const virtual = catalog.virtualServers.get(context.view.name);
  if (!virtual) return [];
  return [
    ...new Set([...virtual.tools, ...virtual.prompts, ...virtual.resources].map((e) => e.server)),
  ];
}

export function virtualServerName(context: SessionServerContext): string | null {
  return context.view.kind === "virtual" ? context.view.name : null;
}
