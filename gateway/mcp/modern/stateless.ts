// A protocol revision 2026-07-28 request has no session: the gateway gives it a context and a state
// of its own for the time it runs, so it goes through the same handlers, policy, relays and records
// as a session's requests. Its upstream connections are its principal's on that view (the
// `sessionPart` of its connection scope), kept across requests and closed once idle. A principal
// may have a bounded number of these requests in flight.
import { randomUUID } from "node:crypto";
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
} from "@modelcontextprotocol/server";
import { LoggingLevelSchema, type ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import type { Principal, SessionServerContext, SessionView } from "../contracts.ts";
import { principalLimitKey } from "../rate-limit.ts";
import { registryFor } from "../relay.ts";
import type { SessionHandle } from "../session-server.ts";
import { connectionScope } from "../session-upstreams.ts";
import { newSessionState } from "../session-state.ts";
import type { RequestStateSealer } from "./request-state.ts";

type Params = Record<string, unknown>;

export interface StatelessOptions {
  separator: string;
  context: Pick<SessionServerContext, "current" | "pool" | "observer">;
  /** stateless requests one principal (issuer and subject) may have in flight */
  maxInFlightPerPrincipal: number;
  /** seals the requestState of calls that wait for the client's input */
  sealer: RequestStateSealer;
}

export interface StatelessRequest {
  handle: SessionHandle;
  /** the request is over: its connections are left (not closed), its place freed */
  end(): void;
}

function isObject(value: unknown): value is Params {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function clientInfo(meta: Params): { name: string; version: string } | null {
  const info = meta[CLIENT_INFO_META_KEY];
  if (!isObject(info) || typeof info.name !== "string" || typeof info.version !== "string")
    return null;
  return { name: info.name.slice(0, 200), version: info.version.slice(0, 100) };
}

export class StatelessRequests {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly options: StatelessOptions) {}

  get sealer(): RequestStateSealer {
    return this.options.sealer;
  }

  /** A context and state for one request, or undefined when its principal is at the bound. */
  begin(
    principal: Principal,
    view: SessionView,
    request: SessionServerContext["request"],
    revision: string,
    meta: Params,
  ): StatelessRequest | undefined {
    const quota = principalLimitKey(principal);
    const running = this.inFlight.get(quota) ?? 0;
    if (running >= this.options.maxInFlightPerPrincipal) return undefined;
    this.inFlight.set(quota, running + 1);
    const { context: shared, separator } = this.options;
    const context: SessionServerContext = {
      sessionId: `stateless-${randomUUID()}`,
      principal,
      view,
      current: shared.current,
      pool: shared.pool,
      observer: shared.observer,
      separator,
      request,
      stateless: true,
    };
    const state = newSessionState(context);
    state.protocolVersion = revision;
    state.client = clientInfo(meta);
    const capabilities = meta[CLIENT_CAPABILITIES_META_KEY];
    state.clientCapabilities = (isObject(capabilities) ? capabilities : {}) as ClientCapabilities;
    const registry = registryFor(shared.pool);
    registry.register({ state });
    const level = LoggingLevelSchema.safeParse(meta[LOG_LEVEL_META_KEY]);
    if (level.success) registry.setLogLevel(context.sessionId, level.data);
    let ended = false;
    return {
      handle: { state, registry },
      end: () => {
        if (ended) return;
        ended = true;
        registry.unregister(context.sessionId);
        shared.pool.endSession(connectionScope(context));
        const left = (this.inFlight.get(quota) ?? 1) - 1;
        if (left === 0) this.inFlight.delete(quota);
        else this.inFlight.set(quota, left);
      },
    };
  }
}
