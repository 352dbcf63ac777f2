// One policy decision per downstream request: builds the input from the session and the request,
// evaluates the active policy, and turns a denial into the JSON-RPC error the client sees.
import type { McpError } from "@modelcontextprotocol/sdk/types.js";
import type { CatalogServer } from "../catalog/index.ts";
import { failClosed } from "../policy/decision.ts";
import {
  buildDecisionInput,
  newDecisionId,
  type Decision,
  type ListCandidate,
  type McpPart,
  type ServerPart,
  type ToolPart,
} from "../policy/index.ts";
import { DENIED_BY_POLICY, rpcError } from "./errors.ts";
import { virtualServerName, type SessionState } from "./session-state.ts";

export interface DecisionRequest {
  requestId: string | number;
  mcp: Omit<McpPart, "virtualServer">;
  tool?: ToolPart | null;
  server?: ServerPart | null;
  list?: ListCandidate[];
}

/** Evaluates the active policy; any failure on the way (no policy, a bad input) is a denial. */
export function decide(session: SessionState, request: DecisionRequest): Decision {
  const { context } = session;
  const observation = session.observations.get(request.requestId);
  let decision: Decision;
  try {
    const { policy } = context.current();
    const input = buildDecisionInput({
      request: {
        id: `${context.sessionId}/${String(request.requestId)}`,
        ip: context.request.ip ?? null,
        userAgent: context.request.userAgent ?? null,
      },
      principal: context.principal,
      session: {
        id: context.sessionId,
        client: session.client,
        protocolVersion: session.protocolVersion,
      },
      mcp: { ...request.mcp, virtualServer: virtualServerName(context) },
      tool: request.tool ?? null,
      server: request.server ?? null,
      ...(request.list ? { list: request.list } : {}),
    });
    decision = policy.decide(input);
    observation?.decided({ decision, input, bundleDigest: policy.bundleDigest });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const verdict = failClosed(
      { kind: "evaluation", message },
      `no decision could be made: ${message}`,
    );
    decision = { ...verdict, decisionId: newDecisionId(), evalMicros: 0, revision: "none" };
  }
  return decision;
}

export function denialError(decision: Decision, reasons = decision.reasons): McpError {
  const first = reasons[0] ?? "no reason given";
  return rpcError(
    DENIED_BY_POLICY,
    `denied by policy: ${first} (decision ${decision.decisionId})`,
    {
      decision_id: decision.decisionId,
      reasons,
    },
  );
}

/** Decides and throws the denial, so handlers read as "allowed from here on". */
export function requireAllowed(session: SessionState, request: DecisionRequest): Decision {
  const decision = decide(session, request);
  if (!decision.allow) throw denialError(decision);
  return decision;
}

export function serverFacts(server: CatalogServer): ServerPart {
  return { name: server.name, tags: server.tags, owner: server.owner ?? null };
}
