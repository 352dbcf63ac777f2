// A gateway as production runs it, for the identity attacks (mcp02-*, mcp07-*, session-*,
// hardening-* and passthrough-* about credentials): no --dev, a real OpenID provider
// (oidc-provider, in this process) as its trusted issuer, API keys in its data dir, the
// repository's policies, real upstreams, and the audit store and the log read back so a test can
// show what was decided and that nothing leaked.
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { ApiKeyStore } from "../../gateway/auth/api-keys.ts";
import type { AuthLayer } from "../../gateway/auth/config.ts";
import type { AuditRecord } from "../../gateway/audit/record.ts";
import { SqliteAuditStore } from "../../gateway/audit/sqlite-store.ts";
import type { Catalog } from "../../gateway/catalog/index.ts";
import { loadConfig, type ConfigLayer } from "../../gateway/config.ts";
import { Gateway, type GatewayDeps } from "../../gateway/gateway.ts";
import { startTestProvider, type TestProvider } from "../fixtures/oidc/provider.ts";
import { nowSeconds, recordingLog, signWith } from "../gateway/auth/helpers.ts";
import { MCP_HEADERS, rawRequest, type RawResponse } from "../gateway/server/helpers.ts";
import { freePort, waitFor } from "../gateway/upstream/helpers.ts";
import { LOOPBACK_EGRESS } from "../helpers/egress.ts";

export interface IdentityGateway {
  gateway: Gateway;
  provider: TestProvider;
  /** the gateway's resource URI (every token's audience) */
  resource: string;
  dataDir: string;
  log: ReturnType<typeof recordingLog>;
  /** a real token from the provider (authorization-code flow) for `login`, with these groups:
   * the provider's view of the user at the time of the login */
  userToken(login: string, groups: string[]): Promise<string>;
  /** a token signed with the provider's key, claims and header chosen by the test */
  craftedToken(claims: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  /** a new API key of the gateway's own store */
  apiKey(sub: string, groups: string[]): { key: string; id: string };
  revokeKey(id: string): void;
  /** every decision record so far, oldest first */
  records(): Promise<AuditRecord[]>;
  /** the record of one decision (records are written as the request ends: polled) */
  record(decisionId: string): Promise<AuditRecord>;
  close(): Promise<void>;
}

export interface IdentityGatewayOptions {
  catalog: Catalog;
  auth?: AuthLayer;
  flags?: ConfigLayer;
  deps?: GatewayDeps;
  /** servers that must list their tools before the tests start */
  waitFor?: string[];
}

export async function startIdentityGateway(
  options: IdentityGatewayOptions,
): Promise<IdentityGateway> {
  const port = await freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  const userClaims: Record<string, Record<string, unknown>> = {};
  const provider = await startTestProvider({ resources: [resource], userClaims });
  const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-identity-"));
  const log = recordingLog();
  const config = loadConfig({
    flags: {
      port,
      dataDir,
      egress: LOOPBACK_EGRESS,
      ...options.flags,
      auth: { issuers: [{ issuer: provider.issuer }], apiKeys: true, ...options.auth },
    },
  });
  const gateway = await Gateway.start(config, {
    log,
    catalog: options.catalog,
    ...options.deps,
  });
  const wanted = options.waitFor ?? [];
  await waitFor(
    `upstreams ${wanted.join(", ")} ready`,
    () => gateway.pool.status().every((s) => !wanted.includes(s.name) || s.state === "ready"),
    60_000,
  );
  const keys = new ApiKeyStore(dataDir);
  const store = () => new SqliteAuditStore(join(dataDir, "audit.db"), { readonly: true });
  const identity: IdentityGateway = {
    gateway,
    provider,
    resource,
    dataDir,
    log,
    userToken(login, groups) {
      userClaims[login] = { groups };
      return provider.authorizationCodeToken(resource, login);
    },
    craftedToken(claims, header = {}) {
      return signWith(
        provider.keys[0]!,
        {
          iss: provider.issuer,
          aud: resource,
          iat: nowSeconds(),
          exp: nowSeconds() + 300,
          client_id: "crafted-client",
          ...claims,
        },
        header,
      );
    },
    apiKey(sub, groups) {
      const { key, record } = keys.create({ sub, groups, name: "attack-test" });
      return { key, id: record.id };
    },
    revokeKey(id) {
      keys.revoke(id);
    },
    async records() {
      const opened = store();
      try {
        return await opened.query({ order: "chain", limit: 10_000 });
      } finally {
        await opened.close();
      }
    },
    async record(decisionId) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const found = (await identity.records()).find((r) => r.decision_id === decisionId);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no decision record ${decisionId}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await gateway.close();
      await provider.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return identity;
}

export const auth = (credential: string) => ({ authorization: `Bearer ${credential}` });

/** JSON-RPC over raw HTTP on a session (or none), with the protocol headers a client sends. */
export function rpc(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  sessionId?: string,
): Promise<RawResponse> {
  return rawRequest(url, {
    headers: {
      ...MCP_HEADERS,
      ...headers,
      ...(sessionId ? { "mcp-session-id": sessionId } : {}),
      "mcp-protocol-version": LATEST_PROTOCOL_VERSION,
    },
    body: JSON.stringify(body),
    timeoutMs: 30_000,
  });
}

let nextId = 1000;

/** A JSON-RPC request body with a fresh id. */
export function request(method: string, params?: Record<string, unknown>) {
  return { jsonrpc: "2.0", id: nextId++, method, ...(params ? { params } : {}) };
}

/** initialize + notifications/initialized with these headers; the session id. */
export async function handshake(url: string, headers: Record<string, string>): Promise<string> {
  const init = await rawRequest(url, {
    headers: { ...MCP_HEADERS, ...headers },
    body: JSON.stringify(
      request("initialize", {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: "attacker", version: "1" },
      }),
    ),
    timeoutMs: 30_000,
  });
  if (init.status !== 200) throw new Error(`initialize: ${init.status} ${init.text}`);
  const session = String(init.headers["mcp-session-id"]);
  const done = await rpc(
    url,
    headers,
    { jsonrpc: "2.0", method: "notifications/initialized" },
    session,
  );
  if (done.status !== 202) throw new Error(`initialized: ${done.status} ${done.text}`);
  return session;
}

/** The tool names a tools/list answer shows. */
export async function toolNames(
  url: string,
  headers: Record<string, string>,
  session: string,
): Promise<string[]> {
  const answer = await rpc(url, headers, request("tools/list"), session);
  if (!answer.json?.result) throw new Error(`tools/list: ${answer.status} ${answer.text}`);
  return (answer.json.result.tools as { name: string }[]).map((t) => t.name);
}

/** An open GET SSE stream: what it received so far, and whether the gateway ended it. */
export interface OpenStream {
  status: number;
  text(): string;
  ended: Promise<void>;
  close(): void;
}

export function openStream(
  url: string,
  headers: Record<string, string>,
  session: string,
): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: "GET",
      headers: {
        accept: "text/event-stream",
        ...headers,
        "mcp-session-id": session,
        "mcp-protocol-version": LATEST_PROTOCOL_VERSION,
      },
    });
    req.on("response", (res: IncomingMessage) => {
      let received = "";
      res.on("data", (chunk: Buffer) => void (received += chunk.toString("utf8")));
      const ended = new Promise<void>((done) => {
        res.once("end", done);
        res.once("close", done);
        res.once("error", () => done());
      });
      resolve({
        status: res.statusCode ?? 0,
        text: () => received,
        ended,
        close: () => req.destroy(),
      });
    });
    req.on("error", reject);
    req.end();
  });
}
