// A gateway for 2026-07-28 tests (test/gateway/e2e/modern-front.test.ts, test/security/*modern*):
// the scripted stdio fixture (handshake era) behind it, a policy that allows everything and asks
// for confirmation when a call's arguments say `confirm_me: true`, and a raw 2026-07-28 client.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll } from "vitest";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Catalog, ToolMetadata } from "../../../gateway/catalog/index.ts";
import { loadConfig, type GatewayConfig } from "../../../gateway/config.ts";
import { Gateway } from "../../../gateway/gateway.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { TYPESCRIPT_NODE_FLAGS } from "../../../rego/node-typescript.ts";
import { messagesOf, postModern, type Sent } from "../../helpers/modern-request.ts";
import { catalogOf, scriptedServer, stdio, waitFor } from "../upstream/helpers.ts";

function testCatalog(idleTimeoutSeconds?: number): Catalog {
  // session isolation: a stateless request has no session, so its principal's requests share one
  const catalog = catalogOf(
    { scripted: stdio([...TYPESCRIPT_NODE_FLAGS, scriptedServer]) },
    {
      scripted: {
        isolation: "session",
        ...(idleTimeoutSeconds !== undefined && { idle_timeout_seconds: idleTimeoutSeconds }),
      },
    },
  );
  const read: ToolMetadata = { risk: "read", tags: [] };
  catalog.servers.get("scripted")!.tools = Object.fromEntries(
    ["echo", "log", "elicit", "sample", "add-tool", "wait"].map((t) => [t, read]),
  );
  return catalog;
}

// Everything allowed and listed; a call whose arguments say so must be confirmed by the user.
const CONFIRMING_POLICY = `package gatehouse

confirm if input.mcp.arguments.confirm_me == true

default confirm := false

decision := {
	"allow": true,
	"reasons": ["allowed by the test policy"],
	"obligations": {"redact_arguments": [], "redact_result": [], "confirm": confirm, "rate_limit": null},
	"visible_tools": [sprintf("%s__%s", [c.server, c.name]) | some c in input.list],
}
`;

export interface ModernGateway {
  gateway: Gateway;
  /** POSTs a 2026-07-28 request with the standard headers (overridable) */
  post(sent: Sent, signal?: AbortSignal): Promise<Response>;
  /** the status and the last JSON-RPC message of the response */
  answerOf(sent: Sent): Promise<{ status: number; body: Record<string, any> }>;
  /** a tools/call that must answer input_required: its first question and the requestState */
  firstRound(
    params: Record<string, unknown>,
  ): Promise<{ key: string; request: Record<string, any>; state: string }>;
  close(): Promise<void>;
}

export interface ModernGatewayOptions {
  /** limits over the defaults */
  limits?: Partial<GatewayConfig["limits"]>;
  /** the scripted upstream's idle_timeout_seconds */
  idleTimeoutSeconds?: number;
}

export async function startModernGateway(
  options: ModernGatewayOptions = {},
): Promise<ModernGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-modern-"));
  const policyDir = join(dataDir, "policies");
  mkdirSync(join(policyDir, "gatehouse"), { recursive: true });
  writeFileSync(join(policyDir, "gatehouse", "decision.rego"), CONFIRMING_POLICY);
  const config = loadConfig({ flags: { port: 0, dev: true, policyDirs: [policyDir] } });
  const gateway = await Gateway.start(
    {
      ...config,
      dataDir,
      limits: { ...config.limits, ...options.limits },
      audit: { ...config.audit, enabled: false },
    },
    { log: silentLogger, catalog: testCatalog(options.idleTimeoutSeconds) },
  );
  await waitFor("upstream ready", () => gateway.pool.status()[0]?.state === "ready", 30_000);
  const post = (sent: Sent, signal?: AbortSignal) => postModern(gateway.url, sent, signal);
  const answerOf = async (sent: Sent) => {
    const response = await post(sent);
    const messages = await messagesOf(response);
    return { status: response.status, body: messages.at(-1)! };
  };
  return {
    gateway,
    post,
    answerOf,
    firstRound: async (params) => {
      const { body } = await answerOf({ method: "tools/call", params });
      if (body.result?.resultType !== "input_required")
        throw new Error(`expected input_required, got ${JSON.stringify(body).slice(0, 300)}`);
      const [key, request] = Object.entries(body.result.inputRequests)[0] as [string, any];
      return { key, request, state: body.result.requestState as string };
    },
    close: async () => {
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The gateway for one test file: started before its tests, closed after them. */
export function useModernGateway(options: ModernGatewayOptions = {}): ModernGateway {
  let modern: ModernGateway | undefined;
  beforeAll(async () => {
    modern = await startModernGateway(options);
  }, 90_000);
  afterAll(async () => {
    await modern?.close();
  });
  const current = () => {
    if (!modern) throw new Error("the gateway has not started");
    return modern;
  };
  return {
    get gateway() {
      return current().gateway;
    },
    post: (sent, signal) => current().post(sent, signal),
    answerOf: (sent) => current().answerOf(sent),
    firstRound: (params) => current().firstRound(params),
    close: () => current().close(),
  };
}
