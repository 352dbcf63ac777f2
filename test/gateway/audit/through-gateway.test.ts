// Decision records from a real Gateway: the SDK's Client -> gatehouse (Gateway.start with the
// audit tests' small policy and the development principal) -> the scripted stdio upstream.
// An allowed call, a denied call and an upstream failure each leave the right record.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteAuditStore } from "../../../gateway/audit/sqlite-store.ts";
import { verifyChain } from "../../../gateway/audit/verify.ts";
import type { ToolMetadata } from "../../../gateway/catalog/index.ts";
import { loadConfig } from "../../../gateway/config.ts";
import { Gateway } from "../../../gateway/gateway.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { REDACTED } from "../../../gateway/redaction.ts";
import { within } from "../server/helpers.ts";
import { catalogOf, scriptedServer, stdio, waitFor } from "../upstream/helpers.ts";

const POLICY = fileURLToPath(new URL("../../fixtures/audit/policies", import.meta.url));
const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const meta = (risk: ToolMetadata["risk"]): ToolMetadata => ({ risk, tags: [] });

let dir: string;
let gateway: Gateway;
let client: Client;
let store: SqliteAuditStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-audit-e2e-"));
  const catalog = catalogOf({ scripted: stdio([scriptedServer]) });
  catalog.servers.get("scripted")!.tools = {
    echo: meta("read"),
    crash: meta("read"),
    env: meta("write"),
  };
  // echo and crash are allowed, env is denied, api_key arguments are redacted
  const config = loadConfig({ flags: { port: 0, dev: true, dataDir: dir, policyDirs: [POLICY] } });
  gateway = await Gateway.start(config, { log: silentLogger, catalog });
  await waitFor(
    "upstream ready",
    () => gateway.pool.status().every((s) => s.state === "ready"),
    30_000,
  );
  client = new Client({ name: "audit-e2e", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(gateway.url), {
    requestInit: { headers: { traceparent: `00-${TRACE_ID}-b7ad6b7169203331-01` } },
  });
  await within("connect", client.connect(transport));
  store = new SqliteAuditStore(join(dir, "audit.db"), { readonly: true });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await gateway?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (name: string, args: Record<string, unknown> = {}) =>
  within(name, client.callTool({ name, arguments: args }), 30_000);

async function recordsOf(tool: string) {
  return store.query({ tool, order: "chain" });
}

describe("decision records through the gateway", () => {
  it("records an allowed call with redacted arguments and the upstream's outcome", async () => {
    await call("scripted__echo", { text: "hello", api_key: "sk-ABCDEFGHIJKLMNOPQRSTUVWX" });
    const [record] = await recordsOf("echo");
    expect(record).toMatchObject({
      kind: "decision",
      trace_id: TRACE_ID,
      principal: { sub: "dev", auth: "dev", groups: ["eng"] },
      method: "tools/call",
      server: "scripted",
      tool: "echo",
      allow: true,
      outcome: { status: "ok" },
      upstream: {
        server: "scripted",
        transport: "stdio",
        method: "tools/call",
        target: "echo",
        outcome: { status: "ok" },
      },
      revision: gateway.current().policy.revision,
      bundle_digest: gateway.current().policy.bundleDigest,
    });
    // api_key is redacted by the policy's obligation (and the secret patterns), never stored
    expect((record!.arguments as Record<string, unknown>).text).toBe("hello");
    expect((record!.arguments as Record<string, unknown>).api_key).toBe(REDACTED);
    expect(JSON.stringify(record)).not.toContain("ABCDEFGHIJKLMNOPQRSTUVWX");
    expect((record!.input as { mcp: { tool: string } }).mcp.tool).toBe("echo");
  });

  it("records a denied call before the client sees the denial", async () => {
    const error = await call("scripted__env").then(
      () => expect.fail("env must be denied"),
      (e: unknown) => e as McpError,
    );
    expect(error.code).toBe(-32003);
    const decisionId = (error.data as { decision_id: string }).decision_id;
    // read at once, with no waiting: the record was written before the answer left
    const [record] = await recordsOf("env");
    expect(record).toMatchObject({
      decision_id: decisionId,
      allow: false,
      outcome: { status: "denied" },
      upstream: null,
    });
    expect(record!.reasons.length).toBeGreaterThan(0);
  });

  it("records an upstream failure with its error", async () => {
    await expect(call("scripted__crash")).rejects.toThrow();
    const [record] = await recordsOf("crash");
    expect(record).toMatchObject({
      allow: true,
      outcome: { status: "error" },
      upstream: { outcome: { status: "error" } },
    });
  });

  it("keeps the chain intact across every request of the session", async () => {
    const report = await verifyChain(store);
    // initialize and tools/list are decided too, so there are more records than tool calls
    expect(report).toMatchObject({ ok: true, anchor: "genesis" });
    expect(report.records).toBeGreaterThanOrEqual(4);
  });
});
