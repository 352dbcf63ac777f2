// The gateway as the quick start runs it, for the argument attacks (mcp05-*, ssrf-arguments-*):
// the repository's catalog (real server-everything and server-filesystem over stdio, confined to
// /tmp/gatehouse) and policies, the development principal (sub dev, group eng), and the audit
// store read back, so a test sees what the gateway decided and whether anything went upstream.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";
import type { AuditRecord } from "../../gateway/audit/record.ts";
import { SqliteAuditStore } from "../../gateway/audit/sqlite-store.ts";
import { loadConfig } from "../../gateway/config.ts";
import { Gateway } from "../../gateway/gateway.ts";
import { silentLogger } from "../../gateway/log.ts";
import { within } from "../gateway/server/helpers.ts";

const CATALOG = fileURLToPath(new URL("../../catalog", import.meta.url));
/** where the default catalog confines server-filesystem */
export const SANDBOX_ROOT = "/tmp/gatehouse";
const DENIED_BY_POLICY = -32003;

export interface DefaultGateway {
  gateway: Gateway;
  client: Client;
  store: SqliteAuditStore;
  /** a fresh folder inside the sandbox root for this test file's files */
  sandbox: string;
  close(): Promise<void>;
}

/** Polls `check` until it holds; an error past `timeoutMs` names what never happened. */
async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The default catalog, plus extra server files (name => YAML) when given. */
function catalogWith(extra: Record<string, string>): { dir: string; temporary: boolean } {
  if (Object.keys(extra).length === 0) return { dir: CATALOG, temporary: false };
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-mcp05-catalog-"));
  cpSync(CATALOG, dir, { recursive: true });
  for (const [name, yaml] of Object.entries(extra))
    writeFileSync(join(dir, "servers", `${name}.yaml`), yaml);
  return { dir, temporary: true };
}

/** Starts the gateway and connects the SDK client once every upstream lists its tools. */
export async function startDefaultGateway(
  extraServers: Record<string, string> = {},
): Promise<DefaultGateway> {
  mkdirSync(SANDBOX_ROOT, { recursive: true });
  const sandbox = mkdtempSync(join(SANDBOX_ROOT, "mcp05-"));
  const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-mcp05-data-"));
  const catalog = catalogWith(extraServers);
  const config = loadConfig({ flags: { port: 0, dev: true, dataDir, catalogDir: catalog.dir } });
  const gateway = await Gateway.start(config, { log: silentLogger });
  const client = new Client({ name: "mcp05-attacker", version: "1.0.0" });
  await within("connect", client.connect(new StreamableHTTPClientTransport(new URL(gateway.url))));
  const servers = ["everything", "filesystem", ...Object.keys(extraServers)];
  await until(
    `tools of ${servers.join(", ")}`,
    async () => {
      const listed = (await client.listTools()).tools.map((t) => t.name);
      return servers.every((s) => listed.some((name) => name.startsWith(`${s}__`)));
    },
    30_000,
  );
  const store = new SqliteAuditStore(join(dataDir, "audit.db"), { readonly: true });
  return {
    gateway,
    client,
    store,
    sandbox,
    async close() {
      await client.close();
      await gateway.close();
      await store.close();
      rmSync(sandbox, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
      if (catalog.temporary) rmSync(catalog.dir, { recursive: true, force: true });
    },
  };
}

export interface Denial {
  message: string;
  reasons: string[];
  record: AuditRecord;
}

/** The decision record of one decision id (records are written as the request ends). */
async function recordOf(gw: DefaultGateway, decisionId: string): Promise<AuditRecord> {
  let record: AuditRecord | undefined;
  await until(
    `decision record ${decisionId}`,
    async () => {
      const records = await gw.store.query({ order: "newest", limit: 200 });
      record = records.find((r) => r.decision_id === decisionId);
      return record !== undefined;
    },
    10_000,
  );
  return record!;
}

/**
 * Expects `request` to be refused by the policy: a -32003 error naming its decision, recorded
 * as a denial with no upstream call (so the upstream never saw the request).
 */
export async function refused(gw: DefaultGateway, request: Promise<unknown>): Promise<Denial> {
  let error: unknown;
  try {
    const result = await within("request", request, 30_000);
    error = new Error(`expected a denial, got ${JSON.stringify(result).slice(0, 400)}`);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(McpError);
  const { code, message, data } = error as McpError;
  expect(code, message).toBe(DENIED_BY_POLICY);
  const { decision_id: decisionId, reasons } = data as { decision_id: string; reasons: string[] };
  const record = await recordOf(gw, decisionId);
  expect(record.allow).toBe(false);
  expect(record.upstream ?? null).toBeNull();
  return { message, reasons, record };
}

/** A tools/call the client expects to be refused by the policy. */
export function refusedCall(
  gw: DefaultGateway,
  name: string,
  args: Record<string, unknown>,
): Promise<Denial> {
  return refused(gw, gw.client.callTool({ name, arguments: args }));
}

/** A tools/call the policy allows; returns the upstream's result. */
export async function allowedCall(
  gw: DefaultGateway,
  name: string,
  args: Record<string, unknown>,
): Promise<{ text: string; isError: boolean }> {
  const result = await within(name, gw.client.callTool({ name, arguments: args }), 30_000);
  const content = result.content as { type: string; text?: string }[];
  return { text: content.map((c) => c.text ?? "").join(""), isError: result.isError === true };
}
